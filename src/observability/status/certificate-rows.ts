// The `certops status` table: one row per Certificate, the columns of
// `kubectl get certificates` plus what an operator asks next: when it
// expires, when it renews, and the Ready reason.
import type { Certificate } from "../../api/certificate.ts"
import { formatColumns } from "./columns.ts"
import type { Ingress } from "../../api/core.ts"
import { describeIngressProblem } from "../../rules/shim-annotations.ts"
import { certificatesForIngress } from "../../rules/shim-certificates.ts"
import type { CertificateRow, IngressProblemRow } from "./model.ts"

const byNamespaceThenName = (left: Certificate, right: Certificate) =>
  (left.metadata.namespace ?? "").localeCompare(right.metadata.namespace ?? "") || left.metadata.name.localeCompare(right.metadata.name)

export const certificateRows = (certificates: ReadonlyArray<Certificate>): ReadonlyArray<CertificateRow> =>
  [...certificates].sort(byNamespaceThenName).map((certificate) => {
    const ready = certificate.status?.conditions?.find((condition) => condition.type === "Ready")
    const status = certificate.status
    const owner = certificate.metadata.ownerReferences?.find((reference) => reference.controller === true && reference.kind === "Ingress")
    return {
      namespace: certificate.metadata.namespace ?? "",
      name: certificate.metadata.name,
      ready: ready?.status ?? "Unknown",
      secretName: certificate.spec.secretName,
      ...(status?.notAfter === undefined ? {} : { notAfter: status.notAfter }),
      ...(status?.renewalTime === undefined ? {} : { renewalTime: status.renewalTime }),
      ...(ready?.reason === undefined ? {} : { reason: ready.reason }),
      ...(ready?.message === undefined ? {} : { message: ready.message }),
      ...(owner === undefined ? {} : { origin: `${owner.kind} ${certificate.metadata.namespace ?? ""}/${owner.name}` }),
    }
  })

export const renderCertificateTable = (rows: ReadonlyArray<CertificateRow>): string => {
  const none = "<none>"
  // The origin column only when some Certificate was derived (from an Ingress): the table stays kubectl's otherwise.
  const origins = rows.some((row) => row.origin !== undefined)
  return formatColumns([
    ["NAMESPACE", "NAME", "READY", "SECRET", "NOT AFTER", "RENEWAL", "REASON", ...(origins ? ["FROM"] : [])],
    ...rows.map((row) => [row.namespace, row.name, row.ready, row.secretName, row.notAfter ?? none, row.renewalTime ?? none, row.reason ?? none, ...(origins ? [row.origin ?? none] : [])]),
  ]).join("\n")
}

/** Ingresses that ask for certificates certops cannot make, one line each. */
export const ingressProblemRows = (ingresses: ReadonlyArray<Ingress>): ReadonlyArray<IngressProblemRow> =>
  ingresses.flatMap((ingress) =>
    certificatesForIngress(ingress).problems.map((problem) => ({ namespace: ingress.metadata.namespace ?? "", name: ingress.metadata.name, problem: describeIngressProblem(problem) })),
  )

export const renderIngressProblems = (rows: ReadonlyArray<IngressProblemRow>): string =>
  ["Ingresses asking for certificates that cannot be made:", ...rows.map((row) => `  Ingress ${row.namespace}/${row.name}: ${row.problem}`)].join("\n")
