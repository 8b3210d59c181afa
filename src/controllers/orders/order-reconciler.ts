// Orders (never changed after creation, status aside): create the ACME order,
// one Challenge per authorization, finalize when all are valid, download the
// chain, and copy the state across. A failed Order stays failed: the
// CertificateRequest fails and the Certificate's next attempt makes a new one.
//
// Cost: the ACME order and its authorizations read once; once every
// Challenge is valid the order is finalized straight away (it is ready by
// RFC 8555 §7.1.6), polled only while the server says it is processing, and
// its certificate downloaded once. Status is written when the order is
// created and when it ends, and not for the moments in between.
import { Duration, Effect } from "effect"
import type { Order } from "../../api/acme-order.ts"
import { Challenges, Orders } from "../../api/kinds.ts"
import type { AcmeOrder } from "../../acme/client.ts"
import type { AcmeError } from "../../acme/errors.ts"
import { done, holdFor, requeueAfter, type ReconcileResult, type Reconciler, type Secondary } from "../../runtime/reconciler.ts"
import { writeStatus } from "../../runtime/write-status.ts"
import { EventRecorder } from "../../store/event-recorder.ts"
import { ResourceStore } from "../../store/resource-store.ts"
import type { ControllerServices } from "../services.ts"
import { acmeIssuerClient } from "../shared/acme-issuer-client.ts"
import { controllerOf } from "../shared/owners.ts"
import { nowTimestamp } from "../shared/time.ts"
import { challengeName, ensureChallenges } from "./challenges-for-order.ts"
import { createAcmeOrder } from "./create-acme-order.ts"

type Status = NonNullable<Order["status"]>

const finalStates = new Set(["valid", "invalid", "errored", "expired"])
const failedChallengeStates = new Set(["invalid", "errored", "expired"])

/** Polls of an order the server is processing: 200 ms doubling to 5 s, unless the server says when. */
const pollDelay = (attempt: number) => Duration.millis(Math.min(200 * 2 ** attempt, 5_000))

