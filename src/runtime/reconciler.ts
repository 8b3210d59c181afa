// Runs a reconciler as one fiber per object (DESIGN.md §4): a change to the
// object, or to anything mapped to it, wakes its fiber; deleting the object
// interrupts it; a failure retries that object alone with backoff and never
// stops the others. The echo of a write the object's own pass made (its
// status) is not a change: it does not wake the object again.
import { Cause, Clock, Duration, Effect, FiberMap, Queue, Schedule, Semaphore, Stream, type Scope } from "effect"
import type { KubeObject } from "../api/meta.ts"
import type { ResourceType } from "../api/resource-type.ts"
import { measureReconcile } from "../metrics/reconcile-metrics.ts"
import { keyOf, ResourceStore, type ObjectKey, type WatchEvent } from "../store/resource-store.ts"
import { OwnWrites } from "./write-status.ts"

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
 * Resource versions are etcd revisions (integers) on Kubernetes and counters
 * in the other backends; one that is not an integer counts as newer whenever
 * it differs, so that a change is never missed.
 */
export const isNewerVersion = (candidate: string | undefined, known: string | undefined): boolean => {
  if (candidate === undefined || known === undefined) return candidate !== known
  return /^\d+$/.test(candidate) && /^\d+$/.test(known) ? BigInt(candidate) > BigInt(known) : candidate !== known
}

/** Why an object's fiber was woken: its own change (with the version it brought), or anything else. */
interface Wake {
  readonly version?: string
}

export interface RunOptions {
  /** Watch namespaced kinds in this namespace only. */
  readonly namespace?: string
  /** At most this many reconciles at once; the other objects wait their turn. Unset: no bound. */
  readonly maxConcurrentReconciles?: number
}

export interface RunningReconciler {
  /** Wakes one object's fiber (a service that decided something for it, such as the challenge scheduler). */
  readonly wake: (key: ObjectKey) => Effect.Effect<void>
}

/**
 * Starts the reconciler in the current scope. Returns once its watches run;
 * the per-object fibers live as long as the scope.
 */
export const runReconciler = <A extends KubeObject, E, R>(
  reconciler: Reconciler<A, E, R>,
  options: RunOptions = {},
): Effect.Effect<RunningReconciler, never, R | ResourceStore | Scope.Scope> =>
  Effect.gen(function* () {
    const store = yield* ResourceStore
    const context = yield* Effect.context<R>()
    const fibers = yield* FiberMap.make<string>()
    const inboxes = new Map<string, Queue.Queue<Wake>>()
    const backoff = reconciler.backoff ?? defaultBackoff
    const permits = yield* Semaphore.make(options.maxConcurrentReconciles ?? Number.MAX_SAFE_INTEGER)

    // One loop per object: reconcile, then wait for news or the requeue
    // time. A failure waits out its backoff, but a change ends the wait at
    // once, so a fixed object does not sit out a long backoff.
    const objectLoop = (key: ObjectKey, inbox: Queue.Queue<Wake>) =>
      Effect.gen(function* () {
        let failures = 0
        /** The newest version of the object this loop has read or written itself. */
        let known: string | undefined
        const learn = (version: string | undefined) => {
          if (isNewerVersion(version, known)) known = version
        }
        const own = OwnWrites.of({
          wrote: (object) => {
            if (object.metadata.name === key.name && object.metadata.namespace === key.namespace) learn(object.metadata.resourceVersion)
          },
        })
        // Defects are caught too: one broken object must not end its own loop.
        const reconcileOnce = (object: A) =>
          reconciler.reconcile(object).pipe(
            Effect.provideService(OwnWrites, own),
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
        /** News: a wake from elsewhere, or a version of the object newer than any this loop knows. */
        const isNews = (wakes: ReadonlyArray<Wake>) => wakes.some((wake) => wake.version === undefined || isNewerVersion(wake.version, known))
        const awaitNews = (limit: Duration.Input | undefined) =>
          Effect.gen(function* () {
            const deadline = limit === undefined ? undefined : (yield* Clock.currentTimeMillis) + Duration.toMillis(Duration.fromInputUnsafe(limit))
            for (;;) {
              const remaining = deadline === undefined ? undefined : deadline - (yield* Clock.currentTimeMillis)
              if (remaining !== undefined && remaining <= 0) return
              const wakes = remaining === undefined ? yield* Queue.takeAll(inbox) : yield* Effect.race(Queue.takeAll(inbox), Effect.as(Effect.sleep(remaining), undefined))
              if (wakes === undefined || isNews(wakes)) return
            }
          })
        for (;;) {
          // A permit for the read and the reconcile, none for the wait after them.
          const result = yield* store.get(reconciler.type, key).pipe(
            Effect.tap((object) => Effect.sync(() => learn(object.metadata.resourceVersion))),
            Effect.flatMap(reconcileOnce),
            Effect.catchTag("NotFound", () => Effect.succeed(undefined)),
            permits.withPermits(1),
          )
          if (result === undefined) return
          if (result.holdFor !== undefined) {
            yield* Effect.sleep(Duration.fromInputUnsafe(result.holdFor))
            yield* Queue.clear(inbox)
            continue
          }
          // Several wake-ups while reconciling collapse into one more pass.
          yield* awaitNews(result.requeueAfter)
          yield* Queue.clear(inbox)
        }
      }).pipe(
        Effect.catchCause((cause) =>
          Cause.hasInterruptsOnly(cause)
            ? Effect.interrupt
            : Effect.logError(`${reconciler.name}: object loop ended`, { object: objectKeyString(key), cause: Cause.pretty(cause) }),
        ),
        Effect.ensuring(Effect.sync(() => inboxes.delete(objectKeyString(key)))),
        Effect.annotateLogs({ reconciler: reconciler.name, object: objectKeyString(key) }),
      )

    const wake = (key: ObjectKey, why: Wake = {}): Effect.Effect<void, never, R> =>
      Effect.gen(function* () {
        const id = objectKeyString(key)
        const existing = inboxes.get(id)
        if (existing !== undefined) return yield* Queue.offer(existing, why).pipe(Effect.asVoid)
        const inbox = yield* Queue.unbounded<Wake>()
        inboxes.set(id, inbox)
        yield* FiberMap.run(fibers, id, objectLoop(key, inbox))
      })

    const forget = (key: ObjectKey) => FiberMap.remove(fibers, objectKeyString(key))

    const onPrimary = (event: WatchEvent<A>): Effect.Effect<void, never, R> =>
      event.type === "DELETED"
        ? forget(keyOf(event.object))
        : wake(keyOf(event.object), event.object.metadata.resourceVersion === undefined ? {} : { version: event.object.metadata.resourceVersion })

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
          return Effect.flatMap(Effect.isEffect(keys) ? keys : Effect.succeed(keys), (found) => Effect.forEach(found, (key) => wake(key), { discard: true }))
        }),
      )
    }
    return { wake: (key: ObjectKey) => wake(key).pipe(Effect.provideContext(context)) }
  })
