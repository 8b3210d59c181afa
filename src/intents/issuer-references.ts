// A Certificate's issuerRef must name an issuer that will exist: one declared
// in the intent set and accepted, or one the caller knows is in the cluster.
// When the issuer is in the set, its solvers must be able to prove every
// name: ACME validates wildcards by DNS-01 only, and issues no CA certificates.
import { Result } from "effect"
import type { Certificate } from "../api/certificate.ts"
import { formatPath } from "../api/decode.ts"
import type { ClusterIssuer, Issuer } from "../api/issuer.ts"
import { selectSolver } from "../rules/solver-selection.ts"
import { isCertManagerIssuerRef, isClusterIssuerRef } from "../rules/issuer-refs.ts"
import { type Declaration, type Manifest, rejectAt } from "./decode-document.ts"
import { isWildcard, wildcardBase } from "../rules/dns-names.ts"
import { describeKey, keyOfResource, keyString, type IntentKey, type IntentResource } from "./identity.ts"
import type { Rejection } from "../rules/rejection.ts"

export interface IssuerCatalog {
  /** Issuers declared in the set and accepted, by keyString. */
  readonly accepted: ReadonlyMap<string, Issuer | ClusterIssuer>
  /** Issuers declared in the set and rejected, by keyString: where, for the message. */
  readonly rejected: ReadonlyMap<string, string>
  /** Issuers the caller knows exist in the cluster, by keyString. */
  readonly inCluster: ReadonlyMap<string, IntentKey>
}

const isIssuer = (resource: IntentResource): resource is Issuer | ClusterIssuer => resource.kind !== "Certificate"

/** Built once every other check has run, so that "rejected" is final for issuers. */
export const issuerCatalog = (
  accepted: ReadonlyArray<IntentResource>,
  rejected: ReadonlyArray<Declaration>,
  inCluster: ReadonlyArray<IntentKey>,
): IssuerCatalog => ({
  accepted: new Map(accepted.filter(isIssuer).map((issuer) => [keyString(keyOfResource(issuer)), issuer])),
  // Reversed so that the first declaration of an issuer declared twice is the one named.
  rejected: new Map(
    rejected
      .filter(({ key }) => key.kind !== "Certificate")
      .map(({ key, document }) => [keyString(key), `${document.file}:${document.lineOf("metadata.name")}`] as const)
      .reverse(),
  ),
  inCluster: new Map(inCluster.map((key) => [keyString(key), key])),
})

/** `ClusterIssuer/letsencrypt` or `Issuer/<namespace>/<name>`: how the caller lists issuers that exist in the cluster. */
export const parseIssuerKey = (text: string): Result.Result<IntentKey, string> => {
  const [kind, ...rest] = text.split("/")
  if (rest.every((part) => part !== "")) {
    if (kind === "ClusterIssuer" && rest.length === 1) return Result.succeed({ kind, name: rest[0]! })
    if (kind === "Issuer" && rest.length === 2) return Result.succeed({ kind, namespace: rest[0]!, name: rest[1]! })
  }
  return Result.fail(`"${text}" is not ClusterIssuer/<name> or Issuer/<namespace>/<name>`)
}

/** A likely mix-up behind an unknown issuer: the other kind, or an Issuer in another namespace. */
const hintFor = (wanted: IntentKey, catalog: IssuerCatalog): string => {
  const existing = [...[...catalog.accepted.values()].map(keyOfResource), ...catalog.inCluster.values()].filter((key) => key.name === wanted.name)
  if (wanted.kind === "Issuer" && existing.some((key) => key.kind === "ClusterIssuer")) return "; a ClusterIssuer of that name exists: set issuerRef.kind: ClusterIssuer"
  const elsewhere = existing.find((key) => key.kind === "Issuer")
  return elsewhere === undefined ? "" : `; ${describeKey(elsewhere)} exists, but an Issuer signs for its own namespace only`
}

const issuerKeyOf = (certificate: Certificate): IntentKey => {
  const ref = certificate.spec.issuerRef
  return isClusterIssuerRef(ref)
    ? { kind: "ClusterIssuer", name: ref.name }
    : { kind: "Issuer", namespace: certificate.metadata.namespace ?? "", name: ref.name }
}

const describeSolvers = (issuer: Issuer | ClusterIssuer) =>
  (issuer.spec.acme?.solvers ?? []).length === 0 ? "has no solvers" : "has no dns01 solver whose selector matches it"

/** What the issuer behind a Certificate means for it; ACME solver coverage is checked only for issuers in the set. */
export const checkIssuerReference = ({ resource, document }: Manifest, catalog: IssuerCatalog): ReadonlyArray<Rejection> => {
  if (resource.kind !== "Certificate") return []
  const ref = resource.spec.issuerRef
  // External issuers (another group or kind) sign on their own; certops cannot see them.
  if (!isCertManagerIssuerRef(ref)) return []
  const key = keyOfResource(resource)
  const issuerKey = issuerKeyOf(resource)
  const issuerId = keyString(issuerKey)
  const reject = (rule: "unknown-issuer" | "issuer-rejected" | "wildcard-needs-dns01" | "ca-from-acme", path: string, message: string) =>
    rejectAt(document, key, rule, path, message)

  const rejectedAt = catalog.rejected.get(issuerId)
  if (rejectedAt !== undefined) {
    return [reject("issuer-rejected", "spec.issuerRef.name", `${describeKey(issuerKey)} is rejected (${rejectedAt}); this Certificate waits for it`)]
  }
  const issuer = catalog.accepted.get(issuerId)
  if (issuer === undefined) {
    if (catalog.inCluster.has(issuerId)) return []
    return [
      reject("unknown-issuer", "spec.issuerRef.name",
        `${describeKey(issuerKey)} is declared nowhere: not in this repository, nor among the issuers known to exist in the cluster${hintFor(issuerKey, catalog)}`),
    ]
  }
  const acme = issuer.spec.acme
  if (acme === undefined) return []
  if (resource.spec.isCA === true) {
    return [reject("ca-from-acme", "spec.isCA", `${describeKey(issuerKey)} is an ACME issuer, and ACME servers issue no CA certificates: use a CA or SelfSigned issuer`)]
  }
  const labels = resource.metadata.labels ?? {}
  return (resource.spec.dnsNames ?? []).flatMap((name, index) =>
    isWildcard(name) && selectSolver(acme.solvers ?? [], { name: wildcardBase(name), wildcard: true, offeredTypes: ["dns-01"] }, labels) === undefined
      ? [reject("wildcard-needs-dns01", formatPath(["spec", "dnsNames", index]),
          `"${name}" needs a DNS-01 solver (ACME proves wildcards by DNS-01 only), and ${describeKey(issuerKey)} ${describeSolvers(issuer)}`)]
      : [],
  )
}
