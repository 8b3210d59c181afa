// An informer: a cache of one kind (or one selection of it) kept current by
// list-then-watch, as client-go's reflector does. It lists, watches from the
// list's resourceVersion, resumes each new watch where the last one stopped
// (events and bookmarks move that point), reconnects with backoff, and lists
// again when the server answers 410 Gone. Reads and watchers share it.
import { Clock, Deferred, Duration, Effect, PubSub, Stream } from "effect"
import type { KubeObject } from "../../api/meta.ts"
import { qualifiedPlural, type ResourceType } from "../../api/resource-type.ts"
import { StoreUnavailable, type Forbidden } from "../errors.ts"
import type { ObjectKey, WatchEvent } from "../resource-store.ts"
import { isExpired, KubeApiError, toListError } from "./api-errors.ts"
import { defaultBackoff, reconnectSchedule, type BackoffOptions } from "./backoff.ts"
import type { ListWatch } from "./list-watch.ts"
import { makeObjectCache } from "./object-cache.ts"
import { isEverything, matches, watchEventFor, type Change, type Selection } from "./selection.ts"
import type { WatchMessage } from "./wire.ts"

export interface InformerOptions {
  /** How long a read waits for the first list before failing with StoreUnavailable. */
  readonly syncTimeout?: Duration.Input
  /** How long a delete waits for the watch to report it before dropping the object itself. */
  readonly deleteTimeout?: Duration.Input
  readonly backoff?: BackoffOptions
  /**
   * What the cache keeps of each object, as it arrives: the whole object when
   * omitted. Secrets keep their facts, never their data.
   */
  readonly project?: (object: KubeObject) => KubeObject
}

export interface Informer {
  readonly type: ResourceType<any>
  /** What the cache holds: the whole kind, or a selection of it (managed Secrets). */
  readonly scope: Selection
  /** Succeeds once the first list is in; fails if that takes longer than the sync timeout. */
  readonly synced: Effect.Effect<void, StoreUnavailable | Forbidden>
  readonly get: (key: ObjectKey) => KubeObject | undefined
  readonly list: (selection: Selection) => ReadonlyArray<KubeObject>
  /** certops' own write, applied at once so that certops reads what it wrote. */
  readonly written: (object: KubeObject) => Effect.Effect<void>
  /**
   * After the API server confirmed a delete: waits until the watch reports it
   * too, so that watchers see the deletion in order and with its real
   * resourceVersion, and then the cache no longer has the object.
   */
  readonly deleted: (key: ObjectKey, uid: string | undefined) => Effect.Effect<void>
  /** The matching objects as ADDED, then every change to the selection, in the order the cache made them. */
  readonly changes: (selection: Selection) => Stream.Stream<WatchEvent<KubeObject>, StoreUnavailable | Forbidden>
}

interface Published {
  /** Local order: a watcher skips what its snapshot already holds. */
  readonly sequence: number
  readonly change: Change
}

/** A watch that ends this soon with nothing in it counts as a failure, as in client-go. */
const shortestHealthyWatchMillis = 1000

