// The Ready condition of an issuer, written only when it changes.
import { Effect } from "effect"
import type { ResourceType } from "../../api/resource-type.ts"
import { writeStatus } from "../../runtime/write-status.ts"
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
    const now = yield* nowTimestamp
    const conditions = setCondition(issuer.status?.conditions, { type: "Ready", ...update }, now, issuer.metadata.generation)
    return yield* writeStatus(type, issuer, { ...issuer.status, conditions, ...(acme === undefined ? {} : { acme }) })
  })
