// Runs a reconciler as one fiber per object (DESIGN.md §4): a change to the
// object, or to anything mapped to it, wakes its fiber; deleting the object
// interrupts it; a failure retries that object alone with backoff and never
// stops the others.
import { Cause, Duration, Effect, FiberMap, Queue, Schedule, Semaphore, Stream, type Scope } from "effect"
import type { KubeObject } from "../api/meta.ts"
import type { ResourceType } from "../api/resource-type.ts"
import { measureReconcile } from "../metrics/reconcile-metrics.ts"
import { keyOf, ResourceStore, type ObjectKey, type WatchEvent } from "../store/resource-store.ts"

export interface ReconcileResult {
  /**
   * Wait this long before the next pass whatever changes meanwhile: a server
   * said when to come back (Retry-After), and its own writes must not make
   * the object come back sooner.
   */
  readonly holdFor?: Duration.Input
  /** Look again after this long even if nothing changes (renewals, polling). */
  readonly requeueAfter?: Duration.Input
}

export const done: ReconcileResult = {}
export const requeueAfter = (after: Duration.Input): ReconcileResult => ({ requeueAfter: after })
export const holdFor = (duration: Duration.Input): ReconcileResult => ({ holdFor: duration })

/** A secondary kind whose changes wake the primary objects it maps to. */
export interface Secondary<B extends KubeObject = any, R = any> {
  readonly type: ResourceType<B>
  readonly labelSelector?: string
  readonly toPrimary: (object: B) => ReadonlyArray<ObjectKey> | Effect.Effect<ReadonlyArray<ObjectKey>, never, R>
}

export interface Reconciler<A extends KubeObject, E, R> {
  readonly name: string
  readonly type: ResourceType<A>
  readonly labelSelector?: string
  readonly secondaries?: ReadonlyArray<Secondary>
  readonly reconcile: (object: A) => Effect.Effect<ReconcileResult, E, R>
  /** Backoff after the n-th consecutive failed reconcile (n from 1). */
  readonly backoff?: (failures: number) => Duration.Duration
}

/** 1 s doubling up to 5 min, with ±20 % jitter so that failing objects spread out. */
export const defaultBackoff = (failures: number): Duration.Duration =>
  Duration.millis(Math.min(1_000 * 2 ** (failures - 1), 300_000) * (0.8 + Math.random() * 0.4))

export const objectKeyString = (key: ObjectKey): string => (key.namespace === undefined ? key.name : `${key.namespace}/${key.name}`)

/**
 * Starts the reconciler in the current scope. Returns once its watches run;
 * the per-object fibers live as long as the scope.
 */
export interface RunOptions {
  /** Watch namespaced kinds in this namespace only. */
  readonly namespace?: string
  /** At most this many reconciles at once; the other objects wait their turn. Unset: no bound. */
  readonly maxConcurrentReconciles?: number
}

