// Challenges, the lifecycle of the documents exactly: queued until the
// scheduler starts them (processing), synced with the ACME server (already
// valid: done), presented by the solver, self-checked until propagated (the
// first check at once, then every selfCheckInterval), accepted, and the final
// authorization state copied to status. A final state cleans up the solver and
// frees the slot (processing: false).
//
// Cost: two status writes per challenge (presented with processing, then the
// final state), one ACME request to accept it and the polls of its
// authorization after that.
import { Clock, Duration, Effect } from "effect"
import type { Challenge } from "../../api/acme-challenge.ts"
import { Challenges } from "../../api/kinds.ts"
import type { AcmeAuthorization } from "../../acme/client.ts"
import type { AcmeError } from "../../acme/errors.ts"
import { done, holdFor, requeueAfter, type ReconcileResult, type Reconciler } from "../../runtime/reconciler.ts"
import { writeStatus } from "../../runtime/write-status.ts"
import type { ChallengeScheduler } from "../../scheduler/challenge-scheduler.ts"
import { isFinal } from "../../scheduler/decide.ts"
import { slotOf } from "../../scheduler/challenge-scheduler.ts"
import { IssuanceSettings } from "../../settings/issuance-settings.ts"
import { ChallengeSolvers, type ChallengeSolver } from "../../solvers/solver.ts"
import { EventRecorder } from "../../store/event-recorder.ts"
import type { ControllerServices } from "../services.ts"
import { acmeIssuerClient } from "../shared/acme-issuer-client.ts"

type Status = NonNullable<Challenge["status"]>
type FinalState = "valid" | "invalid" | "expired" | "errored"

/** Polls of an accepted challenge's authorization: 250 ms doubling to 4 s, unless the server says when. */
const pollDelay = (attempt: number) => Duration.millis(Math.min(250 * 2 ** attempt, 4_000))

/**
 * The Order reads every authorization just before it creates the Challenges,
 * so a Challenge scheduled this soon after its creation was pending a moment
 * ago and needs no sync; one that waited longer in the queue is synced first.
 */
const freshForMillis = 10_000

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

interface Memory {
  /** Poll counts of accepted challenges, by challenge URL. */
  readonly polls: Map<string, number>
  /** Challenge URLs accepted by this process: a server may show them pending while it validates. */
  readonly accepted: Set<string>
}

/** An authorization read: still open, or the pass's end. */
type Synced = { readonly authorization: AcmeAuthorization } | { readonly ended: ReconcileResult }

