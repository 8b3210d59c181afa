// Certificate metrics in cert-manager's shape (certmanager_certificate_*),
// so that its dashboards and alerts port by renaming the prefix.
import type { Certificate } from "../api/certificate.ts"
import type { ConditionStatus } from "../api/meta.ts"
import type { MetricFamily, Sample } from "../metrics/exposition.ts"

const conditionStatuses: ReadonlyArray<ConditionStatus> = ["True", "False", "Unknown"]

const identity = (certificate: Certificate) => ({
  name: certificate.metadata.name,
  namespace: certificate.metadata.namespace ?? "",
})

// The effective kind, not the field as written: an omitted kind means
// Issuer, and a query should not have to match both "" and "Issuer".
const issuerLabels = (certificate: Certificate) => ({
  ...identity(certificate),
  issuer_name: certificate.spec.issuerRef.name,
  issuer_kind: certificate.spec.issuerRef.kind === undefined || certificate.spec.issuerRef.kind === "" ? "Issuer" : certificate.spec.issuerRef.kind,
})

/** A status timestamp as Unix seconds; no sample for a missing or unreadable one. */
const timestampSample = (certificate: Certificate, timestamp: string | undefined): ReadonlyArray<Sample> => {
  const millis = timestamp === undefined ? Number.NaN : Date.parse(timestamp)
  return Number.isNaN(millis) ? [] : [{ labels: issuerLabels(certificate), value: millis / 1_000 }]
}

/** One sample per possible status, 1 for the current one: `== 1` selects, no regex on values needed. */
const readySamples = (certificate: Certificate): ReadonlyArray<Sample> => {
  const ready = certificate.status?.conditions?.find((condition) => condition.type === "Ready")?.status ?? "Unknown"
  return conditionStatuses.map((condition) => ({ labels: { ...identity(certificate), condition }, value: condition === ready ? 1 : 0 }))
}

export const certificateFamilies = (certificates: ReadonlyArray<Certificate>): ReadonlyArray<MetricFamily> => [
  {
    type: "gauge",
    name: "certops_certificate_expiration_timestamp_seconds",
    help: "The date after which the certificate expires (status.notAfter), as Unix seconds.",
    samples: certificates.flatMap((certificate) => timestampSample(certificate, certificate.status?.notAfter)),
  },
  {
    type: "gauge",
    name: "certops_certificate_renewal_timestamp_seconds",
    help: "The date at which the certificate will be renewed (status.renewalTime), as Unix seconds.",
    samples: certificates.flatMap((certificate) => timestampSample(certificate, certificate.status?.renewalTime)),
  },
  {
    type: "gauge",
    name: "certops_certificate_ready_status",
    help: "The status of the certificate's Ready condition: 1 for the current one of True, False and Unknown.",
    samples: certificates.flatMap(readySamples),
  },
]
