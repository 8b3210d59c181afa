// Few commits for many changes: after the first change, wait until changes
// stop for a quiet period, but never longer than a maximum, so that a steady
// trickle of changes still gets published.
import { Clock, Duration, Effect, Option, Queue } from "effect"

export interface BatchWindow {
  /** How long no change must arrive before publishing (2 s by default). */
  readonly quiet: Duration.Input
  /** How long after the first change to publish at the latest (10 s by default). */
  readonly max: Duration.Input
}

export const defaultBatchWindow: BatchWindow = { quiet: "2 seconds", max: "10 seconds" }

/** Returns when a batch that `signals` opened is ready to publish. */
export const awaitBatch = Effect.fnUntraced(function* (signals: Queue.Dequeue<void>, window: BatchWindow): Effect.fn.Return<void> {
  yield* Queue.take(signals)
  const quiet = Duration.toMillis(Duration.fromInputUnsafe(window.quiet))
  const deadline = (yield* Clock.currentTimeMillis) + Duration.toMillis(Duration.fromInputUnsafe(window.max))
  while (true) {
    const left = deadline - (yield* Clock.currentTimeMillis)
    if (left <= 0) return
    const another = yield* Queue.take(signals).pipe(Effect.timeoutOption(Math.min(quiet, left)))
    if (Option.isNone(another)) return
  }
})
