// What wakes a Certificate besides itself: its Secret (deleted, edited), the
// outcome of the CertificateRequests it owns, and its issuer.
import type { CertificateRequest } from "../../api/certificate-request.ts"
import type { Secret } from "../../api/core.ts"
import { Effect } from "effect"
import { CertificateRequests, Certificates, ClusterIssuers, Issuers, Secrets } from "../../api/kinds.ts"
import type { KubeObject } from "../../api/meta.ts"
import { keyOf, ResourceStore } from "../../store/resource-store.ts"
import type { Secondary } from "../../runtime/reconciler.ts"
import { annotations, managedSecretsSelector } from "../../api/annotations.ts"
import { isFinished } from "../certificaterequests/certificaterequest-reconciler.ts"
import { controllerOf } from "../shared/owners.ts"

const fromSecrets: Secondary<Secret> = {
  type: Secrets,
  labelSelector: managedSecretsSelector,
  toPrimary: (secret) => {
    const certificate = secret.metadata.annotations?.[annotations.certificateName] ?? controllerOf(secret, "Certificate")?.name
    return certificate === undefined ? [] : [{ namespace: secret.metadata.namespace ?? "", name: certificate }]
  },
}

/** A request's outcome concerns its Certificate; its steps before that do not. */
const fromRequests: Secondary<CertificateRequest> = {
  type: CertificateRequests,
  toPrimary: (request) => {
    if (!isFinished(request)) return []
    const certificate = controllerOf(request, "Certificate")?.name
    return certificate === undefined ? [] : [{ namespace: request.metadata.namespace ?? "", name: certificate }]
  },
}

/** An issuer's changes (becoming Ready above all) wake the Certificates that use it. */
const fromIssuers = (kind: "Issuer" | "ClusterIssuer"): Secondary =>
  ({
    type: kind === "Issuer" ? Issuers : ClusterIssuers,
    toPrimary: (issuer: KubeObject) =>
      ResourceStore.use((store) => store.list(Certificates, issuer.metadata.namespace === undefined ? {} : { namespace: issuer.metadata.namespace })).pipe(
        Effect.map((certificates) =>
          certificates
            .filter((certificate) => certificate.spec.issuerRef.name === issuer.metadata.name && (certificate.spec.issuerRef.kind ?? "Issuer") === kind)
            .map(keyOf),
        ),
        Effect.orElseSucceed(() => []),
      ),
  }) as Secondary

export const secondaries: ReadonlyArray<Secondary> = [fromSecrets, fromRequests, fromIssuers("Issuer"), fromIssuers("ClusterIssuer")]
