// How long reconciles take and how often they fail, per controller. The
// runtime reports each reconcile through `measureReconcile`; the histogram is
// kept here in plain counters and read at scrape time.
import { Clock, Context, Effect, Exit, Layer, Option } from "effect"
import type { HistogramSeries, MetricFamily } from "./exposition.ts"

/**
 * Upper bounds in seconds. Most reconciles are a few store round trips
 * (milliseconds); key generation and ACME calls take seconds, and an ACME
 * finalize can take tens, hence the 30 s and 60 s buckets.
 */
export const reconcileDurationBuckets: ReadonlyArray<number> = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]

export interface ReconcileMetricsService {
  /** Records one finished reconcile of one object. */
  readonly observe: (controller: string, seconds: number, ok: boolean) => Effect.Effect<void>
  /** The duration histogram and error counter, as they stand now. */
  readonly families: Effect.Effect<ReadonlyArray<MetricFamily>>
}

export class ReconcileMetrics extends Context.Service<ReconcileMetrics, ReconcileMetricsService>()("certops/observability/ReconcileMetrics") {}

interface ControllerStats {
  /** Observations per bucket, not cumulative; the last slot counts those above every bound. */
  readonly perBucket: Array<number>
  sum: number
  count: number
  errors: number
}

const bucketIndex = (seconds: number) => {
  const index = reconcileDurationBuckets.findIndex((bound) => seconds <= bound)
  return index === -1 ? reconcileDurationBuckets.length : index
}

const seriesOf = (controller: string, stats: ControllerStats): HistogramSeries => {
  let cumulative = 0
  return {
    labels: { controller },
    buckets: reconcileDurationBuckets.map((le, index) => ({ le, cumulativeCount: (cumulative += stats.perBucket[index] ?? 0) })),
    sum: stats.sum,
    count: stats.count,
  }
}

export const makeReconcileMetrics = (): ReconcileMetricsService => {
  const controllers = new Map<string, ControllerStats>()
  const statsOf = (controller: string): ControllerStats => {
    let stats = controllers.get(controller)
    if (stats === undefined) {
      stats = { perBucket: Array.from({ length: reconcileDurationBuckets.length + 1 }, () => 0), sum: 0, count: 0, errors: 0 }
      controllers.set(controller, stats)
    }
    return stats
  }
  return {
    observe: (controller, seconds, ok) =>
      Effect.sync(() => {
        const stats = statsOf(controller)
        stats.perBucket[bucketIndex(seconds)]!++
        stats.sum += seconds
        stats.count++
        if (!ok) stats.errors++
      }),
    families: Effect.sync(() => {
      const sorted = [...controllers].sort(([left], [right]) => left.localeCompare(right))
      return [
        {
          type: "histogram",
          name: "certops_reconcile_duration_seconds",
          help: "How long one reconcile of one object took, by controller.",
          series: sorted.map(([controller, stats]) => seriesOf(controller, stats)),
        },
        {
          type: "counter",
          name: "certops_reconcile_errors_total",
          help: "Reconciles that failed and will be retried with backoff, by controller.",
          samples: sorted.map(([controller, stats]) => ({ labels: { controller }, value: stats.errors })),
        },
      ]
    }),
  }
}

export const reconcileMetricsLayer = Layer.sync(ReconcileMetrics, makeReconcileMetrics)

/**
 * Times `self` as one reconcile of `controller`. A no-op where no
 * ReconcileMetrics is provided (unit tests), so the runtime need not require
 * it. An interrupted reconcile (its object was deleted) is not counted:
 * it neither finished nor failed.
 */
export const measureReconcile =
  (controller: string) =>
  <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.flatMap(Effect.serviceOption(ReconcileMetrics), (metrics) => {
      if (Option.isNone(metrics)) return self
      return Effect.flatMap(Clock.currentTimeNanos, (started) =>
        self.pipe(
          Effect.onExit((exit) =>
            Exit.hasInterrupts(exit)
              ? Effect.void
              : Effect.flatMap(Clock.currentTimeNanos, (ended) => metrics.value.observe(controller, Number(ended - started) / 1e9, Exit.isSuccess(exit))),
          ),
        ),
      )
    })
