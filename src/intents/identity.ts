// Which object a document declares: kind, namespace and name, with the
// namespace defaulted the way `kubectl apply -n <default>` would. Read from
// decoded intents and, best effort, from documents that failed to decode, so
// that a broken Issuer still counts as declared.
import type { Certificate } from "../api/certificate.ts"
import type { ClusterIssuer, Issuer } from "../api/issuer.ts"

/** The kinds certops takes from Git. */
export const intentKinds = ["Certificate", "Issuer", "ClusterIssuer"] as const
export type IntentKind = (typeof intentKinds)[number]
export type IntentResource = Certificate | Issuer | ClusterIssuer

export const isIntentKind = (kind: unknown): kind is IntentKind => intentKinds.includes(kind as IntentKind)

export interface IntentKey {
  readonly kind: IntentKind
  /** Absent for ClusterIssuers. */
  readonly namespace?: string
  readonly name: string
}

export const isNamespaced = (kind: IntentKind): boolean => kind !== "ClusterIssuer"

/** `Certificate web/example-com`, `ClusterIssuer letsencrypt`: how messages name objects. */
export const describeKey = (key: IntentKey): string =>
  key.namespace === undefined ? `${key.kind} ${key.name}` : `${key.kind} ${key.namespace}/${key.name}`

/** A map key; equal for the same object whatever file declares it. */
export const keyString = (key: IntentKey): string => `${key.kind}/${key.namespace ?? ""}/${key.name}`

/** The namespace an object of this kind lands in: its own, else the default; none for cluster-scoped kinds. */
export const namespaceFor = (kind: IntentKind, declared: string | undefined, defaultNamespace: string): string | undefined =>
  !isNamespaced(kind) ? undefined : declared === undefined || declared === "" ? defaultNamespace : declared

export const keyOfResource = (resource: IntentResource): IntentKey => {
  const namespace = resource.metadata.namespace
  return namespace === undefined ? { kind: resource.kind, name: resource.metadata.name } : { kind: resource.kind, namespace, name: resource.metadata.name }
}

/**
 * The identity an undecodable document declares, when its kind and name can
 * still be read; undefined when they cannot.
 */
export const keyOfRaw = (value: unknown, defaultNamespace: string): IntentKey | undefined => {
  if (typeof value !== "object" || value === null) return undefined
  const { kind, metadata } = value as { readonly kind?: unknown; readonly metadata?: unknown }
  if (!isIntentKind(kind) || typeof metadata !== "object" || metadata === null) return undefined
  const { name, namespace } = metadata as { readonly name?: unknown; readonly namespace?: unknown }
  if (typeof name !== "string" || name === "") return undefined
  const resolved = namespaceFor(kind, typeof namespace === "string" ? namespace : undefined, defaultNamespace)
  return resolved === undefined ? { kind, name } : { kind, namespace: resolved, name }
}

/**
 * The resource as it will be applied: a namespaced kind gets the default
 * namespace when it names none, and a cluster-scoped kind loses a namespace
 * it should not have (the API server would drop it too).
 */
export const withDefaultNamespace = <R extends IntentResource>(resource: R, defaultNamespace: string): R => {
  const { namespace, ...metadata } = resource.metadata
  const resolved = namespaceFor(resource.kind, namespace, defaultNamespace)
  return { ...resource, metadata: resolved === undefined ? metadata : { ...metadata, namespace: resolved } }
}
