// The ResourceStore over a Kubernetes API server. Writes always go to the
// server, and what it answers is applied to the kind's cache at once. Reads
// and watches of cached kinds are served from the cache; everything else
// goes to the server.
import { Effect, Stream } from "effect"
import type { KubeObject } from "../../api/meta.ts"
import { apiVersionOf, type ResourceType } from "../../api/resource-type.ts"
import { Invalid, NotFound, type Forbidden, type ReadError, type StoreUnavailable, type WriteError } from "../errors.ts"
import { validateObjectKey } from "../object-names.ts"
import type { GetOptions, ObjectKey, ResourceStoreService, WatchEvent } from "../resource-store.ts"
import { toListError, toReadError, toWriteError, type Target } from "./api-errors.ts"
import type { KubeClientService, KubeRequest } from "./client.ts"
import { makeInformer, type Informer, type InformerOptions } from "./informer.ts"
import { makeListWatch } from "./list-watch.ts"
import { collectionPath, objectPath } from "./paths.ts"
import { covers, isEverything, selectionOf } from "./selection.ts"
import { decodeDeleteAnswer, decodeObject } from "./wire.ts"

const mergePatch = "application/merge-patch+json"

const target = (type: ResourceType<any>, key: ObjectKey): Target => ({
  kind: type.kind,
  name: key.name,
  ...(key.namespace === undefined ? {} : { namespace: key.namespace }),
})

/** The object as sent: apiVersion and kind always those of the descriptor. */
const withKind = (type: ResourceType<any>, object: KubeObject): KubeObject => ({ ...object, apiVersion: apiVersionOf(type), kind: type.kind })

const requireResourceVersion = (type: ResourceType<any>, object: KubeObject, key: ObjectKey) =>
  object.metadata.resourceVersion === undefined || object.metadata.resourceVersion === ""
    ? Effect.fail(new Invalid({ ...target(type, key), detail: "metadata.resourceVersion must be specified for an update" }))
    : Effect.void

/** A key checked as a name would be on create: writes to a malformed one are Invalid, not a stray URL. */
const validKey = (type: ResourceType<any>, key: ObjectKey) =>
  validateObjectKey(type, { name: key.name, ...(key.namespace === undefined ? {} : { namespace: key.namespace }) })