export const makeInformer = (source: ListWatch, options: InformerOptions = {}) =>
  Effect.gen(function* () {
    const syncTimeout = options.syncTimeout ?? "30 seconds"
    const schedule = reconnectSchedule(options.backoff ?? defaultBackoff)
    const name = qualifiedPlural(source.type)
    const cache = makeObjectCache()
    const project = options.project
    const published = yield* PubSub.unbounded<Published>()
    const firstList = yield* Deferred.make<void>()
    let sequence = 0
    /**
     * Where the next watch starts. Only the list and the watch move it, never
     * certops' own writes: a write's resourceVersion may be ahead of changes
     * to other objects that the watch has yet to deliver.
     */
    let resumeFrom = ""
    let lastFailure: KubeApiError | undefined

    const publish = (change: Change | undefined) => {
      if (change !== undefined) PubSub.publishUnsafe(published, { sequence: ++sequence, change })
    }

    const failed = (operation: string) => (error: KubeApiError) =>
      Effect.sync(() => (lastFailure = error)).pipe(
        Effect.andThen(Effect.logWarning(`${operation} ${name} failed; retrying`, { error: error.message })),
      )

    const relist = source.list.pipe(
      Effect.tap((listed) =>
        Effect.sync(() => {
          for (const change of cache.replace(listed.items, listed.resourceVersion, project)) publish(change)
          resumeFrom = listed.resourceVersion
          lastFailure = undefined
        }),
      ),
      Effect.tap(() => Deferred.succeed(firstList, undefined)),
      Effect.tapError(failed("list")),
      Effect.retry(schedule),
    )

    const apply = (message: WatchMessage) =>
      Effect.sync(() => {
        if (message.type === "BOOKMARK") {
          resumeFrom = message.resourceVersion
          return
        }
        publish(message.type === "DELETED" ? cache.remove(message.object) : cache.upsert(message.object, project))
        resumeFrom = message.object.metadata.resourceVersion ?? resumeFrom
      })

    /** One watch connection, from where the last one stopped, until the server ends it. */
    const watchOnce = Effect.gen(function* () {
      const started = yield* Clock.currentTimeMillis
      let received = 0
      yield* source.watch(resumeFrom).pipe(Stream.runForEach((message) => Effect.andThen(Effect.sync(() => received++), apply(message))))
      const lasted = (yield* Clock.currentTimeMillis) - started
      if (received === 0 && lasted < shortestHealthyWatchMillis) {
        return yield* new KubeApiError({ status: 200, reason: "WatchClosed", detail: "the watch closed as soon as it opened" })
      }
    })

    // A watch the server ended normally is resumed at once; a failed one after
    // a backoff that starts over after every good watch; an expired one (410)
    // ends this loop so that the kind is listed again.
    const watchUntilExpired = watchOnce.pipe(
      Effect.tapError((error) => (isExpired(error) ? Effect.void : failed("watch")(error))),
      Effect.retry({ schedule, while: (error) => !isExpired(error) }),
      Effect.forever,
    )

    const run = relist.pipe(
      Effect.andThen(watchUntilExpired),
      Effect.catch((error) => Effect.logInfo(`the ${name} watch expired; listing again`, { detail: error.detail })),
      Effect.forever,
      Effect.annotateLogs({ informer: name }),
    )
    yield* Effect.forkScoped(run)

    const notSynced = (): StoreUnavailable | Forbidden =>
      lastFailure === undefined
        ? new StoreUnavailable({
            operation: `list ${name}`,
            detail: `the ${name} cache has not synced within ${Duration.format(Duration.fromInputUnsafe(syncTimeout))}`,
            retryable: true,
          })
        : toListError(`list ${name} (cache not synced)`, lastFailure)

    const synced = Deferred.await(firstList).pipe(Effect.timeoutOrElse({ duration: syncTimeout, orElse: () => Effect.fail(notSynced()) }))

    const list = (selection: Selection) => [...cache.values()].filter((object) => matches(selection, object))

    const written = (object: KubeObject) =>
      Effect.sync(() => publish(matches(source.selection, object) ? cache.upsert(object, project) : cache.evict(object)))

    const deleted = (key: ObjectKey, confirmedUid: string | undefined) =>
      Effect.scoped(
        Effect.gen(function* () {
          const uid = confirmedUid ?? cache.get(key)?.metadata.uid
          if (uid === undefined) return
          // Subscribe before looking, so that the deletion cannot slip between the two.
          const subscription = yield* PubSub.subscribe(published)
          const cached = cache.get(key)?.metadata.uid === uid
          // The watch will report the deletion if it has the object, or if it
          // has every object of the kind (its news may just be late).
          if (cached || isEverything(source.selection)) cache.deleting(key, uid)
          if (!cached) return
          yield* Stream.fromSubscription(subscription).pipe(
            Stream.filter(({ change }) => change.type === "DELETED" && change.previous?.metadata.uid === uid),
            Stream.take(1),
            Stream.runDrain,
            Effect.timeoutOrElse({
              duration: options.deleteTimeout ?? "10 seconds",
              orElse: () => Effect.sync(() => publish(cache.forget(key, uid))),
            }),
          )
        }),
      )

    const changes = (selection: Selection): Stream.Stream<WatchEvent<KubeObject>, StoreUnavailable | Forbidden> =>
      Stream.unwrap(
        Effect.gen(function* () {
          yield* synced
          const subscription = yield* PubSub.subscribe(published)
          // Snapshot and sequence number in one synchronous step: a change is
          // either in the snapshot or numbered after it, never both or neither.
          const since = sequence
          const snapshot = list(selection).map((object): WatchEvent<KubeObject> => ({ type: "ADDED", object }))
          const live = Stream.fromSubscription(subscription).pipe(
            Stream.filter((entry) => entry.sequence > since),
            Stream.map((entry) => watchEventFor(selection, entry.change)),
            Stream.filter((event) => event !== undefined),
          )
          return Stream.concat(Stream.fromIterable(snapshot), live)
        }),
      )

    const informer: Informer = {
      type: source.type,
      scope: source.selection,
      synced,
      get: (key) => cache.get(key),
      list,
      written,
      deleted,
      changes,
    }
    return informer
  })
