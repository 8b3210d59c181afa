// CertificateRequests: checked as cert-manager's webhook checks them,
// approved or denied (approval.ts), then signed by their issuer: directly for SelfSigned and
// CA issuers, through an Order for ACME ones. Final once Ready or failed.
import { Effect } from "effect"
import type { CertificateRequest } from "../../api/certificate-request.ts"
import type { Order } from "../../api/acme-order.ts"
import { CertificateRequests, ClusterIssuers, Issuers, Orders } from "../../api/kinds.ts"
import { EventRecorder } from "../../store/event-recorder.ts"
import { keyOf, ResourceStore } from "../../store/resource-store.ts"
import { done, requeueAfter, type ReconcileResult, type Reconciler, type Secondary } from "../../runtime/reconciler.ts"
import { writeStatus } from "../../runtime/write-status.ts"
import type { ControllerServices } from "../services.ts"
import { findCondition, isTrue, setCondition, type ConditionUpdate } from "../shared/conditions.ts"
import { getIssuer } from "../shared/issuer-lookup.ts"
import { describeIssuerRef, isCertManagerIssuerRef } from "../../rules/issuer-refs.ts"
import { describeRequestProblems, requestProblems } from "../../rules/request-problems.ts"
import { controllerOf } from "../shared/owners.ts"
import { nowTimestamp } from "../shared/time.ts"
import { viaAcmeOrder } from "./acme-order.ts"
import { decideApproval } from "./approval.ts"
import { signDirectly, type SignOutcome } from "./sign-directly.ts"

export const isFinished = (request: CertificateRequest): boolean => {
  const ready = findCondition(request.status?.conditions, "Ready")
  return ready?.status === "True" || ready?.reason === "Failed" || ready?.reason === "Denied" || isTrue(request.status?.conditions, "Denied")
}

/** Ready says the request is done: signed, failed or denied. A Denied condition alone still needs its Ready. */
const settled = (request: CertificateRequest): boolean => {
  const ready = findCondition(request.status?.conditions, "Ready")
  return ready?.status === "True" || ready?.reason === "Failed" || ready?.reason === "Denied"
}