export const runReconciler = <A extends KubeObject, E, R>(
  reconciler: Reconciler<A, E, R>,
  options: RunOptions = {},
): Effect.Effect<void, never, R | ResourceStore | Scope.Scope> =>
  Effect.gen(function* () {
    const store = yield* ResourceStore
    const fibers = yield* FiberMap.make<string>()
    const wakeups = new Map<string, Queue.Queue<void>>()
    const backoff = reconciler.backoff ?? defaultBackoff
    const permits = yield* Semaphore.make(options.maxConcurrentReconciles ?? Number.MAX_SAFE_INTEGER)

    // One loop per object: reconcile, then wait for a change or the requeue
    // time. A failure waits out its backoff, but a change ends the wait at
    // once, so a fixed object does not sit out a long backoff.
    const objectLoop = (key: ObjectKey, wake: Queue.Queue<void>) =>
      Effect.gen(function* () {
        let failures = 0
        // Defects are caught too: one broken object must not end its own loop.
        const reconcileOnce = (object: A) =>
          reconciler.reconcile(object).pipe(
            measureReconcile(reconciler.name),
            Effect.map((value) => {
              failures = 0
              return value
            }),
            Effect.catchCause((cause) => {
              if (Cause.hasInterruptsOnly(cause)) return Effect.interrupt
              failures++
              const delay = backoff(failures)
              return Effect.logWarning(`${reconciler.name}: reconcile failed; retrying in ${Duration.format(delay)}`, {
                failures,
                cause: Cause.pretty(cause),
              }).pipe(Effect.as<ReconcileResult>(requeueAfter(delay)))
            }),
          )
        for (;;) {
          // A permit for the read and the reconcile, none for the wait after them.
          const result = yield* store.get(reconciler.type, key).pipe(
            Effect.flatMap(reconcileOnce),
            Effect.catchTag("NotFound", () => Effect.succeed(undefined)),
            permits.withPermits(1),
          )
          if (result === undefined) return
          if (result.holdFor !== undefined) {
            yield* Effect.sleep(Duration.fromInputUnsafe(result.holdFor))
            yield* Queue.clear(wake)
            continue
          }
          const wait = Queue.take(wake)
          yield* result.requeueAfter === undefined
            ? wait
            : Effect.race(wait, Effect.sleep(Duration.fromInputUnsafe(result.requeueAfter)))
          // Several wake-ups while reconciling collapse into one more pass.
          yield* Queue.clear(wake)
        }
      }).pipe(
        Effect.catchCause((cause) =>
          Cause.hasInterruptsOnly(cause)
            ? Effect.interrupt
            : Effect.logError(`${reconciler.name}: object loop ended`, { object: objectKeyString(key), cause: Cause.pretty(cause) }),
        ),
        Effect.ensuring(Effect.sync(() => wakeups.delete(objectKeyString(key)))),
        Effect.annotateLogs({ reconciler: reconciler.name, object: objectKeyString(key) }),
      )

    const wake = (key: ObjectKey): Effect.Effect<void, never, R> =>
      Effect.gen(function* () {
        const id = objectKeyString(key)
        const existing = wakeups.get(id)
        if (existing !== undefined) return yield* Queue.offer(existing, undefined).pipe(Effect.asVoid)
        const queue = yield* Queue.sliding<void>(1)
        wakeups.set(id, queue)
        yield* FiberMap.run(fibers, id, objectLoop(key, queue))
      })

    const forget = (key: ObjectKey) => FiberMap.remove(fibers, objectKeyString(key))

    const onPrimary = (event: WatchEvent<A>): Effect.Effect<void, never, R> => (event.type === "DELETED" ? forget(keyOf(event.object)) : wake(keyOf(event.object)))

    const watchOptions = (type: ResourceType<any>, labelSelector: string | undefined) => ({
      ...(labelSelector === undefined ? {} : { labelSelector }),
      ...(options.namespace === undefined || !type.namespaced ? {} : { namespace: options.namespace }),
    })

    const watchForever = <B extends KubeObject>(
      type: ResourceType<B>,
      labelSelector: string | undefined,
      handle: (event: WatchEvent<B>) => Effect.Effect<void, never, R>,
    ) =>
      store.watch(type, watchOptions(type, labelSelector)).pipe(
        Stream.runForEach(handle),
        Effect.tapCause((cause) => Effect.logWarning(`${reconciler.name}: watch of ${type.plural} ended; restarting`, { cause: Cause.pretty(cause) })),
        Effect.retry(Schedule.min([Schedule.exponential("500 millis", 2), Schedule.spaced("30 seconds")])),
        Effect.forever,
      )

    yield* Effect.forkScoped(watchForever(reconciler.type, reconciler.labelSelector, onPrimary))
    for (const secondary of reconciler.secondaries ?? []) {
      yield* Effect.forkScoped(
        watchForever(secondary.type, secondary.labelSelector, (event) => {
          const keys = secondary.toPrimary(event.object)
          return Effect.flatMap(Effect.isEffect(keys) ? keys : Effect.succeed(keys), (found) => Effect.forEach(found, wake, { discard: true }))
        }),
      )
    }
  })
