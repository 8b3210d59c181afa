// The API server's JSON as the store reads it: objects, lists, watch events
// and DELETE answers, checked at the edge and made uniform.
import { Effect, Schema } from "effect"
import type { KubeObject } from "../../api/meta.ts"
import { apiVersionOf, type ResourceType } from "../../api/resource-type.ts"
import { apiErrorFromStatus, KubeApiError } from "./api-errors.ts"

const WireObject = Schema.Struct({
  metadata: Schema.Struct({ name: Schema.String, resourceVersion: Schema.optionalKey(Schema.String) }),
})
const isWireObject = Schema.is(WireObject)

const WireList = Schema.Struct({
  metadata: Schema.Struct({ resourceVersion: Schema.String, continue: Schema.optionalKey(Schema.String) }),
  items: Schema.Array(Schema.Unknown),
})
const decodeWireList = Schema.decodeUnknownOption(WireList)

const WireWatchEvent = Schema.Struct({
  type: Schema.Literals(["ADDED", "MODIFIED", "DELETED", "BOOKMARK", "ERROR"]),
  object: Schema.Unknown,
})
const decodeWireWatchEvent = Schema.decodeUnknownOption(WireWatchEvent)

/** A bookmark's object carries only its kind and a resourceVersion. */
const WireBookmark = Schema.Struct({ metadata: Schema.Struct({ resourceVersion: Schema.String }) })
const decodeWireBookmark = Schema.decodeUnknownOption(WireBookmark)

/** A 2xx answer (or watch line) the store cannot read: a server bug or a proxy in the way, not worth retrying at once. */
const malformed = (what: string, value: unknown) =>
  new KubeApiError({ status: 200, reason: "MalformedResponse", detail: `${what}: ${JSON.stringify(value)?.slice(0, 200)}` })

/**
 * The object as the store hands it out. List items come without apiVersion
 * and kind, so those are filled in. managedFields are dropped: nothing in
 * certops reads them, they are often most of an object's size, and an update
 * without them leaves the server's copy untouched.
 */
export const normalize = <A extends KubeObject>(type: ResourceType<A>, object: KubeObject): A => {
  const { managedFields: _managedFields, ...metadata } = object.metadata
  return { ...object, apiVersion: apiVersionOf(type), kind: type.kind, metadata } as unknown as A
}

export const decodeObject = <A extends KubeObject>(type: ResourceType<A>, value: unknown): Effect.Effect<A, KubeApiError> =>
  isWireObject(value) ? Effect.succeed(normalize(type, value as unknown as KubeObject)) : Effect.fail(malformed(`not a ${type.kind}`, value))

export interface ListPage {
  readonly items: ReadonlyArray<KubeObject>
  readonly resourceVersion: string
  /** Set when more pages follow. */
  readonly continue?: string
}

export const decodeListPage = (type: ResourceType<any>, value: unknown): Effect.Effect<ListPage, KubeApiError> =>
  Effect.gen(function* () {
    const list = decodeWireList(value)
    if (list._tag === "None") return yield* malformed(`not a ${type.kind} list`, value)
    const items = yield* Effect.forEach(list.value.items, (item) => decodeObject(type, item))
    const next = list.value.metadata.continue
    return { items, resourceVersion: list.value.metadata.resourceVersion, ...(next === undefined || next === "" ? {} : { continue: next }) }
  })

export type WatchMessage =
  | { readonly type: "ADDED" | "MODIFIED" | "DELETED"; readonly object: KubeObject }
  /** Progress without a change: resume from here next time. */
  | { readonly type: "BOOKMARK"; readonly resourceVersion: string }

/** One line of a watch; an ERROR event (a 410 among them) fails with its Status. */
export const decodeWatchMessage = (type: ResourceType<any>, value: unknown): Effect.Effect<WatchMessage, KubeApiError> =>
  Effect.gen(function* () {
    const event = decodeWireWatchEvent(value)
    if (event._tag === "None") return yield* malformed("not a watch event", value)
    const { type: eventType, object } = event.value
    switch (eventType) {
      case "ERROR":
        return yield* apiErrorFromStatus(object)
      case "BOOKMARK": {
        const bookmark = decodeWireBookmark(object)
        if (bookmark._tag === "None") return yield* malformed("a bookmark without resourceVersion", value)
        return { type: "BOOKMARK", resourceVersion: bookmark.value.metadata.resourceVersion }
      }
      default:
        return { type: eventType, object: yield* decodeObject(type, object) }
    }
  })

export type DeleteAnswer =
  /** Gone; the uid says which object it was. */
  | { readonly deleted: true; readonly uid?: string }
  /** Still there with a deletionTimestamp, waiting for finalizers. */
  | { readonly deleted: false; readonly object: KubeObject }

const DeletedStatus = Schema.Struct({
  kind: Schema.Literal("Status"),
  details: Schema.optionalKey(Schema.Struct({ uid: Schema.optionalKey(Schema.String) })),
})
const decodeDeletedStatus = Schema.decodeUnknownOption(DeletedStatus)

/** A DELETE answers with a Status when the object is gone, with the object when it lingers. */
export const decodeDeleteAnswer = (type: ResourceType<any>, value: unknown): Effect.Effect<DeleteAnswer, KubeApiError> =>
  Effect.gen(function* () {
    const status = decodeDeletedStatus(value)
    if (status._tag === "Some") {
      const uid = status.value.details?.uid
      return { deleted: true, ...(uid === undefined ? {} : { uid }) }
    }
    const object = yield* decodeObject(type, value)
    if (object.metadata.deletionTimestamp !== undefined) return { deleted: false, object }
    // Older servers answered with the deleted object itself.
    return { deleted: true, ...(object.metadata.uid === undefined ? {} : { uid: object.metadata.uid }) }
  })
