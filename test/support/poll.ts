import { Effect } from "effect"

/** Polls `probe` every 100 ms until it returns a value other than undefined. */
export const until = async <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/** The same in Effect: runs `probe` every 100 ms (real time) until it yields a value, for at most `seconds`. */
export const eventually = <A, E, R>(what: string, probe: Effect.Effect<A | undefined, E, R>, seconds = 60) =>
  Effect.gen(function* () {
    const deadline = Date.now() + seconds * 1_000
    while (Date.now() < deadline) {
      const value = yield* probe.pipe(Effect.orElseSucceed(() => undefined))
      if (value !== undefined) return value
      yield* Effect.sleep("100 millis")
    }
    return yield* Effect.die(new Error(`timed out after ${seconds} s waiting for ${what}`))
  })
