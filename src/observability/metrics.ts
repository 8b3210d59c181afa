// Everything /metrics serves, gathered at scrape time: Certificates and
// Challenges straight from the store (the kubernetes store answers lists from
// its watch caches, so a scrape costs no API call), counters from the
// services that keep them. Nothing polls in the background.
import { Effect, Layer } from "effect"
import { AcmeAccounts } from "../acme/accounts.ts"
import { Certificates, Challenges } from "../api/kinds.ts"
import { IssuanceSettings } from "../settings/issuance-settings.ts"
import type { Forbidden, StoreUnavailable } from "../store/errors.ts"
import { ResourceStore } from "../store/resource-store.ts"
import { acmeFamilies } from "./acme-metrics.ts"
import { certificateFamilies } from "./certificate-metrics.ts"
import { challengeFamilies } from "./challenge-metrics.ts"
import { renderExposition, type MetricFamily } from "../metrics/exposition.ts"
import { GitSyncMetrics, gitSyncMetricsLayer } from "../metrics/git-sync-metrics.ts"
import { ReconcileMetrics, reconcileMetricsLayer } from "../metrics/reconcile-metrics.ts"

type Named = { readonly metadata: { readonly namespace?: string; readonly name: string } }

/** Stable output: a diff of two scrapes shows what changed, not a reordering. */
const byNamespaceThenName = <A extends Named>(objects: ReadonlyArray<A>): ReadonlyArray<A> =>
  [...objects].sort((left, right) => (left.metadata.namespace ?? "").localeCompare(right.metadata.namespace ?? "") || left.metadata.name.localeCompare(right.metadata.name))

/** What a scrape reads. */
export type MetricsSources = ResourceStore | AcmeAccounts | ReconcileMetrics | GitSyncMetrics

/** The counters the daemon keeps only for metrics; the store and ACME accounts are the daemon's own. */
export const metricsLayer: Layer.Layer<ReconcileMetrics | GitSyncMetrics> = Layer.mergeAll(reconcileMetricsLayer, gitSyncMetricsLayer)

export const collectMetricFamilies: Effect.Effect<ReadonlyArray<MetricFamily>, StoreUnavailable | Forbidden, MetricsSources> = Effect.gen(function* () {
  const store = yield* ResourceStore
  // A daemon scoped to one namespace reports on that namespace only; its RBAC may allow no more.
  const { namespace } = yield* IssuanceSettings
  const scope = namespace === undefined ? {} : { namespace }
  const [certificates, challenges] = yield* Effect.all([store.list(Certificates, scope), store.list(Challenges, scope)], { concurrency: 2 })
  const acme = yield* AcmeAccounts
  return [
    ...certificateFamilies(byNamespaceThenName(certificates)),
    ...challengeFamilies(challenges),
    ...acmeFamilies(acme.requestCounts()),
    ...(yield* (yield* ReconcileMetrics).families),
    ...(yield* (yield* GitSyncMetrics).families),
  ]
})

/** The exposition text of every certops metric, as of now. */
export const scrapeMetrics: Effect.Effect<string, StoreUnavailable | Forbidden, MetricsSources> = Effect.map(collectMetricFamilies, renderExposition)