const reconcileChallenge = (scheduler: ChallengeScheduler, memory: Memory) => (challenge: Challenge): Effect.Effect<ReconcileResult, unknown, ControllerServices> =>
  Effect.gen(function* () {
    const events = yield* EventRecorder
    const solvers = yield* ChallengeSolvers
    const settings = yield* IssuanceSettings
    const status: Status = challenge.status ?? {}
    const solver: ChallengeSolver = challenge.spec.type === "HTTP-01" ? solvers.http01 : solvers.dns01
    const url = challenge.spec.url

    if (isFinal(slotOf(challenge))) {
      // A final Challenge that still holds its slot (a crash between the two steps) lets go now.
      if (status.processing === true || status.presented === true) {
        yield* solver.cleanUp(challenge).pipe(Effect.ignore)
        yield* writeStatus(Challenges, challenge, { ...status, processing: false, presented: false })
      }
      return done
    }
    // Queued: the scheduler wakes it when a slot is free.
    if (!scheduler.holds(challenge)) return done

    const finish = (state: FinalState, reason: string) =>
      Effect.gen(function* () {
        memory.polls.delete(url)
        memory.accepted.delete(url)
        yield* solver.cleanUp(challenge).pipe(
          Effect.catch((error) => Effect.logWarning("challenge: clean-up failed", { challenge: challenge.metadata.name, error: error.message })),
        )
        const written = yield* writeStatus(Challenges, challenge, { ...status, state, reason, processing: false, presented: false })
        if (state === "valid") {
          yield* events.record(written, "Normal", "DomainVerified", `Domain "${challenge.spec.dnsName}" verified with "${mechanism(challenge)}" validation`)
        } else {
          yield* events.record(written, "Warning", "Failed", `Accepting challenge authorization failed: ${reason}`)
        }
        return done
      })
    const onAcmeError = (error: AcmeError) =>
      error.retryable
        ? Effect.succeed(error.retryAfterMillis === undefined ? requeueAfter("5 seconds") : holdFor(Duration.millis(error.retryAfterMillis)))
        : finish("errored", error.message)
    const pollAgain = () => {
      const attempt = memory.polls.get(url) ?? 0
      memory.polls.set(url, attempt + 1)
      return requeueAfter(pollDelay(attempt))
    }

    const access = yield* acmeIssuerClient(challenge.spec.issuerRef, challenge.metadata.namespace ?? "")
    if (access._tag === "NotReady") {
      yield* writeStatus(Challenges, challenge, { ...status, processing: true, reason: access.message })
      return requeueAfter("30 seconds")
    }
    const client = access.client
    /** The authorization as the server has it now, or how this pass ends: it has ended, or could not be read. */
    const syncAuthorization = client.getAuthorization(challenge.spec.authorizationURL).pipe(
      Effect.matchEffect({
        onFailure: (error): Effect.Effect<Synced, unknown, ControllerServices> => Effect.map(onAcmeError(error), (ended) => ({ ended })),
        onSuccess: (authorization): Effect.Effect<Synced, unknown, ControllerServices> => {
          const final = finalStateOf(authorization)
          if (final === undefined) return Effect.succeed({ authorization })
          return Effect.map(finish(final, final === "valid" ? "Successfully authorized domain" : failureReason(authorization, challenge)), (ended) => ({ ended }))
        },
      }),
    )

    // Accepted by this process: the server is validating; its authorization has the outcome.
    if (memory.accepted.has(url)) {
      const read = yield* syncAuthorization
      return "ended" in read ? read.ended : pollAgain()
    }

    if (status.processing !== true) yield* events.record(challenge, "Normal", "Started", "Challenge scheduled for processing")

    // Synced with the ACME server first, unless the Order read its authorization a moment ago.
    const age = (yield* Clock.currentTimeMillis) - (Date.parse(challenge.metadata.creationTimestamp ?? "") || 0)
    if (status.presented === true || age > freshForMillis) {
      const read = yield* syncAuthorization
      if ("ended" in read) return read.ended
      const offered = read.authorization.challenges.find((candidate) => candidate.url === url)
      // Accepted before a restart: validating already, so only its outcome is left to read.
      if (offered !== undefined && offered.status !== "pending") {
        memory.accepted.add(url)
        return pollAgain()
      }
    }

    if (status.presented !== true) {
      const presented = yield* solver.present(challenge).pipe(Effect.result)
      if (presented._tag === "Failure") {
        const reason = `Error presenting challenge: ${presented.failure.detail}`
        if (status.reason !== reason) yield* events.record(challenge, "Warning", "PresentError", reason)
        yield* writeStatus(Challenges, challenge, { ...status, processing: true, reason, state: "pending" })
        return yield* Effect.fail(presented.failure)
      }
      yield* events.record(challenge, "Normal", "Presented", `Presented challenge using ${mechanism(challenge)} challenge mechanism`)
    }
    const presentedStatus: Status = { ...status, processing: true, presented: true, state: "pending" }

    // Accepted only once the self check passes; the first check runs at once.
    const check = yield* solver.selfCheck(challenge)
    if (!check.ok) {
      yield* writeStatus(Challenges, challenge, { ...presentedStatus, reason: `Waiting for ${mechanism(challenge)} challenge propagation: ${check.detail}` })
      return requeueAfter(settings.selfCheckInterval)
    }
    const acceptance = yield* client.acceptChallenge(url).pipe(Effect.result)
    if (acceptance._tag === "Failure") {
      if (acceptance.failure.retryable) {
        yield* writeStatus(Challenges, challenge, { ...presentedStatus, reason: `Waiting for ${mechanism(challenge)} challenge propagation` })
        return yield* onAcmeError(acceptance.failure)
      }
      // A refusal may only mean the server moved on; its authorization has the last word.
      const reason = `Error accepting challenge: ${acceptance.failure.message}`
      if (status.reason !== reason) yield* events.record(challenge, "Warning", "AcceptError", reason)
      yield* writeStatus(Challenges, challenge, { ...presentedStatus, reason })
      memory.accepted.add(url)
      return pollAgain()
    }
    memory.accepted.add(url)
    yield* writeStatus(Challenges, challenge, { ...presentedStatus, reason: `Waiting for ${mechanism(challenge)} challenge propagation` })
    const accepted = acceptance.success as { status?: string }
    // Validated while answering (a server may): read the outcome at once.
    return accepted.status === "valid" || accepted.status === "invalid" ? requeueAfter(0) : pollAgain()
  })

export const makeChallengeReconciler = (scheduler: ChallengeScheduler): Reconciler<Challenge, unknown, ControllerServices> => ({
  name: "challenges",
  type: Challenges,
  reconcile: reconcileChallenge(scheduler, { polls: new Map(), accepted: new Set() }),
})
