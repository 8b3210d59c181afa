// A ResourceStore over an in-process table of objects. The memory backend is
// this table alone; the embedded backend adds a persistence hook that makes
// each change durable before it becomes visible.
import { randomUUID } from "node:crypto"
import { Clock, Effect, PubSub, Result, Semaphore, Stream } from "effect"
import type { KubeObject } from "../api/meta.ts"
import { qualifiedPlural, type ResourceType } from "../api/resource-type.ts"
import { AlreadyExists, Conflict, Invalid, NotFound, type StoreUnavailable } from "./errors.ts"
import { matchesLabels, parseLabelSelector, type LabelSelector } from "./label-selector.ts"
import { applyMergePatch } from "./merge-patch.ts"
import { created, statusUpdated, updated } from "./object-semantics.ts"
import { validateObjectKey } from "./object-names.ts"
import type { ListOptions, ObjectKey, ResourceStoreService, WatchEvent, WatchEventType } from "./resource-store.ts"

/** One committed change, as persistence and watchers see it. */
export interface Change {
  readonly type: WatchEventType
  readonly resource: ResourceType<any>
  readonly object: KubeObject
  /** The object before the change (MODIFIED and DELETED). */
  readonly previous?: KubeObject
  readonly resourceVersion: number
}

export interface TableStoreOptions {
  /** Objects to start with (a backend's state loaded from disk). */
  readonly initial?: ReadonlyArray<{ readonly resource: ResourceType<any>; readonly object: KubeObject }>
  /** The resourceVersion counter to continue from (at least the newest object's). */
  readonly initialVersion?: number
  /** Runs under the write lock before a change is visible; a failure aborts the write. */
  readonly persist?: (change: Change) => Effect.Effect<void, StoreUnavailable>
}

type Table = Map<string, Map<string, KubeObject>>

const objectKey = (key: ObjectKey) => `${key.namespace ?? ""}/${key.name}`

const target = (type: ResourceType<any>, key: ObjectKey) => ({
  kind: type.kind,
  name: key.name,
  ...(key.namespace === undefined ? {} : { namespace: key.namespace }),
})

const selectorOf = (options: ListOptions | undefined): LabelSelector => {
  if (options?.labelSelector === undefined) return []
  const parsed = parseLabelSelector(options.labelSelector)
  // A malformed selector is a bug in the caller, not a runtime condition.
  if (Result.isFailure(parsed)) throw new Error(`invalid label selector: ${parsed.failure}`)
  return parsed.success
}

const matches = (object: KubeObject, namespace: string | undefined, selector: LabelSelector) =>
  (namespace === undefined || object.metadata.namespace === namespace) && matchesLabels(selector, object.metadata.labels)

/** What a filtered watch reports for a change: an object entering or leaving the selection is ADDED or DELETED. */
const watchEventFor = (change: Change, namespace: string | undefined, selector: LabelSelector): WatchEvent<KubeObject> | undefined => {
  const now = matches(change.object, namespace, selector)
  const before = change.previous !== undefined && matches(change.previous, namespace, selector)
  switch (change.type) {
    case "ADDED":
      return now ? { type: "ADDED", object: change.object } : undefined
    case "DELETED":
      return now ? { type: "DELETED", object: change.object } : undefined
    case "MODIFIED":
      if (now) return { type: before ? "MODIFIED" : "ADDED", object: change.object }
      return before ? { type: "DELETED", object: change.object } : undefined
  }
}

