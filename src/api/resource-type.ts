// How the store addresses a kind: its group, version, plural and scope.
import type { KubeObject } from "./meta.ts"

export interface ResourceType<A extends KubeObject = KubeObject> {
  /** "" for the core group (Secret, Event). */
  readonly group: string
  readonly version: string
  readonly kind: string
  readonly plural: string
  readonly namespaced: boolean
  /** Whether status is a subresource, written only through updateStatus. */
  readonly statusSubresource: boolean
  /** Type-level only: the object type this descriptor stands for. */
  readonly _A?: (_: A) => A
}

export const apiVersionOf = (type: ResourceType<any>): string =>
  type.group === "" ? type.version : `${type.group}/${type.version}`

/** `plural.group` as in CRD names and RBAC rules, or the plural for core kinds. */
export const qualifiedPlural = (type: ResourceType<any>): string =>
  type.group === "" ? type.plural : `${type.plural}.${type.group}`

export const resourceType = <A extends KubeObject>(descriptor: Omit<ResourceType<A>, "_A">): ResourceType<A> => descriptor
