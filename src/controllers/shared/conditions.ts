// Conditions as Kubernetes tools expect them: one per type, and the
// transition time only moves when the status does.
import type { Condition, ConditionStatus } from "../../api/meta.ts"

export interface ConditionUpdate {
  readonly type: string
  readonly status: ConditionStatus
  readonly reason: string
  readonly message: string
}

export const findCondition = (conditions: ReadonlyArray<Condition> | undefined, type: string): Condition | undefined =>
  conditions?.find((condition) => condition.type === type)

export const isTrue = (conditions: ReadonlyArray<Condition> | undefined, type: string): boolean =>
  findCondition(conditions, type)?.status === "True"

export const setCondition = (
  conditions: ReadonlyArray<Condition> | undefined,
  update: ConditionUpdate,
  now: string,
  observedGeneration?: number,
): ReadonlyArray<Condition> => {
  const existing = findCondition(conditions, update.type)
  const next: Condition = {
    type: update.type,
    status: update.status,
    reason: update.reason,
    message: update.message,
    lastTransitionTime: existing !== undefined && existing.status === update.status ? (existing.lastTransitionTime ?? now) : now,
    ...(observedGeneration === undefined ? {} : { observedGeneration }),
  }
  const others = (conditions ?? []).filter((condition) => condition.type !== update.type)
  return [...others, next]
}

export const removeCondition = (conditions: ReadonlyArray<Condition> | undefined, type: string): ReadonlyArray<Condition> =>
  (conditions ?? []).filter((condition) => condition.type !== type)
