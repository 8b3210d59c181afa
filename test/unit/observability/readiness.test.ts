import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber } from "effect"
import { TestClock } from "effect/testing"
import { formatCheckResults, makeReadinessGate, runChecks, storeAnswers } from "../../../src/observability/readiness.ts"
import { memoryStoreLayer } from "../../../src/store/memory.ts"

describe("readiness checks", () => {
  it.effect("a gate fails with its reason until opened; the store check passes once the store answers", () =>
    Effect.gen(function* () {
      const gate = yield* makeReadinessGate("controllers", "the controllers have not started")
      const before = yield* runChecks([storeAnswers, gate.check])
      assert.deepStrictEqual(before, [{ name: "store" }, { name: "controllers", failure: "the controllers have not started" }])
      assert.strictEqual(formatCheckResults(before), "[+]store ok\n[-]controllers failed: the controllers have not started\nreadyz check failed\n")
      yield* gate.open
      assert.deepStrictEqual(yield* runChecks([storeAnswers, gate.check]), [{ name: "store" }, { name: "controllers" }])
    }).pipe(Effect.provide(memoryStoreLayer)),
  )

  it.effect("a check that hangs fails after the timeout instead of hanging the probe", () =>
    Effect.gen(function* () {
      const fiber = yield* Effect.forkChild(runChecks([{ name: "stuck", check: Effect.never }]))
      yield* TestClock.adjust("1 second")
      assert.deepStrictEqual(yield* Fiber.join(fiber), [{ name: "stuck", failure: "no answer within 800ms" }])
    }),
  )
})
