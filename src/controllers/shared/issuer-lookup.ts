// Reading the issuer an issuerRef names, the way cert-manager resolves it:
// an Issuer in the object's namespace unless the kind is ClusterIssuer.
import { Effect } from "effect"
import type { ClusterIssuer, Issuer } from "../../api/issuer.ts"
import { ClusterIssuers, Issuers } from "../../api/kinds.ts"
import type { IssuerRef } from "../../api/references.ts"
import { isClusterIssuerRef } from "../../rules/issuer-refs.ts"
import { IssuanceSettings } from "../../settings/issuance-settings.ts"
import type { ReadError } from "../../store/errors.ts"
import { ResourceStore } from "../../store/resource-store.ts"

export type AnyIssuer = Issuer | ClusterIssuer

export const getIssuer = (ref: IssuerRef, namespace: string): Effect.Effect<AnyIssuer, ReadError, ResourceStore> =>
  ResourceStore.use((store): Effect.Effect<AnyIssuer, ReadError> =>
    isClusterIssuerRef(ref) ? store.get(ClusterIssuers, { name: ref.name }) : store.get(Issuers, { namespace, name: ref.name }),
  )

/** Where an issuer's Secrets live: its own namespace, or the cluster resource namespace. */
export const issuerSecretNamespace = (issuer: AnyIssuer): Effect.Effect<string> =>
  issuer.kind === "ClusterIssuer"
    ? Effect.map(IssuanceSettings, (settings) => settings.clusterResourceNamespace)
    : Effect.succeed(issuer.metadata.namespace ?? "default")
