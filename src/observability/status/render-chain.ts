// `certops status <namespace>/<name>` as text: each object of the chain with
// the fields `kubectl describe` would lead with, its conditions and its last
// Events, indented under its owner, then the diagnosis.
import type { Condition } from "../../api/meta.ts"
import { formatColumns } from "./columns.ts"
import { ageOf } from "./human-duration.ts"
import {
  qualifiedName,
  type CertificateReport,
  type ChallengeSummary,
  type EventSummary,
  type IssuerSummary,
  type OrderSummary,
  type RequestSummary,
} from "./model.ts"

const step = "  "
const none = "<none>"

const fields = (pairs: ReadonlyArray<readonly [string, string | undefined]>, indent: string): ReadonlyArray<string> =>
  formatColumns(
    pairs.map(([label, value]) => [`${label}:`, value ?? none]),
    indent,
  )

const conditionLines = (conditions: ReadonlyArray<Condition>, indent: string): ReadonlyArray<string> =>
  conditions.length === 0
    ? []
    : [
        `${indent}Conditions:`,
        ...formatColumns(
          [["TYPE", "STATUS", "REASON", "MESSAGE"], ...conditions.map((condition) => [condition.type, condition.status, condition.reason ?? "", condition.message ?? ""])],
          indent + step,
        ),
      ]

/** kubectl's Age column: `101s (x3 over 106s)` when Kubernetes counted the Event more than once. */
const eventAge = (event: EventSummary, now: number) =>
  event.count > 1 ? `${ageOf(event.lastTimestamp, now)} (x${event.count} over ${ageOf(event.firstTimestamp, now)})` : ageOf(event.lastTimestamp, now)

const eventLines = (events: ReadonlyArray<EventSummary>, indent: string, now: number): ReadonlyArray<string> =>
  events.length === 0
    ? [`${indent}Events:  ${none}`]
    : [
        `${indent}Events:`,
        ...formatColumns([["TYPE", "REASON", "AGE", "MESSAGE"], ...events.map((event) => [event.type, event.reason, eventAge(event, now), event.message])], indent + step),
      ]

const issuerLines = (issuer: IssuerSummary, now: number): ReadonlyArray<string> => {
  const heading = `${issuer.kind} ${qualifiedName(issuer)}`
  switch (issuer.lookup) {
    case "NotFound":
      return [`${heading}  (not found)`]
    case "External":
      return [`${heading}  (an external issuer: certops cannot inspect it)`]
    case "Found":
      return [heading, ...fields([["Type", issuer.type]], step), ...conditionLines(issuer.conditions, step), ...eventLines(issuer.events, step, now)]
  }
}

const challengeLines = (challenge: ChallengeSummary, indent: string, now: number): ReadonlyArray<string> => [
  `${indent}Challenge ${qualifiedName(challenge)}`,
  ...fields(
    [
      ["Domain", challenge.dnsName],
      ["Type", challenge.type],
      ["State", challenge.state],
      ["Processing", String(challenge.processing)],
      ["Presented", String(challenge.presented)],
      ["Reason", challenge.reason],
    ],
    indent + step,
  ),
  ...eventLines(challenge.events, indent + step, now),
]

const orderLines = (order: OrderSummary, indent: string, now: number): ReadonlyArray<string> => [
  `${indent}Order ${qualifiedName(order)}`,
  ...fields(
    [
      ["State", order.state],
      ["Reason", order.reason],
      ["URL", order.url],
    ],
    indent + step,
  ),
  ...eventLines(order.events, indent + step, now),
  ...order.challenges.flatMap((challenge) => challengeLines(challenge, indent + step, now)),
]

const requestLines = (request: RequestSummary, now: number): ReadonlyArray<string> => [
  `CertificateRequest ${qualifiedName(request)}${request.revision === undefined ? "" : `  (revision ${request.revision})`}`,
  ...conditionLines(request.conditions, step),
  ...eventLines(request.events, step, now),
  ...request.orders.flatMap((order) => orderLines(order, step, now)),
]

/** Ages are relative to `now`, so a report renders the same way in a test. */
export const renderReport = (report: CertificateReport, now: number): string => {
  const { certificate } = report
  const sections: Array<ReadonlyArray<string>> = [
    [
      `Certificate ${qualifiedName(certificate)}`,
      ...fields(
        [
          ["Secret", certificate.secretName],
          ["DNS Names", certificate.dnsNames.length === 0 ? undefined : certificate.dnsNames.join(", ")],
          ["Issuer", `${certificate.issuerRef.kind} ${certificate.issuerRef.name}`],
          ["Revision", certificate.revision === undefined ? undefined : String(certificate.revision)],
          ["Not After", certificate.notAfter],
          ["Renewal", certificate.renewalTime],
        ],
        step,
      ),
      ...conditionLines(certificate.conditions, step),
      ...eventLines(certificate.events, step, now),
    ],
    issuerLines(report.issuer, now),
    ...(report.requests.length === 0 ? [["CertificateRequests:  <none>"]] : report.requests.map((request) => requestLines(request, now))),
    report.warnings.map((warning) => `Warning: ${warning}`),
    [`Diagnosis: ${report.diagnosis.summary}`],
  ]
  return sections
    .filter((lines) => lines.length > 0)
    .map((lines) => lines.join("\n"))
    .join("\n\n")
}
