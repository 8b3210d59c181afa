// The ResourceStore service: the one interface every controller reads and
// writes resources through, whichever backend holds them (DESIGN.md §5).
import { Context, type Effect, type Stream } from "effect"
import type { KubeObject } from "../api/meta.ts"
import type { ResourceType } from "../api/resource-type.ts"
import type { Forbidden, ReadError, StoreUnavailable, WriteError } from "./errors.ts"

export interface ObjectKey {
  /** Omitted for cluster-scoped kinds. */
  readonly namespace?: string
  readonly name: string
}

export interface ListOptions {
  /** Omitted: all namespaces. */
  readonly namespace?: string
  /** A Kubernetes label selector: `a=b,c!=d,e in (f,g),!h`. */
  readonly labelSelector?: string
}

export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED"

export interface WatchEvent<A> {
  readonly type: WatchEventType
  readonly object: A
}

/** A JSON merge patch (RFC 7386); `null` removes a field. */
export type MergePatch = { readonly [key: string]: unknown }

export interface GetOptions {
  /**
   * Read from the store itself, past any cache: for the data a cache leaves
   * out (a Secret's), or where only the newest version will do.
   */
  readonly fresh?: boolean
  /**
   * Answer from the cache alone: an object the cache does not hold is
   * NotFound, even where the cache holds only some of a kind (Secrets).
   */
  readonly cachedOnly?: boolean
}

export interface PatchOptions {
  readonly subresource?: "status"
}

export interface DeleteOptions {
  /** Delete only if the object is still at this version. */
  readonly resourceVersion?: string
}

export interface ResourceStoreService {
  readonly get: <A extends KubeObject>(type: ResourceType<A>, key: ObjectKey, options?: GetOptions) => Effect.Effect<A, ReadError>
  readonly list: <A extends KubeObject>(
    type: ResourceType<A>,
    options?: ListOptions,
  ) => Effect.Effect<ReadonlyArray<A>, StoreUnavailable | Forbidden>
  /** Creates; the store sets uid, resourceVersion, generation, creationTimestamp. */
  readonly create: <A extends KubeObject>(type: ResourceType<A>, object: A) => Effect.Effect<A, WriteError>
  /**
   * Replaces metadata and spec (and everything but status when status is a
   * subresource). `metadata.resourceVersion` is required: a stale one fails
   * with Conflict.
   */
  readonly update: <A extends KubeObject>(type: ResourceType<A>, object: A) => Effect.Effect<A, WriteError>
  /** Replaces status only, with the same concurrency rule as update. */
  readonly updateStatus: <A extends KubeObject>(type: ResourceType<A>, object: A) => Effect.Effect<A, WriteError>
  /** Applies a merge patch; a `metadata.resourceVersion` in it is a precondition. */
  readonly patch: <A extends KubeObject>(
    type: ResourceType<A>,
    key: ObjectKey,
    patch: MergePatch,
    options?: PatchOptions,
  ) => Effect.Effect<A, WriteError>
  readonly delete: <A extends KubeObject>(
    type: ResourceType<A>,
    key: ObjectKey,
    options?: DeleteOptions,
  ) => Effect.Effect<void, WriteError>
  /**
   * The objects that match, first as ADDED each, then every change in the
   * order the store made it. Runs until interrupted.
   */
  readonly watch: <A extends KubeObject>(
    type: ResourceType<A>,
    options?: ListOptions,
  ) => Stream.Stream<WatchEvent<A>, StoreUnavailable | Forbidden>
}

export class ResourceStore extends Context.Service<ResourceStore, ResourceStoreService>()("certops/store/ResourceStore") {}

export const keyOf = (object: KubeObject): ObjectKey =>
  object.metadata.namespace === undefined
    ? { name: object.metadata.name }
    : { namespace: object.metadata.namespace, name: object.metadata.name }
