// Readiness: named checks that each pass or say why not. /readyz runs them
// all on every probe, so a pod drops out of its Service when a check stops
// passing and comes back when it passes again.
import { Duration, Effect, Ref, Schema } from "effect"
import { Certificates } from "../api/kinds.ts"
import { IssuanceSettings } from "../settings/issuance-settings.ts"
import { ResourceStore } from "../store/resource-store.ts"

export class NotReady extends Schema.TaggedError<NotReady>()("NotReady", { reason: Schema.String }) {
  override get message() {
    return this.reason
  }
}

export interface ReadinessCheck<R = never> {
  readonly name: string
  /** Succeeds when ready; fails with the reason when not. */
  readonly check: Effect.Effect<void, NotReady, R>
}

export interface CheckResult {
  readonly name: string
  /** Undefined when the check passed. */
  readonly failure?: string
}

/** A probe must answer well within the kubelet's one-second default; a hung dependency is a failure. */
export const checkTimeout = Duration.millis(800)

/**
 * The store answers a list. On the kubernetes store that means its watch
 * caches have synced, which is also when the controllers start working.
 */
export const storeAnswers: ReadinessCheck<ResourceStore> = {
  name: "store",
  check: Effect.gen(function* () {
    const store = yield* ResourceStore
    const { namespace } = yield* IssuanceSettings
    yield* store.list(Certificates, namespace === undefined ? {} : { namespace })
  }).pipe(Effect.mapError((error) => new NotReady({ reason: error.message }))),
}

export interface ReadinessGate {
  readonly check: ReadinessCheck
  /** From now on the check passes. */
  readonly open: Effect.Effect<void>
}

/** A check that fails with `whileClosed` until something opens it, e.g. once the controllers have started. */
export const makeReadinessGate = (name: string, whileClosed: string): Effect.Effect<ReadinessGate> =>
  Effect.map(Ref.make(false), (opened) => ({
    check: { name, check: Effect.flatMap(Ref.get(opened), (open) => (open ? Effect.void : Effect.fail(new NotReady({ reason: whileClosed })))) },
    open: Ref.set(opened, true),
  }))

/** Runs every check at once, each within the timeout. */
export const runChecks = <R>(checks: ReadonlyArray<ReadinessCheck<R>>): Effect.Effect<ReadonlyArray<CheckResult>, never, R> =>
  Effect.forEach(
    checks,
    ({ name, check }) =>
      check.pipe(
        Effect.timeoutOrElse({
          duration: checkTimeout,
          orElse: () => Effect.fail(new NotReady({ reason: `no answer within ${Duration.format(checkTimeout)}` })),
        }),
        Effect.match({ onSuccess: (): CheckResult => ({ name }), onFailure: (error): CheckResult => ({ name, failure: error.reason }) }),
      ),
    { concurrency: "unbounded" },
  )

/** Kubernetes' own /readyz?verbose layout, which operators already read: `[+]name ok` / `[-]name failed: reason`. */
export const formatCheckResults = (results: ReadonlyArray<CheckResult>): string => {
  const lines = results.map(({ name, failure }) => (failure === undefined ? `[+]${name} ok` : `[-]${name} failed: ${failure}`))
  const verdict = results.every(({ failure }) => failure === undefined) ? "readyz check passed" : "readyz check failed"
  return [...lines, verdict, ""].join("\n")
}
