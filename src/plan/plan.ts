// What merging a change would do: the intent sets of two commits compared,
// as `certops plan <from> <to>` shows it on a pull request.
import type { Certificate } from "../api/certificate.ts"
import { describeKey, keyOfResource, keyString } from "../intents/identity.ts"
import type { IntentSet } from "../intents/intent-set.ts"
import { formatRejection } from "../rules/rejection.ts"
import { jsonEqual } from "../store/object-semantics.ts"

export type PlanAction = "create" | "reissue" | "update" | "prune" | "deny"

export interface PlanEntry {
  readonly action: PlanAction
  readonly object: string
  readonly detail: string
}

/** Spec fields whose change means a new certificate (the rest only change metadata or behaviour). */
const issuanceFields = ["commonName", "dnsNames", "ipAddresses", "uris", "emailAddresses", "duration", "issuerRef", "privateKey", "usages", "isCA", "subject", "secretName"] as const

const changedFields = (before: Record<string, unknown>, after: Record<string, unknown>) =>
  [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((field) => !jsonEqual(before[field], after[field])).sort()

export const plan = (from: IntentSet, to: IntentSet): ReadonlyArray<PlanEntry> => {
  const before = new Map(from.accepted.map((intent) => [keyString(keyOfResource(intent.resource)), intent]))
  const after = new Map(to.accepted.map((intent) => [keyString(keyOfResource(intent.resource)), intent]))
  const entries: Array<PlanEntry> = []
  for (const [key, intent] of after) {
    const object = describeKey(keyOfResource(intent.resource))
    const previous = before.get(key)
    if (previous === undefined) {
      entries.push({ action: "create", object, detail: intent.source.file })
      continue
    }
    const fields = changedFields(previous.resource.spec as Record<string, unknown>, intent.resource.spec as Record<string, unknown>)
    if (fields.length === 0) continue
    const reissue = intent.resource.kind === "Certificate" && fields.some((field) => (issuanceFields as ReadonlyArray<string>).includes(field))
    entries.push({ action: reissue ? "reissue" : "update", object, detail: `spec.${fields.join(", spec.")} changed` })
  }
  const rejectedNow = new Set(to.rejected.map((rejection) => rejection.file))
  for (const [key, intent] of before) {
    if (after.has(key)) continue
    const object = describeKey(keyOfResource(intent.resource))
    // A broken file prunes nothing: its objects stay as they are.
    if (rejectedNow.has(intent.source.file)) continue
    const keepsSecret = intent.resource.kind !== "Certificate" || intent.resource.metadata.annotations?.["certops.io/delete-secret-on-prune"] !== "true"
    entries.push({ action: "prune", object, detail: intent.resource.kind === "Certificate" ? `${keepsSecret ? "Secret kept" : "Secret deleted"}: ${(intent.resource as Certificate).spec.secretName}` : intent.source.file })
  }
  for (const rejection of to.rejected) entries.push({ action: "deny", object: rejection.kind === undefined ? rejection.file : `${rejection.kind} ${rejection.namespace === undefined ? "" : `${rejection.namespace}/`}${rejection.name ?? ""}`, detail: formatRejection(rejection) })
  const order: Record<PlanAction, number> = { deny: 0, create: 1, reissue: 2, update: 3, prune: 4 }
  return entries.sort((a, b) => order[a.action] - order[b.action] || a.object.localeCompare(b.object))
}

export const renderPlan = (entries: ReadonlyArray<PlanEntry>): string => {
  if (entries.length === 0) return "no changes"
  const counts = (["deny", "create", "reissue", "update", "prune"] as const).map((action) => [action, entries.filter((entry) => entry.action === action).length] as const).filter(([, count]) => count > 0)
  return [...entries.map((entry) => `${entry.action.padEnd(7)} ${entry.object}: ${entry.detail}`), counts.map(([action, count]) => `${count} ${action}`).join(", ")].join("\n")
}
