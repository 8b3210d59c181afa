import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Fiber, Layer } from "effect"
import { TestClock } from "effect/testing"
import { renderExposition } from "../../../src/metrics/exposition.ts"
import { measureReconcile, ReconcileMetrics, reconcileMetricsLayer } from "../../../src/metrics/reconcile-metrics.ts"
import { parseExposition, sampleValue } from "../../support/prometheus-text.ts"

const scrape = Effect.flatMap(ReconcileMetrics, (metrics) => metrics.families).pipe(Effect.map((families) => parseExposition(renderExposition(families))))

describe("ReconcileMetrics", () => {
  it.effect("puts each duration in the first bucket whose bound holds it, cumulatively, with +Inf, _sum and _count", () =>
    Effect.gen(function* () {
      const metrics = yield* ReconcileMetrics
      for (const [seconds, ok] of [[0.003, true], [0.005, true], [0.02, true], [0.7, false], [120, false]] as const) {
        yield* metrics.observe("certificates", seconds, ok)
      }
      yield* metrics.observe("orders", 0.2, true)
      const families = yield* scrape
      const bucket = (le: string, controller = "certificates") => sampleValue(families, "certops_reconcile_duration_seconds_bucket", { controller, le })
      // 0.005 is inclusive (le means ≤); 120 s lies beyond every finite bound.
      assert.deepStrictEqual(
        ["0.005", "0.01", "0.025", "0.5", "1", "60", "+Inf"].map((le) => bucket(le)),
        [2, 2, 3, 3, 4, 4, 5],
      )
      assert.strictEqual(sampleValue(families, "certops_reconcile_duration_seconds_count", { controller: "certificates" }), 5)
      assert.closeTo(sampleValue(families, "certops_reconcile_duration_seconds_sum", { controller: "certificates" })!, 120.728, 1e-9)
      assert.strictEqual(sampleValue(families, "certops_reconcile_errors_total", { controller: "certificates" }), 2)
      assert.strictEqual(sampleValue(families, "certops_reconcile_errors_total", { controller: "orders" }), 0)
      assert.strictEqual(bucket("0.1", "orders"), 0)
      assert.strictEqual(bucket("0.25", "orders"), 1)
      assert.strictEqual(families.get("certops_reconcile_duration_seconds")?.samples.filter((sample) => sample.name.endsWith("_bucket")).length, 2 * 14)
    }).pipe(Effect.provide(reconcileMetricsLayer)),
  )

  it.effect("measureReconcile times successes and failures on the clock, and skips interrupted reconciles", () =>
    Effect.gen(function* () {
      const slow = Effect.sleep("3 seconds").pipe(measureReconcile("challenges"))
      const fiber = yield* Effect.forkChild(slow)
      yield* TestClock.adjust("3 seconds")
      yield* Fiber.join(fiber)
      yield* Effect.fail("boom").pipe(measureReconcile("challenges"), Effect.ignore)
      const started = yield* Deferred.make<void>()
      const interrupted = yield* Effect.forkChild(Deferred.succeed(started, undefined).pipe(Effect.andThen(Effect.never), measureReconcile("challenges")))
      yield* Deferred.await(started)
      yield* Fiber.interrupt(interrupted)

      const families = yield* scrape
      assert.strictEqual(sampleValue(families, "certops_reconcile_duration_seconds_count", { controller: "challenges" }), 2)
      assert.strictEqual(sampleValue(families, "certops_reconcile_duration_seconds_sum", { controller: "challenges" }), 3)
      assert.strictEqual(sampleValue(families, "certops_reconcile_duration_seconds_bucket", { controller: "challenges", le: "2.5" }), 1)
      assert.strictEqual(sampleValue(families, "certops_reconcile_errors_total", { controller: "challenges" }), 1)
    }).pipe(Effect.provide(reconcileMetricsLayer)),
  )

  it.effect("measureReconcile is a no-op where no ReconcileMetrics is provided", () =>
    Effect.gen(function* () {
      assert.strictEqual(yield* Effect.succeed(7).pipe(measureReconcile("issuers")), 7)
    }).pipe(Effect.provide(Layer.empty)),
  )
})
