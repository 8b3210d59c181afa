// The two views of `certops status`: a table of Certificates, and one
// Certificate's chain with its diagnosis. Each as data (for --output json)
// and as text.
import { Clock, Effect } from "effect"
import { Certificates, Ingresses } from "../../api/kinds.ts"
import type { Forbidden, StoreUnavailable } from "../../store/errors.ts"
import { ResourceStore } from "../../store/resource-store.ts"
import { certificateRows, ingressProblemRows, renderCertificateTable, renderIngressProblems } from "./certificate-rows.ts"
import { diagnose } from "./diagnosis.ts"
import type { CertificateReport, CertificateRow, IngressProblemRow } from "./model.ts"
import { readCertificateChain, type CertificateNotFound } from "./read-chain.ts"

export { renderReport } from "./render-chain.ts"

export interface CertificateTable {
  readonly certificates: ReadonlyArray<CertificateRow>
  readonly ingressProblems: ReadonlyArray<IngressProblemRow>
}

/** Every Certificate, or those in `namespace`, and the annotated Ingresses that yield none. */
export const certificateTable = (namespace?: string): Effect.Effect<CertificateTable, StoreUnavailable | Forbidden, ResourceStore> =>
  Effect.gen(function* () {
    const store = yield* ResourceStore
    const scope = namespace === undefined ? {} : { namespace }
    const certificates = yield* store.list(Certificates, scope)
    // Someone who may read Certificates but not Ingresses still gets the table.
    const ingresses = yield* store.list(Ingresses, scope).pipe(Effect.catchTag("Forbidden", () => Effect.succeed([])))
    return { certificates: certificateRows(certificates), ingressProblems: ingressProblemRows(ingresses) }
  })

export const renderTable = (table: CertificateTable, namespace?: string): string => {
  const certificates =
    table.certificates.length === 0 ? `No Certificates found${namespace === undefined ? "" : ` in namespace ${namespace}`}.` : renderCertificateTable(table.certificates)
  return table.ingressProblems.length === 0 ? certificates : `${certificates}\n\n${renderIngressProblems(table.ingressProblems)}`
}

export const certificateReport = (
  namespace: string,
  name: string,
): Effect.Effect<CertificateReport, CertificateNotFound | StoreUnavailable | Forbidden, ResourceStore> =>
  Effect.gen(function* () {
    const chain = yield* readCertificateChain(namespace, name)
    return { ...chain, diagnosis: diagnose(chain, yield* Clock.currentTimeMillis) }
  })
