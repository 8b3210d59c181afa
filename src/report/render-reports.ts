// The YAML files of the status branch, and reading them back. Rendering is
// deterministic (field order fixed, no timestamps of its own), so an unchanged
// status renders to the same bytes and costs no commit.
import { Option, Schema } from "effect"
import YAML from "yaml"
import { CertificateReport, RejectionReport, certificateKey } from "./reports.ts"

/** No folding: a long line split in two could hide what the private-key guard looks for. */
const yamlOptions = { lineWidth: 0 } as const

const encodeCertificate = Schema.encodeSync(CertificateReport)
const encodeRejection = Schema.encodeSync(RejectionReport)
const decodeCertificate = Schema.decodeUnknownOption(CertificateReport)
const decodeRejection = Schema.decodeUnknownOption(RejectionReport)

export const renderCertificateReport = (report: CertificateReport): string =>
  `# Status of Certificate ${certificateKey(report)}, written by certops; edits are overwritten.\n` +
  YAML.stringify(encodeCertificate(report), yamlOptions)

export const renderRejectionReport = (report: RejectionReport): string =>
  `# Why certops rejected ${report.file}; fix the intent and this file goes away.\n` +
  YAML.stringify(encodeRejection(report), yamlOptions)

const parseYaml = (text: string): unknown => {
  try {
    return YAML.parse(text)
  } catch {
    return undefined
  }
}

/** None for a file someone edited into something else: it is simply rewritten. */
export const parseCertificateReport = (text: string): Option.Option<CertificateReport> => decodeCertificate(parseYaml(text))

export const parseRejectionReport = (text: string): Option.Option<RejectionReport> => decodeRejection(parseYaml(text))
