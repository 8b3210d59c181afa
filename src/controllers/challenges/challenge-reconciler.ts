// Challenges, the lifecycle of the documents exactly: queued until the
// scheduler starts them (processing), synced with the ACME server (already
// valid: done), presented by the solver, self-checked until propagated (the
// first check at once, then every selfCheckInterval), accepted, and the final
// authorization state copied to status. A final state cleans up the solver and
// frees the slot (processing: false).
import { Duration, Effect, Result } from "effect"
import type { Challenge } from "../../api/acme-challenge.ts"
import { Challenges } from "../../api/kinds.ts"
import type { AcmeAuthorization, AcmeClient } from "../../acme/client.ts"
import type { AcmeError } from "../../acme/errors.ts"
import { IssuanceSettings } from "../../settings/issuance-settings.ts"
import { isFinal } from "../../scheduler/decide.ts"
import { slotOf } from "../../scheduler/challenge-scheduler.ts"
import { ChallengeSolvers, type ChallengeSolver } from "../../solvers/solver.ts"
import { EventRecorder } from "../../store/event-recorder.ts"
import { ResourceStore } from "../../store/resource-store.ts"
import { done, holdFor, requeueAfter, type ReconcileResult, type Reconciler } from "../../runtime/reconciler.ts"
import type { ControllerServices } from "../services.ts"
import { acmeIssuerClient } from "../shared/acme-issuer-client.ts"

type Status = NonNullable<Challenge["status"]>
type FinalState = "valid" | "invalid" | "expired" | "errored"

/** Polls of an accepted challenge: 100 ms doubling to 3 s. */
const pollDelay = (attempt: number) => Duration.millis(Math.min(100 * 2 ** attempt, 3_000))

const mechanism = (challenge: Challenge) => challenge.spec.type.toLowerCase()

/** The authorization's terminal state as a Challenge state, if it has one. */
const finalStateOf = (authorization: AcmeAuthorization): FinalState | undefined => {
  switch (authorization.status) {
    case "valid":
      return "valid"
    case "invalid":
    case "deactivated":
    case "revoked":
      return "invalid"
    case "expired":
      return "expired"
    default:
      return undefined
  }
}

const failureReason = (authorization: AcmeAuthorization, challenge: Challenge): string => {
  const offered = authorization.challenges.find((candidate) => candidate.url === challenge.spec.url) as { error?: { type?: string; detail?: string } } | undefined
  const error = offered?.error
  return error === undefined ? `Authorization is ${authorization.status}` : `${error.type ?? ""}: ${error.detail ?? ""}`.replace(/^: /, "")
}