export const makeKubernetesStore = (
  client: KubeClientService,
  /** The informer caching a kind, if it is cached. */
  informerOf: (type: ResourceType<any>) => Informer | undefined,
  /** For the informer that a watch no cache covers runs for itself. */
  informerOptions: (type: ResourceType<any>) => InformerOptions = () => ({}),
): ResourceStoreService => {
  /** Sends a write, reads the object back, and puts it into the kind's cache before anyone reads. */
  const write = <A extends KubeObject>(operation: string, type: ResourceType<A>, key: ObjectKey, request: KubeRequest): Effect.Effect<A, WriteError> =>
    client.request(request).pipe(
      Effect.flatMap((body) => decodeObject(type, body)),
      Effect.mapError((error) => toWriteError(`${operation} ${type.kind}`, target(type, key), error)),
      Effect.tap((stored) => informerOf(type)?.written(stored) ?? Effect.void),
    )

  const get = <A extends KubeObject>(type: ResourceType<A>, key: ObjectKey, options?: GetOptions): Effect.Effect<A, ReadError> =>
    Effect.gen(function* () {
      const informer = options?.fresh === true ? undefined : informerOf(type)
      if (informer !== undefined) {
        yield* informer.synced
        const cached = informer.get(key)
        if (cached !== undefined) return cached as A
        // A cache of the whole kind knows every object; one of managed Secrets does not.
        if (isEverything(informer.scope) || options?.cachedOnly === true) return yield* new NotFound(target(type, key))
      }
      if (type.namespaced && key.namespace === undefined) return yield* new NotFound(target(type, key))
      return yield* client.request({ method: "GET", path: objectPath(type, key) }).pipe(
        Effect.flatMap((body) => decodeObject(type, body)),
        Effect.mapError((error) => toReadError(`get ${type.kind}`, target(type, key), error)),
      )
    })

  const list: ResourceStoreService["list"] = (type, options) =>
    Effect.gen(function* () {
      const selection = yield* selectionOf(options)
      const informer = informerOf(type)
      if (informer !== undefined && covers(informer.scope, selection)) {
        yield* informer.synced
        return informer.list(selection) as ReadonlyArray<never>
      }
      const listed = yield* makeListWatch(client, type, selection).list.pipe(Effect.mapError((error) => toListError(`list ${type.kind}`, error)))
      return listed.items as ReadonlyArray<never>
    })

  const create: ResourceStoreService["create"] = (type, object) =>
    Effect.gen(function* () {
      const key = yield* validateObjectKey(type, object.metadata)
      // The API server refuses a resourceVersion on create; the other backends ignore it.
      const { resourceVersion: _ignored, ...metadata } = object.metadata
      const body = { ...withKind(type, object), metadata: { ...metadata, ...key } }
      return yield* write("create", type, key, { method: "POST", path: collectionPath(type, key.namespace), body })
    })

  const update: ResourceStoreService["update"] = (type, object) =>
    Effect.gen(function* () {
      const key = yield* validateObjectKey(type, object.metadata)
      // The API server would take an update without one for some kinds (Secrets) as "whatever is there now".
      yield* requireResourceVersion(type, object, key)
      return yield* write("update", type, key, { method: "PUT", path: objectPath(type, key), body: withKind(type, object) })
    })

  const updateStatus: ResourceStoreService["updateStatus"] = (type, object) =>
    Effect.gen(function* () {
      const key = yield* validateObjectKey(type, object.metadata)
      if (!type.statusSubresource) return yield* new Invalid({ ...target(type, key), detail: `${type.kind} has no status subresource: use update` })
      yield* requireResourceVersion(type, object, key)
      return yield* write("update status of", type, key, { method: "PUT", path: objectPath(type, key, "status"), body: withKind(type, object) })
    })

  const patch: ResourceStoreService["patch"] = (type, objectKey, body, options) =>
    Effect.gen(function* () {
      const key = yield* validKey(type, objectKey)
      const path = objectPath(type, key, options?.subresource)
      return yield* write("patch", type, key, { method: "PATCH", path, body, contentType: mergePatch })
    })

  const remove: ResourceStoreService["delete"] = (type, objectKey, options) =>
    Effect.gen(function* () {
      const key = yield* validKey(type, objectKey)
      const precondition = options?.resourceVersion
      const body = precondition === undefined ? undefined : { apiVersion: "v1", kind: "DeleteOptions", preconditions: { resourceVersion: precondition } }
      const answer = yield* client.request({ method: "DELETE", path: objectPath(type, key), body }).pipe(
        Effect.flatMap((answer) => decodeDeleteAnswer(type, answer)),
        Effect.mapError((error) => toWriteError(`delete ${type.kind}`, target(type, key), error)),
      )
      const informer = informerOf(type)
      if (informer === undefined) return
      if (answer.deleted) yield* informer.deleted(key, answer.uid)
      else yield* informer.written(answer.object)
    })

  const watch = <A extends KubeObject>(type: ResourceType<A>, options?: Parameters<ResourceStoreService["watch"]>[1]) =>
    Stream.unwrap(
      Effect.gen(function* () {
        const selection = yield* selectionOf(options)
        const informer = informerOf(type)
        if (informer !== undefined && covers(informer.scope, selection)) return informer.changes(selection)
        // Outside every cache: an informer of just this selection, for as long as the stream runs.
        const own = yield* makeInformer(makeListWatch(client, type, selection), informerOptions(type))
        return own.changes(selection)
      }),
    ) as Stream.Stream<WatchEvent<A>, StoreUnavailable | Forbidden>

  return { get, list, create, update, updateStatus, patch, delete: remove, watch }
}
