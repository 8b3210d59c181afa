// What wakes a Certificate besides itself: its Secret (deleted, edited) and
// the CertificateRequests it owns.
import type { CertificateRequest } from "../../api/certificate-request.ts"
import type { Secret } from "../../api/core.ts"
import { CertificateRequests, Secrets } from "../../api/kinds.ts"
import type { Secondary } from "../runtime/reconciler.ts"
import { annotations } from "../shared/annotations.ts"
import { controllerOf } from "../shared/owners.ts"

const fromSecrets: Secondary<Secret> = {
  type: Secrets,
  toPrimary: (secret) => {
    const certificate = secret.metadata.annotations?.[annotations.certificateName] ?? controllerOf(secret, "Certificate")?.name
    return certificate === undefined ? [] : [{ namespace: secret.metadata.namespace ?? "", name: certificate }]
  },
}

const fromRequests: Secondary<CertificateRequest> = {
  type: CertificateRequests,
  toPrimary: (request) => {
    const certificate = controllerOf(request, "Certificate")?.name
    return certificate === undefined ? [] : [{ namespace: request.metadata.namespace ?? "", name: certificate }]
  },
}

export const secondaries: ReadonlyArray<Secondary> = [fromSecrets, fromRequests]
