// Orders (never changed after creation, status aside): create the ACME order,
// one Challenge per authorization, finalize when all are valid, download the
// chain, and copy the state across. A failed Order stays failed: the
// CertificateRequest fails and the Certificate's next attempt makes a new one.
import { Duration, Effect } from "effect"
import type { Order } from "../../api/acme-order.ts"
import { Challenges, Orders } from "../../api/kinds.ts"
import type { AcmeError } from "../../acme/errors.ts"
import { EventRecorder } from "../../store/event-recorder.ts"
import { ResourceStore } from "../../store/resource-store.ts"
import { done, holdFor, requeueAfter, type ReconcileResult, type Reconciler, type Secondary } from "../../runtime/reconciler.ts"
import type { ControllerServices } from "../services.ts"
import { acmeIssuerClient } from "../shared/acme-issuer-client.ts"
import { controllerOf } from "../shared/owners.ts"
import { nowTimestamp } from "../shared/time.ts"
import { challengeName, ensureChallenges } from "./challenges-for-order.ts"
import { createAcmeOrder, readAuthorizations } from "./create-acme-order.ts"

type Status = NonNullable<Order["status"]>

const finalStates = new Set(["valid", "invalid", "errored", "expired"])
const failedChallengeStates = new Set(["invalid", "errored", "expired"])

/** Polls of an order the server is working on: 100 ms doubling to 5 s. */
const pollDelay = (attempt: number) => Duration.millis(Math.min(100 * 2 ** attempt, 5_000))

const reconcileOrder = (polls: Map<string, number>) => (order: Order): Effect.Effect<ReconcileResult, unknown, ControllerServices> =>
  Effect.gen(function* () {
    const store = yield* ResourceStore
    const events = yield* EventRecorder
    const namespace = order.metadata.namespace ?? ""
    if (order.status?.state !== undefined && finalStates.has(order.status.state)) return done
    let current = order
    const writeStatus = (status: Status) =>
      Effect.gen(function* () {
        current = yield* store.updateStatus(Orders, { ...current, status })
        return current
      })
    const fail = (state: "invalid" | "errored", reason: string) =>
      Effect.gen(function* () {
        yield* writeStatus({ ...current.status, state, reason, failureTime: yield* nowTimestamp })
        yield* events.record(current, "Warning", "Failed", reason)
        return done
      })
    /** A refusal ends the Order; a rate limit or an outage only delays it. */
    const onAcmeError = (error: AcmeError) =>
      error.retryable ? Effect.succeed(error.retryAfterMillis === undefined ? requeueAfter("5 seconds") : holdFor(Duration.millis(error.retryAfterMillis))) : fail("errored", error.message)

    const access = yield* acmeIssuerClient(order.spec.issuerRef, namespace)
    if (access._tag === "NotReady") return requeueAfter("30 seconds")
    const { client, acme } = access

    if (order.status?.url === undefined) {
      const claimed = store.list(Orders).pipe(
        Effect.map((orders) => new Set(orders.flatMap((candidate) => (candidate.status?.url === undefined ? [] : [candidate.status.url])))),
      )
      const created = yield* createAcmeOrder(client, order, writeStatus, claimed).pipe(Effect.result)
      if (created._tag === "Failure") return yield* created.failure._tag === "AcmeError" ? onAcmeError(created.failure) : Effect.fail(created.failure)
    }
    if (current.status?.authorizations === undefined) {
      const read = yield* readAuthorizations(client, current).pipe(Effect.result)
      if (read._tag === "Failure") return yield* onAcmeError(read.failure)
      yield* writeStatus(read.success)
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

    const url = current.status!.url!
    const polled = polls.get(url) ?? 0
    const acmeOrder = yield* client.getOrder(url).pipe(Effect.result)
    if (acmeOrder._tag === "Failure") return yield* onAcmeError(acmeOrder.failure)
    switch (acmeOrder.success.status) {
      case "pending":
      case "processing":
        polls.set(url, polled + 1)
        if (current.status?.state !== acmeOrder.success.status) yield* writeStatus({ ...current.status, state: acmeOrder.success.status })
        return requeueAfter(pollDelay(polled))
      case "ready": {
        const csrPem = Buffer.from(current.spec.request, "base64").toString("utf8")
        const finalized = yield* client.finalizeOrder(acmeOrder.success, csrPem).pipe(Effect.result)
        if (finalized._tag === "Failure") return yield* onAcmeError(finalized.failure)
        yield* writeStatus({ ...current.status, state: finalized.success.status })
        return requeueAfter(pollDelay(0))
      }
      case "invalid":
        polls.delete(url)
        return yield* fail("invalid", `Order is invalid: ${JSON.stringify((acmeOrder.success as { error?: { detail?: string } }).error?.detail ?? "")}`)
      case "valid": {
        polls.delete(url)
        const chain = yield* client.downloadCertificate(acmeOrder.success, acme.preferredChain).pipe(Effect.result)
        if (chain._tag === "Failure") return yield* onAcmeError(chain.failure)
        yield* writeStatus({ ...current.status, state: "valid", certificate: Buffer.from(chain.success).toString("base64") })
        yield* events.record(current, "Normal", "OrderValid", "Order completed successfully")
        // The documents: once an Order is valid its Challenges are deleted.
        for (const name of challenges.success.names) yield* store.delete(Challenges, { namespace, name }).pipe(Effect.catchTag("NotFound", () => Effect.void))
        return done
      }
    }
  })

/** A Challenge's progress wakes its Order. */
const fromChallenges: Secondary = {
  type: Challenges,
  toPrimary: (challenge: { metadata: { namespace?: string; ownerReferences?: ReadonlyArray<{ controller?: boolean; kind: string; name: string; uid: string }> } }) => {
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
