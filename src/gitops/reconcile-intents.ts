// One GitOps pass: files → validated intent set → applied to the store →
// rejections reported. Issuers that exist in the cluster without Git count
// as known, so Certificates may use them.
import { Effect } from "effect"
import { ClusterIssuers, Issuers } from "../api/kinds.ts"
import { applyIntents, type ApplyOutcome } from "../apply/apply-intents.ts"
import type { SourceIdentity } from "../apply/provenance.ts"
import { ApprovalPolicies } from "../policy/approval-policies.ts"
import { buildIntentSet, type IntentSet, type IntentSetOptions } from "../intents/intent-set.ts"
import type { IntentKey } from "../intents/identity.ts"
import type { SourceFile } from "../manifests/source-file.ts"
import { rejectionReports } from "../report/rejection-reports.ts"
import { StatusReporter } from "../report/status-reporter.ts"
import { ResourceStore } from "../store/resource-store.ts"

export interface IntentOptions extends Omit<IntentSetOptions, "knownIssuers"> {
  /** Apply the Ingresses declared in Git too (their Certificates are applied either way). */
  readonly manageIngresses?: boolean
}

const issuersInCluster = Effect.gen(function* () {
  const store = yield* ResourceStore
  const namespaced = yield* store.list(Issuers)
  const cluster = yield* store.list(ClusterIssuers)
  return [
    ...namespaced.map((issuer): IntentKey => ({ kind: "Issuer", namespace: issuer.metadata.namespace ?? "", name: issuer.metadata.name })),
    ...cluster.map((issuer): IntentKey => ({ kind: "ClusterIssuer", name: issuer.metadata.name })),
  ]
})

export interface PassResult {
  readonly set: IntentSet
  readonly outcomes: ReadonlyArray<ApplyOutcome>
}

export const reconcileIntents = (files: ReadonlyArray<SourceFile>, source: SourceIdentity, commit: string, options: IntentOptions) =>
  Effect.gen(function* () {
    const reporter = yield* StatusReporter
    const knownIssuers = yield* issuersInCluster
    const set = buildIntentSet(files, { ...options, knownIssuers })
    yield* (yield* ApprovalPolicies).replace(set.policies)
    const outcomes = yield* applyIntents({ source, commit, accepted: set.accepted, rejected: set.rejected, ...(options.manageIngresses === true ? { ingresses: set.ingresses } : {}) })
    // What the store refused is reported beside what validation refused, with the store's reason.
    const refused = outcomes.flatMap((outcome) =>
      outcome.action === "failed" && outcome.file !== undefined
        ? [{ file: outcome.file, kind: outcome.kind, name: outcome.name, ...(outcome.namespace === undefined ? {} : { namespace: outcome.namespace }), rule: "apply-failed", message: outcome.error ?? "the store refused the object" }]
        : [],
    )
    yield* reporter.rejections(rejectionReports([...set.rejected, ...refused], commit))
    const changed = outcomes.filter((outcome) => outcome.action !== "unchanged")
    if (changed.length > 0 || set.rejected.length > 0) {
      yield* Effect.logInfo("intents applied", {
        commit: commit.slice(0, 7),
        accepted: set.accepted.length,
        rejected: set.rejected.length,
        changed: changed.map((outcome) => `${outcome.action} ${outcome.kind} ${outcome.namespace ?? ""}/${outcome.name}`),
      })
    }
    return { set, outcomes } satisfies PassResult
  })
