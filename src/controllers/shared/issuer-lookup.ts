// Resolving an issuerRef the way cert-manager does: an Issuer in the
// object's namespace unless the kind is ClusterIssuer.
import { Effect } from "effect"
import type { ClusterIssuer, Issuer } from "../../api/issuer.ts"
import { ClusterIssuers, Issuers } from "../../api/kinds.ts"
import type { IssuerRef } from "../../api/references.ts"
import { IssuanceSettings } from "../../daemon/issuance-settings.ts"
import type { ReadError } from "../../store/errors.ts"
import { ResourceStore } from "../../store/resource-store.ts"

export type AnyIssuer = Issuer | ClusterIssuer

export const isClusterIssuerRef = (ref: IssuerRef): boolean => ref.kind === "ClusterIssuer"

/** The issuer kinds certops serves; anything else belongs to an external issuer. */
export const isCertManagerIssuerRef = (ref: IssuerRef): boolean =>
  (ref.group === undefined || ref.group === "" || ref.group === "cert-manager.io") &&
  (ref.kind === undefined || ref.kind === "" || ref.kind === "Issuer" || ref.kind === "ClusterIssuer")

export const describeIssuerRef = (ref: IssuerRef, namespace: string): string =>
  isClusterIssuerRef(ref) ? `ClusterIssuer ${ref.name}` : `Issuer ${namespace}/${ref.name}`

export const getIssuer = (ref: IssuerRef, namespace: string): Effect.Effect<AnyIssuer, ReadError, ResourceStore> =>
  ResourceStore.use((store): Effect.Effect<AnyIssuer, ReadError> =>
    isClusterIssuerRef(ref) ? store.get(ClusterIssuers, { name: ref.name }) : store.get(Issuers, { namespace, name: ref.name }),
  )

/** Where an issuer's Secrets live: its own namespace, or the cluster resource namespace. */
export const issuerSecretNamespace = (issuer: AnyIssuer): Effect.Effect<string> =>
  issuer.kind === "ClusterIssuer"
    ? Effect.map(IssuanceSettings, (settings) => settings.clusterResourceNamespace)
    : Effect.succeed(issuer.metadata.namespace ?? "default")
