// Owner references and deterministic child names. Children are named from
// their parent and content so that creating one twice (after a crash, or on a
// second replica) finds the first instead of making another.
import { createHash } from "node:crypto"
import type { KubeObject, OwnerReference } from "../../api/meta.ts"

export const controllerReference = (owner: KubeObject): OwnerReference => ({
  apiVersion: owner.apiVersion,
  kind: owner.kind,
  name: owner.metadata.name,
  uid: owner.metadata.uid ?? "",
  controller: true,
  blockOwnerDeletion: true,
})

export const isControlledBy = (object: KubeObject, owner: KubeObject): boolean =>
  object.metadata.ownerReferences?.some((reference) => reference.controller === true && reference.uid === owner.metadata.uid) ?? false

/** The controlling owner of an object, if it has one of the given kind. */
export const controllerOf = (object: KubeObject, kind: string): { readonly name: string; readonly uid: string } | undefined => {
  const reference = object.metadata.ownerReferences?.find((candidate) => candidate.controller === true && candidate.kind === kind)
  return reference === undefined ? undefined : { name: reference.name, uid: reference.uid }
}

/** A short decimal hash (cert-manager names Orders `<request>-<hash>` the same way). */
export const contentHash = (...parts: ReadonlyArray<string>): string =>
  String(createHash("sha256").update(parts.join("\u0000")).digest().readUInt32BE(0))

/** `<base>-<suffix>`, shortening the base so the name stays within Kubernetes' 253 characters. */
export const childName = (base: string, suffix: string): string => `${base.slice(0, 252 - suffix.length).replace(/[-.]+$/, "")}-${suffix}`