const reconcileOrder = (polls: Map<string, number>) => (order: Order): Effect.Effect<ReconcileResult, unknown, ControllerServices> =>
  Effect.gen(function* () {
    const store = yield* ResourceStore
    const events = yield* EventRecorder
    const namespace = order.metadata.namespace ?? ""
    if (order.status?.state !== undefined && finalStates.has(order.status.state)) return done
    let current = order
    const record = (status: Status) =>
      Effect.gen(function* () {
        current = yield* writeStatus(Orders, current, status)
        return current
      })
    const fail = (state: "invalid" | "errored", reason: string) =>
      Effect.gen(function* () {
        polls.delete(order.metadata.uid ?? "")
        yield* record({ ...current.status, state, reason, failureTime: yield* nowTimestamp })
        yield* events.record(current, "Warning", "Failed", reason)
        return done
      })
    /** A refusal ends the Order; a rate limit or an outage only delays it. */
    const onAcmeError = (error: AcmeError) =>
      error.retryable ? Effect.succeed(error.retryAfterMillis === undefined ? requeueAfter("5 seconds") : holdFor(Duration.millis(error.retryAfterMillis))) : fail("errored", error.message)

    const access = yield* acmeIssuerClient(order.spec.issuerRef, namespace)
    if (access._tag === "NotReady") return requeueAfter("30 seconds")
    const { client, acme } = access

    if (order.status?.url === undefined || order.status.authorizations === undefined) {
      const claimed = store.list(Orders).pipe(
        Effect.map((orders) => new Set(orders.flatMap((candidate) => (candidate.status?.url === undefined ? [] : [candidate.status.url])))),
      )
      const created = yield* createAcmeOrder(client, current, record, claimed).pipe(Effect.result)
      if (created._tag === "Failure") return yield* created.failure._tag === "AcmeError" ? onAcmeError(created.failure) : Effect.fail(created.failure)
    }

    const challenges = yield* ensureChallenges(current, acme, client).pipe(Effect.result)
    if (challenges._tag === "Failure") return yield* onAcmeError(challenges.failure as AcmeError)
    if (challenges.success._tag === "NoSolver") return yield* fail("errored", challenges.success.message)

    // Wait for every challenge to reach a final state; a failed one fails the order.
    const states = yield* Effect.forEach(challenges.success.names, (name) =>
      store.get(Challenges, { namespace, name }).pipe(
        Effect.map((challenge) => ({ name, state: challenge.status?.state, reason: challenge.status?.reason })),
        Effect.orElseSucceed(() => ({ name, state: undefined, reason: undefined })),
      ),
    )
    const failed = states.find((challenge) => challenge.state !== undefined && failedChallengeStates.has(challenge.state))
    if (failed !== undefined) {
      return yield* fail("invalid", `Failed to finalize Order: challenge "${failed.name}" is ${failed.state}: ${failed.reason ?? ""}`)
    }
    if (!states.every((challenge) => challenge.state === "valid")) return done

    // Every authorization is valid, so the order is ready: finalize it, unless
    // an earlier pass did (then its state is known only to the server).
    const uid = order.metadata.uid ?? ""
    const polled = polls.get(uid)
    const csrPem = Buffer.from(current.spec.request, "base64").toString("utf8")
    const stub = { url: current.status!.url!, finalize: current.status!.finalizeURL ?? "" } as AcmeOrder
    const next = yield* (polled === undefined
      ? client.finalizeOrder(stub, csrPem).pipe(
          // Finalized before a restart, or the server moved on: its order says where it stands.
          Effect.catchIf(
            (error) => !error.retryable,
            () => client.getOrder(stub.url),
          ),
        )
      : client.getOrder(stub.url)
    ).pipe(Effect.result)
    if (next._tag === "Failure") return yield* onAcmeError(next.failure)
    const acmeOrder = next.success
    switch (acmeOrder.status) {
      case "ready":
        // Not finalized after all (the finalize answer was lost): finalize on the next pass.
        polls.delete(uid)
        return requeueAfter(pollDelay(0))
      case "pending":
      case "processing": {
        const attempt = polled ?? 0
        polls.set(uid, attempt + 1)
        return requeueAfter(pollDelay(attempt))
      }
      case "invalid":
        polls.delete(uid)
        return yield* fail("invalid", `Order is invalid: ${JSON.stringify((acmeOrder as { error?: { detail?: string } }).error?.detail ?? "")}`)
      case "valid": {
        polls.delete(uid)
        const chain = yield* client.downloadCertificate({ ...acmeOrder, url: stub.url }, acme.preferredChain).pipe(Effect.result)
        if (chain._tag === "Failure") return yield* onAcmeError(chain.failure)
        yield* record({ ...current.status, state: "valid", certificate: Buffer.from(chain.success).toString("base64") })
        yield* events.record(current, "Normal", "OrderValid", "Order completed successfully")
        // The documents: once an Order is valid its Challenges are deleted.
        for (const name of challenges.success.names) yield* store.delete(Challenges, { namespace, name }).pipe(Effect.catchTag("NotFound", () => Effect.void))
        return done
      }
      default:
        return requeueAfter("5 seconds")
    }
  })

/** A Challenge reaching its final state wakes its Order; its steps before that do not concern the Order. */
const fromChallenges: Secondary = {
  type: Challenges,
  toPrimary: (challenge: { metadata: { namespace?: string; ownerReferences?: ReadonlyArray<{ controller?: boolean; kind: string; name: string; uid: string }> }; status?: { state?: string } }) => {
    const state = challenge.status?.state
    if (state === undefined || !(state === "valid" || failedChallengeStates.has(state))) return []
    const owner = controllerOf(challenge as never, "Order")
    return owner === undefined ? [] : [{ namespace: challenge.metadata.namespace ?? "", name: owner.name }]
  },
}

export const makeOrderReconciler = (): Reconciler<Order, unknown, ControllerServices> => ({
  name: "orders",
  type: Orders,
  secondaries: [fromChallenges],
  reconcile: reconcileOrder(new Map()),
})

export { challengeName }
