// Batching: publish after a quiet period, or at the latest a fixed time after
// the first change, whichever comes first.
import { assert, describe, it } from "@effect/vitest"
import { Clock, Effect, Fiber, Queue } from "effect"
import { TestClock } from "effect/testing"
import { awaitBatch } from "../../../src/report/batch-window.ts"

const window = { quiet: "2 seconds", max: "10 seconds" } as const

/** Starts waiting for a batch; returns the fiber that ends (with the time) when the batch is ready. */
const startBatch = Effect.gen(function* () {
  const signals = yield* Queue.sliding<void>(1)
  const fiber = yield* Effect.forkChild(awaitBatch(signals, window).pipe(Effect.andThen(Clock.currentTimeMillis)))
  return { signal: Queue.offer(signals, undefined), fiber }
})

describe("awaitBatch", () => {
  it.effect("waits for the first change, then for a quiet period", () =>
    Effect.gen(function* () {
      const { signal, fiber } = yield* startBatch
      yield* TestClock.adjust("30 seconds")
      assert.isUndefined(fiber.pollUnsafe())
      yield* signal
      yield* TestClock.adjust("1 second")
      yield* signal
      yield* TestClock.adjust("1500 millis")
      assert.isUndefined(fiber.pollUnsafe())
      yield* TestClock.adjust("500 millis")
      assert.strictEqual(yield* Fiber.join(fiber), 33_000)
    }),
  )

  it.effect("publishes at the latest the maximum delay after the first change", () =>
    Effect.gen(function* () {
      const { signal, fiber } = yield* startBatch
      yield* signal
      for (let second = 0; second < 9; second++) {
        yield* TestClock.adjust("1 second")
        yield* signal
      }
      assert.isUndefined(fiber.pollUnsafe())
      yield* TestClock.adjust("1 second")
      assert.strictEqual(yield* Fiber.join(fiber), 10_000)
    }),
  )
})
