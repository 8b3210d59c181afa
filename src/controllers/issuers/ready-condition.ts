// The Ready condition of an issuer, written only when it changes.
import { Effect } from "effect"
import type { ResourceType } from "../../api/resource-type.ts"
import { ResourceStore } from "../../store/resource-store.ts"
import { setCondition, type ConditionUpdate } from "../shared/conditions.ts"
import type { AnyIssuer } from "../shared/issuer-lookup.ts"
import { nowTimestamp } from "../shared/time.ts"

export const setIssuerReady = <I extends AnyIssuer>(
  type: ResourceType<I>,
  issuer: I,
  update: Omit<ConditionUpdate, "type">,
  acme?: NonNullable<I["status"]>["acme"],
) =>
  Effect.gen(function* () {
    const store = yield* ResourceStore
    const now = yield* nowTimestamp
    const conditions = setCondition(issuer.status?.conditions, { type: "Ready", ...update }, now, issuer.metadata.generation)
    const status = { ...issuer.status, conditions, ...(acme === undefined ? {} : { acme }) }
    return yield* store.updateStatus(type, { ...issuer, status })
  })
