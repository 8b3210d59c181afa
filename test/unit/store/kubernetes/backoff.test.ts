// The informers' reconnect delays.
import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect, Schedule } from "effect"
import { honourRetryAfter, reconnectSchedule } from "../../../../src/store/kubernetes/backoff.ts"

describe("reconnect backoff", () => {
  it("treats Retry-After as a floor under the backoff", () => {
    assert.strictEqual(Duration.toMillis(honourRetryAfter(Duration.millis(400), {})), 400)
    assert.strictEqual(Duration.toMillis(honourRetryAfter(Duration.millis(400), { retryAfterMillis: 1000 })), 1000)
    assert.strictEqual(Duration.toMillis(honourRetryAfter(Duration.seconds(8), { retryAfterMillis: 1000 })), 8000)
  })

  it.effect("doubles from the initial delay up to the cap, each delay jittered", () =>
    Effect.gen(function* () {
      const step = yield* Schedule.toStep(reconnectSchedule({ initial: "100 millis", cap: "1 second" }))
      const delays: Array<number> = []
      for (let attempt = 0; attempt < 8; attempt++) delays.push(Duration.toMillis((yield* step(0, {}))[1]))
      const expected = [100, 200, 400, 800, 1000, 1000, 1000, 1000]
      delays.forEach((delay, index) => {
        assert.isAtLeast(delay, expected[index]! * 0.8)
        assert.isAtMost(delay, expected[index]! * 1.2)
      })
    }),
  )
})
