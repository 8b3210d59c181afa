// One YAML document → one intent, or the reasons it is not one: a kind
// certops does not take from Git, or every schema problem at its field.
import { Result } from "effect"
import { decodeResource } from "../api/decode.ts"
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
  | { readonly _tag: "Rejected"; readonly rejected: ReadonlyArray<Rejection> }

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
  // Checked before decoding: a Secret or a Deployment is refused as a whole,
  // without its content being read (a Secret's data is never looked at).
  if (typeof kind === "string" && !isIntentKind(kind)) {
    return rejected([
      rejectAt(document, undefined, "unknown-kind", "kind",
        `${describeKind(kind, apiVersion)} is not taken from Git: certops reads cert-manager.io/v1 Certificate, Issuer and ClusterIssuer only`),
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
