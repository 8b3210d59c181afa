// From what the branch holds and what is pending, the files to write and the
// message that says why. Pure, so re-applying pending changes on top of a
// head someone else moved is just calling it again.
import { commitMessage, type CertificateChange, type RejectionChange } from "./commit-message.ts"
import { certificateFile, rejectionFile, summaryFile } from "./layout.ts"
import type { PendingChange } from "./pending.ts"
import { renderCertificateReport, renderRejectionReport } from "./render-reports.ts"
import { renderSummary } from "./render-summary.ts"
import { certificateKey, type CertificateReport, type RejectionReport } from "./reports.ts"
import type { StatusSnapshot } from "./status-snapshot.ts"

export interface PlannedCommit {
  /** Per path below the status directory: the new content, or undefined to remove the file. */
  readonly files: ReadonlyMap<string, string | undefined>
  readonly message: string
}

const reportsOf = <A>(stored: ReadonlyMap<string, { readonly report: A | undefined }>) =>
  new Map([...stored].flatMap(([key, { report }]) => (report === undefined ? [] : [[key, report] as const])))

/** Undefined when the branch already says everything pending. */
export const planCommit = (snapshot: StatusSnapshot, pending: ReadonlyArray<PendingChange>): PlannedCommit | undefined => {
  const files = new Map<string, string | undefined>()
  const certificateChanges: Array<CertificateChange> = []
  const rejectionChanges: Array<RejectionChange> = []
  const certificates = reportsOf<CertificateReport>(snapshot.certificates)
  let rejections = reportsOf<RejectionReport>(snapshot.rejections)

  for (const change of pending) {
    switch (change._tag) {
      case "Report": {
        const key = certificateKey(change.report)
        const text = renderCertificateReport(change.report)
        const current = snapshot.certificates.get(key)
        if (current?.text !== text) {
          files.set(certificateFile(change.report.namespace, change.report.name), text)
          certificateChanges.push({ key, before: current?.report, after: change.report })
        }
        certificates.set(key, change.report)
        break
      }
      case "Removal": {
        const key = certificateKey(change)
        const current = snapshot.certificates.get(key)
        if (current !== undefined) {
          files.set(certificateFile(change.namespace, change.name), undefined)
          certificateChanges.push({ key, before: current.report, after: undefined })
        }
        certificates.delete(key)
        break
      }
      case "Rejections": {
        const next = new Map(change.rejections.map((report) => [report.file, report]))
        for (const [file, report] of next) {
          const text = renderRejectionReport(report)
          if (snapshot.rejections.get(file)?.text !== text) {
            files.set(rejectionFile(file), text)
            rejectionChanges.push({ file, after: report })
          }
        }
        for (const file of snapshot.rejections.keys()) {
          if (!next.has(file)) {
            files.set(rejectionFile(file), undefined)
            rejectionChanges.push({ file, after: undefined })
          }
        }
        rejections = next
        break
      }
    }
  }

  const summary = renderSummary([...certificates.values()], [...rejections.values()])
  if (summary !== snapshot.summary) files.set(summaryFile, summary)
  if (files.size === 0) return undefined
  return { files, message: commitMessage(certificateChanges, rejectionChanges) }
}
