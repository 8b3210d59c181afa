// Commit messages that say what changed, for which Certificate, and which
// intent commit it answers: `git log` on the status branch is the history of
// every certificate.
import { withStatusTrailer } from "../git/own-commits.ts"
import type { CertificateReport, RejectionReport } from "./reports.ts"
import { day, minute, plural, shortCommit, shortSerial, truncate } from "./text.ts"

export interface CertificateChange {
  /** `namespace/name` */
  readonly key: string
  /** What the branch held before; undefined for a first report. */
  readonly before: CertificateReport | undefined
  /** Undefined: the Certificate is gone and so is its file. */
  readonly after: CertificateReport | undefined
}

export interface RejectionChange {
  readonly file: string
  /** Undefined: the file is no longer rejected. */
  readonly after: RejectionReport | undefined
}

/** A commit lists at most this many changes; the files say the rest. */
const maxLines = 200

const validTo = (report: CertificateReport) => (report.notAfter === undefined ? "" : `, valid to ${day(report.notAfter)}`)

const sameFailure = (a: CertificateReport["lastFailure"], b: CertificateReport["lastFailure"]) =>
  a?.time === b?.time && a?.message === b?.message

const describeFields = (before: CertificateReport, after: CertificateReport) => {
  const fields = (Object.keys(after) as Array<keyof CertificateReport>).filter(
    (field) => JSON.stringify(before[field]) !== JSON.stringify(after[field]),
  )
  const gone = (Object.keys(before) as Array<keyof CertificateReport>).filter((field) => !(field in after))
  const changed = [...fields, ...gone]
  return changed.length === 0 ? "unchanged" : `updated ${changed.join(", ")}`
}

const whatHappened = (before: CertificateReport | undefined, after: CertificateReport): string => {
  if (after.ready === "True" && after.serial !== undefined && after.serial !== before?.serial) {
    return `issued serial ${shortSerial(after.serial)}${validTo(after)}`
  }
  if (after.ready === "True" && before?.ready !== "True") return `ready${validTo(after)}`
  if (after.ready !== "True" && after.lastFailure !== undefined && !sameFailure(after.lastFailure, before?.lastFailure)) {
    const retry = after.nextRetryTime === undefined ? "" : `; next try ${minute(after.nextRetryTime)}`
    return `failed: ${truncate(after.lastFailure.message)}${retry}`
  }
  if (after.ready !== "True" && (before === undefined || before.ready === "True" || before.reason !== after.reason)) {
    const why = [after.reason, after.message].filter((part) => part !== undefined && part !== "").join(": ")
    return `not ready${why === "" ? "" : `: ${truncate(why)}`}`
  }
  return before === undefined ? "reported" : describeFields(before, after)
}

export const describeCertificateChange = ({ key, before, after }: CertificateChange): string =>
  after === undefined ? `${key}: removed` : `${key}: ${whatHappened(before, after)} (intent ${shortCommit(after.intentCommit)})`

export const describeRejectionChange = ({ file, after }: RejectionChange): string => {
  if (after === undefined) return `${file}: no longer rejected`
  const [first, ...rest] = after.problems
  const line = first.line === undefined ? "" : ` (line ${first.line})`
  const more = rest.length === 0 ? "" : `, and ${plural(rest.length, "more problem")}`
  return `${file}: rejected by ${first.rule}: ${truncate(first.message)}${line}${more} (intent ${shortCommit(after.intentCommit)})`
}

/**
 * One line when one thing changed; otherwise a summary line, then a line per
 * change. Always ends with the trailer that marks certops' own commits.
 */
export const commitMessage = (
  certificates: ReadonlyArray<CertificateChange>,
  rejections: ReadonlyArray<RejectionChange>,
): string => {
  const lines = [...certificates.map(describeCertificateChange), ...rejections.map(describeRejectionChange)]
  if (lines.length === 0) return withStatusTrailer("status: summary regenerated")
  if (lines.length === 1) return withStatusTrailer(lines[0]!)
  const counts = [
    certificates.length === 0 ? undefined : `${plural(certificates.length, "certificate")} changed`,
    rejections.length === 0 ? undefined : `${plural(rejections.length, "rejected intent")} changed`,
  ].filter((part) => part !== undefined)
  const shown = lines.slice(0, maxLines)
  const hidden = lines.length - shown.length
  const body = hidden === 0 ? shown : [...shown, `… and ${hidden} more`]
  return withStatusTrailer(`status: ${counts.join(", ")}\n\n${body.join("\n")}`)
}