const reconcileChallenge = (polls: Map<string, number>, accepted: Set<string>) => (challenge: Challenge): Effect.Effect<ReconcileResult, unknown, ControllerServices> =>
  Effect.gen(function* () {
    const store = yield* ResourceStore
    const events = yield* EventRecorder
    const solvers = yield* ChallengeSolvers
    const settings = yield* IssuanceSettings
    const status = challenge.status ?? {}
    const solver: ChallengeSolver = challenge.spec.type === "HTTP-01" ? solvers.http01 : solvers.dns01
    let current = challenge
    const writeStatus = (next: Status) =>
      Effect.gen(function* () {
        current = yield* store.updateStatus(Challenges, { ...current, status: next })
      })

    if (isFinal(slotOf(challenge))) {
      // A final Challenge that still holds its slot (a crash between the two writes) lets go now.
      if (status.processing === true || status.presented === true) {
        yield* solver.cleanUp(challenge).pipe(Effect.ignore)
        yield* writeStatus({ ...status, processing: false, presented: false })
      }
      return done
    }
    if (status.processing !== true) return done

    const finish = (state: FinalState, reason: string) =>
      Effect.gen(function* () {
        polls.delete(challenge.spec.url)
        accepted.delete(challenge.spec.url)
        yield* solver.cleanUp(current).pipe(
          Effect.catch((error) => Effect.logWarning("challenge: clean-up failed", { challenge: challenge.metadata.name, error: error.message })),
        )
        yield* writeStatus({ ...current.status, state, reason, processing: false, presented: false })
        if (state === "valid") {
          yield* events.record(current, "Normal", "DomainVerified", `Domain "${challenge.spec.dnsName}" verified with "${mechanism(challenge)}" validation`)
        } else {
          yield* events.record(current, "Warning", "Failed", `Accepting challenge authorization failed: ${reason}`)
        }
        return done
      })
    const onAcmeError = (error: AcmeError) =>
      error.retryable
        ? Effect.succeed(error.retryAfterMillis === undefined ? requeueAfter("5 seconds") : holdFor(Duration.millis(error.retryAfterMillis)))
        : finish("errored", error.message)

    const access = yield* acmeIssuerClient(challenge.spec.issuerRef, challenge.metadata.namespace ?? "")
    if (access._tag === "NotReady") {
      if (status.reason !== access.message) yield* writeStatus({ ...status, reason: access.message })
      return requeueAfter("30 seconds")
    }
    const client: AcmeClient = access.client

    // The authorization as just read, when presenting needed a fresh look anyway.
    let synced: AcmeAuthorization | undefined
    if (status.presented !== true) {
      // Synced with the ACME server first: an authorization may be valid already.
      const authorization = yield* client.getAuthorization(challenge.spec.authorizationURL).pipe(Effect.result)
      if (authorization._tag === "Failure") return yield* onAcmeError(authorization.failure)
      synced = authorization.success
      const final = finalStateOf(authorization.success)
      if (final !== undefined) return yield* finish(final, final === "valid" ? "Successfully authorized domain" : failureReason(authorization.success, challenge))

      const presented = yield* solver.present(challenge).pipe(Effect.result)
      if (presented._tag === "Failure") {
        const reason = `Error presenting challenge: ${presented.failure.detail}`
        if (status.reason !== reason) yield* events.record(challenge, "Warning", "PresentError", reason)
        yield* writeStatus({ ...status, reason, state: "pending" })
        return yield* Effect.fail(presented.failure)
      }
      yield* writeStatus({ ...status, presented: true, state: "pending", reason: `Waiting for ${mechanism(challenge)} challenge propagation` })
      yield* events.record(challenge, "Normal", "Presented", `Presented challenge using ${mechanism(challenge)} challenge mechanism`)
    }

    const authorization = synced === undefined ? yield* client.getAuthorization(challenge.spec.authorizationURL).pipe(Effect.result) : Result.succeed(synced)
    if (authorization._tag === "Failure") return yield* onAcmeError(authorization.failure)
    const final = finalStateOf(authorization.success)
    if (final !== undefined) return yield* finish(final, final === "valid" ? "Successfully authorized domain" : failureReason(authorization.success, challenge))

    const offered = authorization.success.challenges.find((candidate) => candidate.url === challenge.spec.url)
    // Accepted once only: a server may still show the challenge pending while
    // it validates, and accepting again is refused once it is valid.
    if (offered?.status === "pending" && !accepted.has(challenge.spec.url)) {
      // Not accepted yet: only once the self check passes.
      const check = yield* solver.selfCheck(current)
      if (!check.ok) {
        const reason = `Waiting for ${mechanism(challenge)} challenge propagation: ${check.detail}`
        if (current.status?.reason !== reason) yield* writeStatus({ ...current.status, reason })
        return requeueAfter(settings.selfCheckInterval)
      }
      const acceptance = yield* client.acceptChallenge(challenge.spec.url).pipe(Effect.result)
      if (acceptance._tag === "Failure") {
        if (acceptance.failure.retryable) return yield* onAcmeError(acceptance.failure)
        // A refusal may only mean the server moved on; its authorization has the last word.
        const reason = `Error accepting challenge: ${acceptance.failure.message}`
        if (current.status?.reason !== reason) yield* writeStatus({ ...current.status, reason })
        yield* events.record(current, "Warning", "AcceptError", reason)
        return requeueAfter(settings.selfCheckInterval)
      }
      accepted.add(challenge.spec.url)
    }
    // Accepted: the server validates; poll its authorization, quickly at first.
    const attempt = polls.get(challenge.spec.url) ?? 0
    polls.set(challenge.spec.url, attempt + 1)
    return requeueAfter(pollDelay(attempt))
  })

export const makeChallengeReconciler = (): Reconciler<Challenge, unknown, ControllerServices> => ({
  name: "challenges",
  type: Challenges,
  reconcile: reconcileChallenge(new Map(), new Set()),
})
