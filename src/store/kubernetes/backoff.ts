// How an informer waits before it lists or watches again after a failure.
import { Duration, Effect, Schedule } from "effect"

/** What the schedule looks at in a failure: the server's Retry-After, if any. */
export interface RetryHint {
  readonly retryAfterMillis?: number
}

/** The server's Retry-After wins over a shorter backoff; it is a floor, not a replacement. */
export const honourRetryAfter = (delay: Duration.Duration, hint: RetryHint): Duration.Duration =>
  hint.retryAfterMillis === undefined ? delay : Duration.max(delay, Duration.millis(hint.retryAfterMillis))

export interface BackoffOptions {
  readonly initial: Duration.Input
  readonly cap: Duration.Input
}

export const defaultBackoff: BackoffOptions = { initial: "250 millis", cap: "30 seconds" }

/**
 * Exponential from `initial`, doubling, capped at `cap`, each delay jittered
 * by ±20% so that many informers (or many certops replicas) do not reconnect
 * in step after an API server restart. Runs forever: the informer's retries
 * end only when the server answers.
 */
export const reconnectSchedule = (options: BackoffOptions = defaultBackoff) =>
  Schedule.min([Schedule.exponential(options.initial, 2), Schedule.spaced(options.cap)]).pipe(
    Schedule.jittered,
    Schedule.setInputType<RetryHint>(),
    Schedule.modifyDelay(({ input, duration }) => Effect.succeed(honourRetryAfter(duration, input))),
  )
