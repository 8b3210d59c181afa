// The two views of `certops status`: a table of Certificates, and one
// Certificate's chain with its diagnosis. Each as data (for --output json)
// and as text.
import { Clock, Effect } from "effect"
import { Certificates } from "../../api/kinds.ts"
import type { Forbidden, StoreUnavailable } from "../../store/errors.ts"
import { ResourceStore } from "../../store/resource-store.ts"
import { certificateRows, renderCertificateTable } from "./certificate-rows.ts"
import { diagnose } from "./diagnosis.ts"
import type { CertificateReport, CertificateRow } from "./model.ts"
import { readCertificateChain, type CertificateNotFound } from "./read-chain.ts"

export { renderReport } from "./render-chain.ts"

export interface CertificateTable {
  readonly certificates: ReadonlyArray<CertificateRow>
}

/** Every Certificate, or those in `namespace`. */
export const certificateTable = (namespace?: string): Effect.Effect<CertificateTable, StoreUnavailable | Forbidden, ResourceStore> =>
  ResourceStore.use((store) => store.list(Certificates, namespace === undefined ? {} : { namespace })).pipe(
    Effect.map((certificates) => ({ certificates: certificateRows(certificates) })),
  )

export const renderTable = (table: CertificateTable, namespace?: string): string =>
  table.certificates.length === 0
    ? `No Certificates found${namespace === undefined ? "" : ` in namespace ${namespace}`}.`
    : renderCertificateTable(table.certificates)

export const certificateReport = (
  namespace: string,
  name: string,
): Effect.Effect<CertificateReport, CertificateNotFound | StoreUnavailable | Forbidden, ResourceStore> =>
  Effect.gen(function* () {
    const chain = yield* readCertificateChain(namespace, name)
    return { ...chain, diagnosis: diagnose(chain, yield* Clock.currentTimeMillis) }
  })
