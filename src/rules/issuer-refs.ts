// What an issuerRef means, as cert-manager reads it: which kind it names,
// whether certops serves it, and how messages name it.
import type { IssuerRef } from "../api/references.ts"

export const isClusterIssuerRef = (ref: IssuerRef): boolean => ref.kind === "ClusterIssuer"

/** The issuer kinds certops serves; anything else belongs to an external issuer. */
export const isCertManagerIssuerRef = (ref: IssuerRef): boolean =>
  (ref.group === undefined || ref.group === "" || ref.group === "cert-manager.io") &&
  (ref.kind === undefined || ref.kind === "" || ref.kind === "Issuer" || ref.kind === "ClusterIssuer")

export const describeIssuerRef = (ref: IssuerRef, namespace: string): string =>
  isClusterIssuerRef(ref) ? `ClusterIssuer ${ref.name}` : `Issuer ${namespace}/${ref.name}`
