// The objects of one informer, and the rules that keep them right when the
// same change reaches the cache twice: once from certops' own write (applied
// at once, so that certops reads what it wrote) and once, later, from the
// watch. Every method is synchronous and returns the change it made, if any,
// for the informer to pass on to watchers.
import type { KubeObject } from "../../api/meta.ts"
import type { ObjectKey } from "../resource-store.ts"
import type { Change } from "./selection.ts"

export const cacheKey = (key: ObjectKey): string => `${key.namespace ?? ""}/${key.name}`

const version = (object: KubeObject): bigint | undefined => {
  const text = object.metadata.resourceVersion
  return text !== undefined && /^\d+$/.test(text) ? BigInt(text) : undefined
}

/**
 * Resource versions are etcd revisions, so they compare as integers. One
 * that is not an integer compares as newer whenever it differs: applying a
 * change twice is harmless, missing one is not.
 */
export const isNewer = (candidate: KubeObject, current: KubeObject): boolean => {
  const next = version(candidate)
  const now = version(current)
  if (next === undefined || now === undefined) return candidate.metadata.resourceVersion !== current.metadata.resourceVersion
  return next > now
}

/**
 * A removal the watch has not reported yet. Until it does, the watch's older
 * news about the same object (same uid, not newer than `resourceVersion`)
 * would bring it back, so it is ignored. Without a version (a DELETE answer
 * carries none), everything about that uid but its deletion is old news.
 */
interface Tombstone {
  readonly uid: string
  readonly resourceVersion?: bigint
}

export interface ObjectCache {
  readonly get: (key: ObjectKey) => KubeObject | undefined
  readonly values: () => IterableIterator<KubeObject>
  readonly size: () => number
  /**
   * An object as the API server now has it: from a watch event or from
   * certops' own write. `project` makes what is kept of it, and runs only
   * for an object that is news.
   */
  readonly upsert: (object: KubeObject, project?: (object: KubeObject) => KubeObject) => Change | undefined
  /** A DELETED watch event. */
  readonly remove: (object: KubeObject) => Change | undefined
  /** certops' own write took the object out of the cache's selection. */
  readonly evict: (object: KubeObject) => Change | undefined
  /**
   * The API server confirmed a delete that the watch has not reported yet.
   * Only for an object the watch will report, or the tombstone stays until
   * the next relist.
   */
  readonly deleting: (key: ObjectKey, uid: string) => void
  /** Drops a confirmed-deleted object without waiting for the watch any longer. */
  readonly forget: (key: ObjectKey, uid: string) => Change | undefined
  /**
   * Replaces the contents with a fresh list taken at `resourceVersion` (after
   * a 410) and returns the differences as changes. Objects written by certops
   * after the list was taken are kept.
   */
  readonly replace: (items: ReadonlyArray<KubeObject>, resourceVersion: string, project?: (object: KubeObject) => KubeObject) => ReadonlyArray<Change>
}

export const makeObjectCache = (): ObjectCache => {
  const objects = new Map<string, KubeObject>()
  const tombstones = new Map<string, Tombstone>()

  /** Whether `object` is old news about something removed; a tombstone that has served its purpose goes. */
  const buried = (key: string, object: KubeObject): boolean => {
    const tombstone = tombstones.get(key)
    if (tombstone === undefined) return false
    const next = version(object)
    const older = tombstone.resourceVersion === undefined || (next !== undefined && next <= tombstone.resourceVersion)
    if (tombstone.uid === object.metadata.uid && older) return true
    tombstones.delete(key)
    return false
  }

  const upsert = (received: KubeObject, project?: (object: KubeObject) => KubeObject): Change | undefined => {
    const key = cacheKey(received.metadata)
    if (buried(key, received)) return undefined
    const current = objects.get(key)
    if (current !== undefined && !isNewer(received, current)) return undefined
    const object = project === undefined ? received : project(received)
    objects.set(key, object)
    return current === undefined ? { type: "ADDED", object } : { type: "MODIFIED", object, previous: current }
  }

  const remove = (object: KubeObject): Change | undefined => {
    const key = cacheKey(object.metadata)
    if (tombstones.get(key)?.uid === object.metadata.uid) tombstones.delete(key)
    const current = objects.get(key)
    // A different uid is a newer object of the same name, already written by certops.
    if (current === undefined || current.metadata.uid !== object.metadata.uid) return undefined
    objects.delete(key)
    return { type: "DELETED", object, previous: current }
  }

  const evict = (object: KubeObject): Change | undefined => {
    const key = cacheKey(object.metadata)
    const current = objects.get(key)
    // Nothing cached, nothing to guard: a tombstone here would never be cleared.
    if (current === undefined || !isNewer(object, current)) return undefined
    const resourceVersion = version(object)
    if (object.metadata.uid !== undefined) {
      tombstones.set(key, { uid: object.metadata.uid, ...(resourceVersion === undefined ? {} : { resourceVersion }) })
    }
    objects.delete(key)
    return { type: "DELETED", object, previous: current }
  }

  const deleting = (key: ObjectKey, uid: string): void => void tombstones.set(cacheKey(key), { uid })

  const forget = (key: ObjectKey, uid: string): Change | undefined => {
    const current = objects.get(cacheKey(key))
    if (current === undefined || current.metadata.uid !== uid) return undefined
    objects.delete(cacheKey(key))
    return { type: "DELETED", object: current, previous: current }
  }

  const replace = (items: ReadonlyArray<KubeObject>, resourceVersion: string, project?: (object: KubeObject) => KubeObject): ReadonlyArray<Change> => {
    const listed = new Set(items.map((item) => cacheKey(item.metadata)))
    const changes: Array<Change> = []
    for (const item of items) {
      const change = upsert(item, project)
      if (change !== undefined) changes.push(change)
    }
    const snapshot = { metadata: { name: "", resourceVersion } } as KubeObject
    for (const [key, current] of objects) {
      if (listed.has(key) || isNewer(current, snapshot)) continue
      objects.delete(key)
      changes.push({ type: "DELETED", object: current, previous: current })
    }
    // The list shows the present: a removal it no longer contradicts needs no tombstone.
    for (const key of tombstones.keys()) if (!listed.has(key)) tombstones.delete(key)
    return changes
  }

  return {
    get: (key) => objects.get(cacheKey(key)),
    values: () => objects.values(),
    size: () => objects.size,
    upsert,
    remove,
    evict,
    deleting,
    forget,
    replace,
  }
}
