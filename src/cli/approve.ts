// `certops approve` / `certops deny NAMESPACE/NAME`: a person's decision on
// a CertificateRequest, as cmctl's: the Approved or Denied condition,
// written through the status subresource. The API server lets only holders
// of "approve" on the issuer's signer set it (deploy/admission), so RBAC
// decides who may, not this command. Cluster only: the embedded store
// belongs to the daemon that runs on it.
import { Console, Data, Effect, Option, Runtime, Schedule } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import type { CertificateRequest } from "../api/certificate-request.ts"
import { CertificateRequests } from "../api/kinds.ts"
import { findCondition, setCondition } from "../controllers/shared/conditions.ts"
import { nowTimestamp } from "../controllers/shared/time.ts"
import { ResourceStore } from "../store/resource-store.ts"
import { chooseStore, parseTarget, storeLayer } from "./status.ts"

/** Ends the command with exit code 1; the reason is already printed. */
class DecisionFailed extends Data.TaggedError("DecisionFailed")<{ readonly reason: string }> {
  override readonly [Runtime.errorExitCode] = 1
  override readonly [Runtime.errorReported] = false
}

class DecisionRefused extends Data.TaggedError("DecisionRefused")<{ readonly message: string }> {}

export type Decision = "Approved" | "Denied"

/** The request's status with the decision, or why it cannot take one: a decision, once made, is final. */
export const decide = (
  request: CertificateRequest,
  decision: Decision,
  reason: string,
  message: string,
  now: string,
): NonNullable<CertificateRequest["status"]> | string => {
  const target = `CertificateRequest ${request.metadata.namespace}/${request.metadata.name}`
  for (const made of ["Approved", "Denied"] as const) {
    const existing = findCondition(request.status?.conditions, made)
    if (existing !== undefined) return `${target} is already ${made.toLowerCase()} (${existing.reason ?? ""}: ${existing.message ?? ""})`
  }
  const ready = findCondition(request.status?.conditions, "Ready")
  if (ready?.status === "True" || ready?.reason === "Failed") return `${target} is already finished (Ready ${ready.status}, ${ready.reason ?? ""})`
  return { ...request.status, conditions: setCondition(request.status?.conditions, { type: decision, status: "True", reason, message }, now) }
}

const write = (target: string, namespace: Option.Option<string>, decision: Decision, reason: string, message: string) =>
  Effect.gen(function* () {
    const key = parseTarget(target, namespace)
    if (typeof key === "string") return yield* new DecisionRefused({ message: key })
    const store = yield* ResourceStore
    // Read, decide, write at that resourceVersion: another approver in between means reading again.
    const once = Effect.gen(function* () {
      const request = yield* store.get(CertificateRequests, key)
      const status = decide(request, decision, reason, message, yield* nowTimestamp)
      if (typeof status === "string") return yield* new DecisionRefused({ message: status })
      return yield* store.updateStatus(CertificateRequests, { ...request, status })
    })
    yield* once.pipe(Effect.retry({ while: (error) => error._tag === "Conflict", schedule: Schedule.recurs(3) }))
    yield* Console.log(`CertificateRequest ${key.namespace}/${key.name} ${decision.toLowerCase()}: ${reason}: ${message}`)
  })

const decisionCommand = (name: "approve" | "deny", decision: Decision) =>
  Command.make(
    name,
    {
      request: Argument.String("request").pipe(Argument.withDescription("the CertificateRequest as <namespace>/<name> (or <name> with --namespace)")),
      namespace: Flag.String("namespace").pipe(Flag.withAlias("n"), Flag.optional),
      reason: Flag.String("reason").pipe(Flag.withDescription("the condition's reason, one word"), Flag.withDefault("certops")),
      message: Flag.String("message").pipe(Flag.withDescription("the condition's message, for people"), Flag.withDefault(`manually ${decision.toLowerCase()} by "certops ${name}"`)),
    },
    Effect.fn(name)(function* ({ request, namespace, reason, message }) {
      // The cluster, as `certops status --store kubernetes` reads it: straight to the API server.
      const cluster = storeLayer(chooseStore({ store: Option.some("kubernetes"), stateDir: Option.none() }))
      yield* write(request, namespace, decision, reason, message).pipe(
        Effect.provide(cluster),
        Effect.catch((error) => Effect.andThen(Console.error(`error: ${error.message}`), Effect.fail(new DecisionFailed({ reason: error.message })))),
      )
    }),
  )

export const approve = decisionCommand("approve", "Approved").pipe(Command.withDescription("Approve a CertificateRequest, as an approver would (needs 'approve' on its issuer's signer)"))
export const deny = decisionCommand("deny", "Denied").pipe(Command.withDescription("Deny a CertificateRequest: its Certificate fails with this reason"))
