// What the API server does to an object on each write, reproduced for the
// backends that have no API server: versions, uid, generation, status rules.
import type { KubeObject, ObjectMeta } from "../api/meta.ts"
import { apiVersionOf, type ResourceType } from "../api/resource-type.ts"

type Loose = KubeObject & { readonly status?: unknown; readonly [field: string]: unknown }

const loose = (object: KubeObject): Loose => object as unknown as Loose

/** Everything but metadata and status: what a change to bumps `generation`. */
const specOf = (object: Loose): Record<string, unknown> => {
  const { metadata: _metadata, status: _status, ...rest } = object
  return rest
}

/** Structural equality for JSON data (key order does not matter). */
export const jsonEqual = (left: unknown, right: unknown): boolean => {
  if (left === right) return true
  if (typeof left !== "object" || typeof right !== "object" || left === null || right === null) return false
  if (Array.isArray(left) !== Array.isArray(right)) return false
  const leftKeys = Object.keys(left).filter((key) => (left as Record<string, unknown>)[key] !== undefined)
  const rightKeys = Object.keys(right).filter((key) => (right as Record<string, unknown>)[key] !== undefined)
  return (
    leftKeys.length === rightKeys.length &&
    leftKeys.every((key) => jsonEqual((left as Record<string, unknown>)[key], (right as Record<string, unknown>)[key]))
  )
}

/** Kubernetes timestamps have second precision. */
export const timestamp = (millis: number): string => new Date(Math.floor(millis / 1000) * 1000).toISOString().replace(".000Z", "Z")

export const withMeta = <A extends KubeObject>(object: A, meta: Partial<ObjectMeta>): A =>
  ({ ...object, metadata: { ...object.metadata, ...meta } }) as A

/** The object as created: server fields set, status dropped when it is a subresource. */
export const created = <A extends KubeObject>(
  type: ResourceType<A>,
  object: A,
  server: { readonly uid: string; readonly resourceVersion: string; readonly now: number },
): A => {
  const { status: _status, ...withoutStatus } = loose(object)
  const base = (type.statusSubresource ? withoutStatus : object) as A
  return {
    ...base,
    apiVersion: apiVersionOf(type),
    kind: type.kind,
    metadata: {
      ...object.metadata,
      uid: server.uid,
      resourceVersion: server.resourceVersion,
      creationTimestamp: timestamp(server.now),
      ...(type.statusSubresource ? { generation: 1 } : {}),
    },
  }
}

/**
 * The object after an update of metadata and spec, or undefined when nothing
 * changed (the API server then keeps the resourceVersion and sends no event).
 */
export const updated = <A extends KubeObject>(
  type: ResourceType<A>,
  existing: A,
  incoming: A,
  resourceVersion: string,
): A | undefined => {
  const current = loose(existing)
  const next = loose(incoming)
  const specChanged = !jsonEqual(specOf(current), specOf(next))
  const metadata: ObjectMeta = {
    ...incoming.metadata,
    name: existing.metadata.name,
    ...(existing.metadata.namespace === undefined ? {} : { namespace: existing.metadata.namespace }),
    ...(existing.metadata.uid === undefined ? {} : { uid: existing.metadata.uid }),
    ...(existing.metadata.creationTimestamp === undefined ? {} : { creationTimestamp: existing.metadata.creationTimestamp }),
    ...(existing.metadata.generation === undefined
      ? {}
      : { generation: existing.metadata.generation + (specChanged ? 1 : 0) }),
    resourceVersion: existing.metadata.resourceVersion ?? "",
  }
  const { status: incomingStatus, ...incomingRest } = next
  const status = type.statusSubresource ? current.status : incomingStatus
  const candidate = {
    ...incomingRest,
    apiVersion: existing.apiVersion,
    kind: existing.kind,
    metadata,
    ...(status === undefined ? {} : { status }),
  } as unknown as A
  if (jsonEqual(candidate, existing)) return undefined
  return withMeta(candidate, { resourceVersion })
}

/** The object after a status write, or undefined when the status is unchanged. */
export const statusUpdated = <A extends KubeObject>(existing: A, status: unknown, resourceVersion: string): A | undefined => {
  const current = loose(existing)
  if (jsonEqual(current.status, status)) return undefined
  const { status: _old, ...rest } = current
  return { ...rest, ...(status === undefined ? {} : { status }), metadata: { ...existing.metadata, resourceVersion } } as unknown as A
}