export const makeTableStore = (options: TableStoreOptions = {}) =>
  Effect.gen(function* () {
    const table: Table = new Map()
    let version = options.initialVersion ?? 0
    for (const { resource, object } of options.initial ?? []) {
      rows(resource).set(objectKey({ ...object.metadata }), object)
      version = Math.max(version, Number(object.metadata.resourceVersion ?? 0))
    }
    const changes = yield* PubSub.unbounded<Change>()
    const writeLock = yield* Semaphore.make(1)
    const persist = options.persist ?? (() => Effect.void)

    function rows(resource: ResourceType<any>): Map<string, KubeObject> {
      const name = qualifiedPlural(resource)
      let entries = table.get(name)
      if (entries === undefined) table.set(name, (entries = new Map()))
      return entries
    }

    /** Persists, then commits and publishes; all under the write lock. */
    const commit = (resource: ResourceType<any>, type: WatchEventType, object: KubeObject, previous?: KubeObject) =>
      Effect.gen(function* () {
        const change: Change = { type, resource, object, resourceVersion: version + 1, ...(previous === undefined ? {} : { previous }) }
        yield* persist(change)
        version = change.resourceVersion
        const entries = rows(resource)
        if (type === "DELETED") entries.delete(objectKey(object.metadata))
        else entries.set(objectKey(object.metadata), object)
        PubSub.publishUnsafe(changes, change)
        return object
      })

    const existing = <A extends KubeObject>(type: ResourceType<A>, key: ObjectKey) => {
      const object = rows(type).get(objectKey(key)) as A | undefined
      return object === undefined ? Effect.fail(new NotFound(target(type, key))) : Effect.succeed(object)
    }

    const requireVersion = (type: ResourceType<any>, object: KubeObject, current: KubeObject) => {
      const expected = object.metadata.resourceVersion
      if (expected === undefined || expected === "") {
        return Effect.fail(new Invalid({ ...target(type, object.metadata), detail: "metadata.resourceVersion must be specified for an update" }))
      }
      return expected === current.metadata.resourceVersion
        ? Effect.void
        : Effect.fail(
            new Conflict({
              ...target(type, object.metadata),
              detail: `the object has been modified (resourceVersion ${expected}, now ${current.metadata.resourceVersion})`,
            }),
          )
    }

    const get: ResourceStoreService["get"] = (type, key) => Effect.suspend(() => existing(type, key))

    const list: ResourceStoreService["list"] = (type, listOptions) =>
      Effect.sync(() => {
        const selector = selectorOf(listOptions)
        return [...rows(type).values()].filter((object) => matches(object, listOptions?.namespace, selector)) as Array<never>
      })

    const create: ResourceStoreService["create"] = (type, object) =>
      writeLock.withPermits(1)(
        Effect.gen(function* () {
          const key = yield* validateObjectKey(type, object.metadata)
          if (rows(type).has(objectKey(key))) return yield* new AlreadyExists(target(type, key))
          const now = yield* Clock.currentTimeMillis
          const stored = created(type, { ...object, metadata: { ...object.metadata, ...key } }, {
            uid: randomUUID(),
            resourceVersion: String(version + 1),
            now,
          })
          return (yield* commit(type, "ADDED", stored)) as typeof object
        }),
      )

    const update: ResourceStoreService["update"] = (type, object) =>
      writeLock.withPermits(1)(
        Effect.gen(function* () {
          const current = yield* existing(type, object.metadata)
          yield* requireVersion(type, object, current)
          const next = updated(type, current, object, String(version + 1))
          return next === undefined ? current : ((yield* commit(type, "MODIFIED", next, current)) as typeof object)
        }),
      )

    const updateStatus: ResourceStoreService["updateStatus"] = (type, object) =>
      writeLock.withPermits(1)(
        Effect.gen(function* () {
          const current = yield* existing(type, object.metadata)
          yield* requireVersion(type, object, current)
          const next = statusUpdated(current, (object as { status?: unknown }).status, String(version + 1))
          return next === undefined ? current : ((yield* commit(type, "MODIFIED", next, current)) as typeof object)
        }),
      )

    const patch: ResourceStoreService["patch"] = (type, key, mergePatch, patchOptions) =>
      writeLock.withPermits(1)(
        Effect.gen(function* () {
          const current = yield* existing(type, key)
          const precondition = (mergePatch["metadata"] as { resourceVersion?: string } | undefined)?.resourceVersion
          if (precondition !== undefined) yield* requireVersion(type, { ...current, metadata: { ...current.metadata, resourceVersion: precondition } }, current)
          const patched = applyMergePatch(current, mergePatch) as typeof current
          const version_ = String(version + 1)
          const next =
            patchOptions?.subresource === "status"
              ? statusUpdated(current, (patched as { status?: unknown }).status, version_)
              : updated(type, current, { ...patched, metadata: { ...patched.metadata, resourceVersion: current.metadata.resourceVersion ?? "" } }, version_)
          return next === undefined ? current : ((yield* commit(type, "MODIFIED", next, current)) as typeof current)
        }),
      )

    const remove: ResourceStoreService["delete"] = (type, key, deleteOptions) =>
      writeLock.withPermits(1)(
        Effect.gen(function* () {
          const current = yield* existing(type, key)
          if (deleteOptions?.resourceVersion !== undefined) {
            yield* requireVersion(type, { ...current, metadata: { ...current.metadata, resourceVersion: deleteOptions.resourceVersion } }, current)
          }
          yield* commit(type, "DELETED", { ...current, metadata: { ...current.metadata, resourceVersion: String(version + 1) } }, current)
        }),
      )

    const watch: ResourceStoreService["watch"] = (type, watchOptions) =>
      Stream.unwrap(
        Effect.gen(function* () {
          const selector = selectorOf(watchOptions)
          // Subscribe first, then snapshot: a change is either in the snapshot
          // or arrives with a newer resourceVersion, never both or neither.
          const subscription = yield* PubSub.subscribe(changes)
          const since = version
          const name = qualifiedPlural(type)
          const snapshot = [...rows(type).values()]
            .filter((object) => matches(object, watchOptions?.namespace, selector))
            .map((object): WatchEvent<KubeObject> => ({ type: "ADDED", object }))
          const live = Stream.fromSubscription(subscription).pipe(
            Stream.filter((change) => change.resourceVersion > since && qualifiedPlural(change.resource) === name),
            Stream.map((change) => watchEventFor(change, watchOptions?.namespace, selector)),
            Stream.filter((event) => event !== undefined),
          )
          return Stream.concat(Stream.fromIterable(snapshot), live) as Stream.Stream<WatchEvent<never>>
        }),
      )

    const service: ResourceStoreService = { get, list, create, update, updateStatus, patch, delete: remove, watch }
    return service
  })
