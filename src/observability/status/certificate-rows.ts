// The `certops status` table: one row per Certificate, the columns of
// `kubectl get certificates` plus what an operator asks next: when it
// expires, when it renews, and the Ready reason.
import type { Certificate } from "../../api/certificate.ts"
import { formatColumns } from "./columns.ts"
import type { CertificateRow } from "./model.ts"

const byNamespaceThenName = (left: Certificate, right: Certificate) =>
  (left.metadata.namespace ?? "").localeCompare(right.metadata.namespace ?? "") || left.metadata.name.localeCompare(right.metadata.name)

export const certificateRows = (certificates: ReadonlyArray<Certificate>): ReadonlyArray<CertificateRow> =>
  [...certificates].sort(byNamespaceThenName).map((certificate) => {
    const ready = certificate.status?.conditions?.find((condition) => condition.type === "Ready")
    const status = certificate.status
    return {
      namespace: certificate.metadata.namespace ?? "",
      name: certificate.metadata.name,
      ready: ready?.status ?? "Unknown",
      secretName: certificate.spec.secretName,
      ...(status?.notAfter === undefined ? {} : { notAfter: status.notAfter }),
      ...(status?.renewalTime === undefined ? {} : { renewalTime: status.renewalTime }),
      ...(ready?.reason === undefined ? {} : { reason: ready.reason }),
      ...(ready?.message === undefined ? {} : { message: ready.message }),
    }
  })

export const renderCertificateTable = (rows: ReadonlyArray<CertificateRow>): string => {
  const none = "<none>"
  return formatColumns([
    ["NAMESPACE", "NAME", "READY", "SECRET", "NOT AFTER", "RENEWAL", "REASON"],
    ...rows.map((row) => [row.namespace, row.name, row.ready, row.secretName, row.notAfter ?? none, row.renewalTime ?? none, row.reason ?? none]),
  ]).join("\n")
}
