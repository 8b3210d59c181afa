// Files from a Git tree or a working directory → the validated, policy-checked
// intent set: what may be applied, and why everything else may not. Every
// check runs on everything it can, so one bad file or document never hides
// the problems of another, nor blocks an unrelated intent.
import { loadPolicies, type Policy } from "../policy/load-policies.ts"
import type { Ingress } from "../api/core.ts"
import { type Declaration, decodeDocument, type IngressManifest, type Manifest } from "./decode-document.ts"
import { findDuplicateObjects, findSharedSecrets } from "./duplicates.ts"
import { keyOfRaw, keyOfResource, type IntentKey, type IntentResource } from "./identity.ts"
import { checkIssuerReference, issuerCatalog } from "./issuer-references.ts"
import { checkPolicies } from "./policy-checks.ts"
import { checkSpec } from "./spec-checks.ts"
import { admissionWarnings, checkAdmission } from "./admission-checks.ts"
import { compareRejections, type Rejection } from "../rules/rejection.ts"
import { admitFile, defaultMaxFileBytes, routeFile, type SourceFile } from "../manifests/source-file.ts"
import { parseYamlFile, type YamlDocument } from "../manifests/yaml-documents.ts"

export interface IntentSource {
  readonly file: string
  /** 0-based position in the file's YAML stream. */
  readonly documentIndex: number
  /** 1-based line where the document starts. */
  readonly line: number
}

/** An accepted intent: the resource to apply (namespace defaulted) and where it was declared. */
export interface Intent {
  readonly resource: IntentResource
  readonly source: IntentSource
}

export interface IntentSet {
  readonly accepted: ReadonlyArray<Intent>
  /** Sorted by file, document and line. */
  readonly rejected: ReadonlyArray<Rejection>
  /** What holds nothing back but should be fixed (deprecated fields), sorted the same way. */
  readonly warnings: ReadonlyArray<Rejection>
  /** The policies that loaded: the shipped ones, then the repository's. The approver judges CertificateRequests by them. */
  readonly policies: ReadonlyArray<Policy>
  /** Ingresses declared in Git whose document has no problem; applied where the repository manages Ingresses. Their Certificates are in `accepted`. */
  readonly ingresses: ReadonlyArray<IngressIntent>
}

export interface IngressIntent {
  readonly resource: Ingress
  readonly source: IntentSource
}

export interface IntentSetOptions {
  /** The tracked directory, repository-relative; "" (the default) for the root. Files elsewhere are rejected. */
  readonly directory?: string
  /** Where the repository keeps its own policy files, repository-relative. */
  readonly policyDirectory?: string
  /** The operator's policies (certops ships policies/), applied before the repository's own. */
  readonly defaultPolicies?: ReadonlyArray<SourceFile>
  /** For namespaced intents that name no namespace. */
  readonly defaultNamespace?: string
  /** Issuers that exist in the cluster without being declared in Git. */
  readonly knownIssuers?: ReadonlyArray<IntentKey>
  readonly maxFileBytes?: number
}

export const defaultPolicyDirectory = ".certops/policies"
export const defaultNamespace = "default"

const documentId = (file: string, index: number | undefined) => `${file}#${index ?? ""}`

/** Whether any of `rejections` concerns a document: an intent is accepted only with none. */
const isRejectedIn = (rejections: ReadonlyArray<Rejection>) => {
  const ids = new Set(rejections.map((rejection) => documentId(rejection.file, rejection.documentIndex)))
  return (document: YamlDocument) => ids.has(documentId(document.file, document.index))
}

const toIntent = ({ resource, document }: Manifest): Intent => ({
  resource,
  source: { file: document.file, documentIndex: document.index, line: document.line },
})

export const buildIntentSet = (files: ReadonlyArray<SourceFile>, options: IntentSetOptions = {}): IntentSet => {
  const layout = { directory: options.directory ?? "", policyDirectory: options.policyDirectory ?? defaultPolicyDirectory }
  const namespace = options.defaultNamespace ?? defaultNamespace
  const maxFileBytes = options.maxFileBytes ?? defaultMaxFileBytes
  const rejected: Array<Rejection> = []

  const intentFiles: Array<SourceFile> = []
  const policyFiles: Array<SourceFile> = []
  for (const file of files) {
    const route = routeFile(file.path, layout)
    if (typeof route === "object") rejected.push(route)
    else if (route === "intent") intentFiles.push(file)
    else if (route === "policy") policyFiles.push(file)
  }

  const policySet = loadPolicies([...(options.defaultPolicies ?? []), ...policyFiles], maxFileBytes)
  rejected.push(...policySet.rejected)

  // Each document on its own: decoded intents, and every declared identity,
  // decodable or not, for the checks across documents.
  const manifests: Array<Manifest> = []
  const declarations: Array<Declaration> = []
  const ingresses: Array<IngressManifest> = []
  for (const file of intentFiles) {
    const refused = admitFile(file, maxFileBytes)
    if (refused !== undefined) {
      rejected.push(refused)
      continue
    }
    const parsed = parseYamlFile(file)
    rejected.push(...parsed.rejected)
    for (const document of parsed.documents) {
      const decoded = decodeDocument(document, namespace)
      if (decoded._tag === "Decoded") {
        manifests.push(decoded.manifest)
        declarations.push({ key: keyOfResource(decoded.manifest.resource), document })
      } else if (decoded._tag === "Ingress") {
        ingresses.push(decoded.ingress)
        rejected.push(...decoded.rejected)
        for (const manifest of decoded.manifests) {
          manifests.push(manifest)
          declarations.push({ key: keyOfResource(manifest.resource), document })
        }
      } else {
        rejected.push(...decoded.rejected)
        const key = keyOfRaw(document.value, namespace)
        if (key !== undefined) declarations.push({ key, document })
      }
    }
  }

  for (const manifest of manifests) rejected.push(...checkSpec(manifest), ...checkAdmission(manifest), ...checkPolicies(manifest, policySet))
  rejected.push(...findDuplicateObjects(declarations), ...findSharedSecrets(manifests))

  // Issuer references last: only now is it settled which issuers are rejected,
  // and a Certificate depending on a rejected one is held back with it.
  const settled = isRejectedIn(rejected)
  const catalog = issuerCatalog(
    manifests.filter(({ document }) => !settled(document)).map(({ resource }) => resource),
    declarations.filter(({ document }) => settled(document)),
    options.knownIssuers ?? [],
  )
  for (const manifest of manifests) rejected.push(...checkIssuerReference(manifest, catalog))

  const isRejected = isRejectedIn(rejected)
  return {
    accepted: manifests.filter(({ document }) => !isRejected(document)).map(toIntent),
    rejected: rejected.sort(compareRejections),
    warnings: manifests.flatMap(admissionWarnings).sort(compareRejections),
    policies: policySet.policies,
    ingresses: ingresses
      .filter(({ document }) => !isRejected(document))
      .map(({ ingress, document }) => ({ resource: ingress, source: { file: document.file, documentIndex: document.index, line: document.line } })),
  }
}