const reconcileRequest = (request: CertificateRequest): Effect.Effect<ReconcileResult, unknown, ControllerServices> =>
  Effect.gen(function* () {
    if (settled(request)) return done
    const events = yield* EventRecorder
    const now = yield* nowTimestamp
    const namespace = request.metadata.namespace ?? ""
    // An approval already given (by certops or another approver) stays as it
    // is: the API server refuses any change to it (admission-rules.ts).
    let approval: ReadonlyArray<ConditionUpdate> = []
    // Every path below ends in this one write, the approval included.
    const settle = (updates: ReadonlyArray<ConditionUpdate>, extra: Partial<NonNullable<CertificateRequest["status"]>> = {}) => {
      const conditions = [...approval, ...updates].reduce((all, update) => setCondition(all, update, now), request.status?.conditions ?? [])
      return writeStatus(CertificateRequests, request, { ...request.status, ...extra, conditions }).pipe(Effect.as(done))
    }
    const deny = (message: string) =>
      Effect.gen(function* () {
        const text = `The CertificateRequest was denied by an approval controller: ${message}`
        yield* events.record(request, "Warning", "Denied", text)
        return yield* settle([{ type: "Ready", status: "False", reason: "Denied", message: text }], { failureTime: now })
      })
    const denied = findCondition(request.status?.conditions, "Denied")
    if (denied?.status === "True") return yield* deny(denied.message ?? denied.reason ?? "")
    // What the webhook would have refused at creation fails the request before any approver, issuer or ACME server sees it.
    const problems = yield* requestProblems(request.spec)
    if (problems.length > 0) {
      const message = describeRequestProblems(problems)
      yield* events.record(request, "Warning", "InvalidSpec", message)
      return yield* settle(
        [
          { type: "InvalidRequest", status: "True", reason: "InvalidSpec", message },
          { type: "Ready", status: "False", reason: "Failed", message },
        ],
        { failureTime: now },
      )
    }
    if (findCondition(request.status?.conditions, "Approved") === undefined) {
      const decision = yield* decideApproval(request)
      // Nothing is signed before Approved: the approval's own write wakes this request again.
      if (decision._tag === "Undecided") return decision.waitingFor === "external" ? done : requeueAfter("5 seconds")
      approval = [decision.condition]
      if (decision.condition.type === "Denied") return yield* deny(decision.condition.message)
    }
    if (!isCertManagerIssuerRef(request.spec.issuerRef)) return yield* settle([])
    const pending = (message: string) => settle([{ type: "Ready", status: "False", reason: "Pending", message }])

    const issuer = yield* getIssuer(request.spec.issuerRef, namespace).pipe(Effect.option)
    if (issuer._tag === "None") {
      return yield* pending(`Referenced "${request.spec.issuerRef.kind ?? "Issuer"}" not found: ${describeIssuerRef(request.spec.issuerRef, namespace)} not found`)
    }
    if (!isTrue(issuer.value.status?.conditions, "Ready")) return yield* pending("Referenced issuer does not have a Ready status condition")
    const outcome: SignOutcome = issuer.value.spec.acme !== undefined ? yield* viaAcmeOrder(request) : yield* signDirectly(request, issuer.value)
    switch (outcome._tag) {
      case "Pending":
        return yield* pending(outcome.message)
      case "Failed":
        yield* events.record(request, "Warning", "Failed", outcome.message)
        return yield* settle([{ type: "Ready", status: "False", reason: "Failed", message: outcome.message }], { failureTime: now })
      case "Signed": {
        const message = "Certificate fetched from issuer successfully"
        yield* events.record(request, "Normal", "CertificateIssued", message)
        return yield* settle([{ type: "Ready", status: "True", reason: "Issued", message }], {
          certificate: Buffer.from(outcome.certificatePem).toString("base64"),
          ...(outcome.caPem === "" ? {} : { ca: Buffer.from(outcome.caPem).toString("base64") }),
        })
      }
    }
  })

/** An Order's outcome wakes the request that owns it; its steps before that do not concern the request. */
const fromOrders: Secondary<Order> = {
  type: Orders,
  toPrimary: (order) => {
    const state = order.status?.state
    const ended = (state === "valid" && order.status?.certificate !== undefined) || state === "invalid" || state === "errored" || state === "expired"
    if (!ended) return []
    const owner = controllerOf(order, "CertificateRequest")
    return owner === undefined ? [] : [{ namespace: order.metadata.namespace ?? "", name: owner.name }]
  },
}

/** An issuer becoming ready wakes the unfinished requests that wait for it. */
const fromIssuers = (kind: "Issuer" | "ClusterIssuer"): Secondary =>
  ({
    type: kind === "Issuer" ? Issuers : ClusterIssuers,
    toPrimary: (issuer: { metadata: { name: string; namespace?: string } }) =>
      ResourceStore.use((store) => store.list(CertificateRequests, issuer.metadata.namespace === undefined ? {} : { namespace: issuer.metadata.namespace })).pipe(
        Effect.map((requests) =>
          requests
            .filter((request) => !isFinished(request) && request.spec.issuerRef.name === issuer.metadata.name && (request.spec.issuerRef.kind ?? "Issuer") === kind)
            .map(keyOf),
        ),
        Effect.orElseSucceed(() => []),
      ),
  }) as Secondary

export const certificateRequestReconciler: Reconciler<CertificateRequest, unknown, ControllerServices> = {
  name: "certificaterequests",
  type: CertificateRequests,
  secondaries: [fromOrders, fromIssuers("Issuer"), fromIssuers("ClusterIssuer")],
  reconcile: reconcileRequest,
}
