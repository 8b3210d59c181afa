// The policies the built-in approver judges CertificateRequests by: the ones
// of the commit last applied from Git (the shipped ones and the
// repository's), handed over by the GitOps loop. Until a commit has been
// read the approver does not know them, and decides nothing.
import { Context, Effect, Layer, Option, Ref } from "effect"
import type { Policy } from "./load-policies.ts"

export interface ApprovalPoliciesService {
  /** None until the first commit's policies are known. */
  readonly current: Effect.Effect<Option.Option<ReadonlyArray<Policy>>>
  readonly replace: (policies: ReadonlyArray<Policy>) => Effect.Effect<void>
}

/** Without a GitOps loop (tests, one-off commands): no policies, so every request is approved. */
export const ApprovalPolicies = Context.Reference<ApprovalPoliciesService>("certops/policy/ApprovalPolicies", {
  defaultValue: () => ({ current: Effect.succeed(Option.some([])), replace: () => Effect.void }),
})

/** The daemon's: empty until the GitOps loop replaces it. */
export const approvalPoliciesLayer = Layer.effect(
  ApprovalPolicies,
  Effect.gen(function* () {
    const held = yield* Ref.make<Option.Option<ReadonlyArray<Policy>>>(Option.none())
    return { current: Ref.get(held), replace: (policies) => Ref.set(held, Option.some(policies)) }
  }),
)
