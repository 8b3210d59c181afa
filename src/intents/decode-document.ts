// One YAML document → one intent, or the reasons it is not one: a kind
// certops does not take from Git, or every schema problem at its field.
import { Result } from "effect"
import { annotations } from "../api/annotations.ts"
import type { Ingress } from "../api/core.ts"
import { decodeAs, decodeResource } from "../api/decode.ts"
import { Ingresses } from "../api/kinds.ts"
import { certificatesForIngress } from "../rules/shim-certificates.ts"
import { isIntentKind, keyOfRaw, withDefaultNamespace, type IntentKey, type IntentResource } from "./identity.ts"
import type { Rejection, RejectionRule } from "../rules/rejection.ts"
import type { YamlDocument } from "../manifests/yaml-documents.ts"

/** A decoded intent together with the document it came from, for line lookups in later checks. */
export interface Manifest {
  readonly resource: IntentResource
  readonly document: YamlDocument
}

/** A document that declares an object, decodable or not: a broken copy still makes a duplicate, a broken Issuer still counts as declared. */
export interface Declaration {
  readonly key: IntentKey
  readonly document: YamlDocument
}

export type DecodedDocument =
  | { readonly _tag: "Decoded"; readonly manifest: Manifest }
  /** An Ingress: the Certificates its annotations and tls entries ask for, and the Ingress itself (applied only where the repository manages Ingresses). */
  | { readonly _tag: "Ingress"; readonly ingress: IngressManifest; readonly manifests: ReadonlyArray<Manifest>; readonly rejected: ReadonlyArray<Rejection> }
  | { readonly _tag: "Rejected"; readonly rejected: ReadonlyArray<Rejection> }

/** An Ingress from Git, as written (every field kept, for applying), its namespace defaulted. */
export interface IngressManifest {
  readonly ingress: Ingress
  readonly document: YamlDocument
}

/** A rejection at a field of a document, naming the object when it is known. */
export const rejectAt = (
  document: YamlDocument,
  key: IntentKey | undefined,
  rule: RejectionRule,
  path: string,
  message: string,
): Rejection => ({
  file: document.file,
  documentIndex: document.index,
  line: path === "" ? document.line : document.lineOf(path),
  ...(path === "" ? {} : { path }),
  ...(key === undefined ? {} : { kind: key.kind, name: key.name }),
  ...(key?.namespace === undefined ? {} : { namespace: key.namespace }),
  rule,
  message,
})

const describeKind = (kind: string, apiVersion: unknown) => (typeof apiVersion === "string" ? `${apiVersion} ${kind}` : kind)

export const decodeDocument = (document: YamlDocument, defaultNamespace: string): DecodedDocument => {
  const rejected = (rejections: ReadonlyArray<Rejection>): DecodedDocument => ({ _tag: "Rejected", rejected: rejections })
  const { apiVersion, kind } = (typeof document.value === "object" && document.value !== null ? document.value : {}) as {
    readonly apiVersion?: unknown
    readonly kind?: unknown
  }
  if (kind === "Ingress" && apiVersion === ingressApiVersion) return decodeIngress(document, defaultNamespace)
  // Checked before decoding: a Secret or a Deployment is refused as a whole,
  // without its content being read (a Secret's data is never looked at).
  if (typeof kind === "string" && !isIntentKind(kind)) {
    return rejected([
      rejectAt(document, undefined, "unknown-kind", "kind",
        `${describeKind(kind, apiVersion)} is not taken from Git: certops reads cert-manager.io/v1 Certificate, Issuer and ClusterIssuer, and ${ingressApiVersion} Ingress`),
    ])
  }
  const key = keyOfRaw(document.value, defaultNamespace)
  return Result.match(decodeResource(document.value), {
    onFailure: (issues) => rejected(issues.map((issue) => rejectAt(document, key, "schema", issue.path, issue.message))),
    // The kind check above leaves only Certificate, Issuer and ClusterIssuer to decode successfully.
    onSuccess: (resource) => ({
      _tag: "Decoded",
      manifest: { resource: withDefaultNamespace(resource as IntentResource, defaultNamespace), document },
    }),
  })
}

const ingressApiVersion = "networking.k8s.io/v1"

/**
 * An Ingress read as cert-manager's ingress-shim reads it: only what the shim
 * looks at (metadata and spec.tls) must decode; the rest is the Ingress
 * controller's business and is kept as written. Its Certificates carry
 * their origin; a problem is at the annotation or tls entry's line.
 */
const decodeIngress = (document: YamlDocument, defaultNamespace: string): DecodedDocument => {
  const raw = document.value as { readonly metadata?: unknown; readonly spec?: { readonly tls?: unknown } }
  const shimView = { apiVersion: ingressApiVersion, kind: "Ingress", metadata: raw.metadata, ...(raw.spec?.tls === undefined ? {} : { spec: { tls: raw.spec.tls } }) }
  const decoded = decodeAs(Ingresses)(shimView)
  if (Result.isFailure(decoded)) return { _tag: "Rejected", rejected: decoded.failure.map((issue) => rejectAt(document, undefined, "schema", issue.path, issue.message)) }
  const { namespace, ...metadata } = decoded.success.metadata
  const resolvedNamespace = namespace === undefined || namespace === "" ? defaultNamespace : namespace
  const shimmed = { ...decoded.success, metadata: { ...metadata, namespace: resolvedNamespace } }
  const ingress = { ...(document.value as Ingress), metadata: { ...(document.value as Ingress).metadata, namespace: resolvedNamespace } }
  const origin = `Ingress ${resolvedNamespace}/${metadata.name}`
  const derived = certificatesForIngress(shimmed)
  const manifests = derived.certificates.map((certificate): Manifest => ({
    resource: { ...certificate, metadata: { ...certificate.metadata, annotations: { ...certificate.metadata.annotations, [annotations.origin]: origin } } },
    document,
  }))
  const rejected = derived.problems.map((problem) => rejectAt(document, undefined, "ingress-annotation", problem.path, `${origin}: ${problem.message}`))
  return { _tag: "Ingress", ingress: { ingress, document }, manifests, rejected }
}
