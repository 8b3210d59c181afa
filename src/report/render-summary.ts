// STATUS.md: the table a person reads on the Git host. Built from every
// report on the branch, sorted, and free of timestamps of its own, so it only
// changes when a status does.
import { certificateFile, rejectionFile } from "./layout.ts"
import { certificateKey, type CertificateReport, type RejectionReport } from "./reports.ts"
import { minute, truncate } from "./text.ts"

const readyMark: Record<CertificateReport["ready"], string> = { True: "✅ True", False: "❌ False", Unknown: "❔ Unknown" }

/** A table cell: one line, and a `|` that does not end the cell. */
const cell = (text: string | undefined): string => (text === undefined || text === "" ? "—" : truncate(text, 160).replaceAll("|", "\\|"))

const link = (text: string, target: string) => `[${cell(text)}](${encodeURI(target)})`

const table = (header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>) =>
  [`| ${header.join(" | ")} |`, `| ${header.map(() => "---").join(" | ")} |`, ...rows.map((row) => `| ${row.join(" | ")} |`)].join("\n")

const certificateRow = (report: CertificateReport) => [
  // Derived from an Ingress in Git: said where it is named, the table keeps its columns.
  `${link(certificateKey(report), certificateFile(report.namespace, report.name))}${report.origin === undefined ? "" : ` (from ${report.origin})`}`,
  readyMark[report.ready],
  cell(report.secretName),
  cell(report.notAfter === undefined ? undefined : minute(report.notAfter)),
  cell(report.renewalTime === undefined ? undefined : minute(report.renewalTime)),
  cell(report.reason),
]

const rejectionRows = (report: RejectionReport) =>
  report.problems.map((problem) => [
    link(report.file, rejectionFile(report.file)),
    problem.line === undefined ? "—" : String(problem.line),
    cell(problem.rule),
    cell(problem.message),
  ])

const byKey = (a: CertificateReport, b: CertificateReport) => certificateKey(a).localeCompare(certificateKey(b))

export const renderSummary = (
  certificates: ReadonlyArray<CertificateReport>,
  rejections: ReadonlyArray<RejectionReport>,
): string => {
  const sortedCertificates = [...certificates].sort(byKey)
  const sortedRejections = [...rejections].sort((a, b) => a.file.localeCompare(b.file))
  return [
    "# certops status",
    "",
    "Written by certops; edits are overwritten. Each Certificate has its own file, `<namespace>/<name>.yaml`, with serial, fingerprint, issuer and the intent commit it came from.",
    "",
    sortedCertificates.length === 0
      ? "No Certificates reported yet."
      : table(["Certificate", "Ready", "Secret", "Not after", "Renewal", "Reason"], sortedCertificates.map(certificateRow)),
    "",
    "## Rejected intents",
    "",
    sortedRejections.length === 0
      ? "None."
      : table(["File", "Line", "Rule", "Message"], sortedRejections.flatMap(rejectionRows)),
    "",
  ].join("\n")
}
