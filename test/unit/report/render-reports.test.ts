// The per-Certificate and per-rejection YAML files: stable bytes, readable by
// a person, and read back by the reporter itself.
import { assert, describe, it } from "@effect/vitest"
import { Option } from "effect"
import {
  parseCertificateReport,
  parseRejectionReport,
  renderCertificateReport,
  renderRejectionReport,
} from "../../../src/report/render-reports.ts"
import { failing, issued, rejected } from "./fixtures.ts"

describe("certificate report file", () => {
  it("lists every field in a fixed order, under a header that says who writes it", () => {
    assert.strictEqual(
      renderCertificateReport(issued),
      `# Status of Certificate web/example-com, written by certops; edits are overwritten.
namespace: web
name: example-com
secretName: example-com-tls
ready: "True"
reason: Ready
message: Certificate is up to date and has not expired
serial: 3a5f09c1d2e3f405162738495a6b7c8d
sha256Fingerprint: 9F:86:D0:81:88:4C:7D:65:9A:2F:EA:A0:C5:5A:D0:15:A3:BF:4F:1B:2B:0B:82:2C:D1:5D:6C:15:B0:F0:0A:08
notBefore: 2026-11-22T12:00:00Z
notAfter: 2027-02-20T12:00:00Z
renewalTime: 2027-01-21T12:00:00Z
issuer:
  kind: ClusterIssuer
  name: letsencrypt
orderURL: https://acme.example.test/order/42
intentCommit: 1c9e2f0a7b3d4e5f60718293a4b5c6d7e8f90123
intentPath: intents/web/example-com.yaml
`,
    )
  })

  it("renders the same bytes whatever order the fields came in", () => {
    const shuffled = Object.fromEntries(Object.entries(issued).reverse()) as typeof issued
    assert.strictEqual(renderCertificateReport(shuffled), renderCertificateReport(issued))
  })

  it("keeps failures, retry times and multi-line messages, and reads them back", () => {
    const report = { ...failing, message: "line one\nline two: with a colon" }
    const text = renderCertificateReport(report)
    assert.include(text, "lastFailure:\n  time: 2026-11-23T10:00:00Z\n")
    assert.include(text, "nextRetryTime: 2026-11-23T11:00:00Z\n")
    assert.include(text, "message: |-\n  line one\n  line two: with a colon\n")
    assert.deepStrictEqual(parseCertificateReport(text), Option.some(report))
  })

  it("never folds a long line", () => {
    const long = "x".repeat(300)
    assert.include(renderCertificateReport({ ...failing, message: `${long} ${long}` }), `${long} ${long}`)
  })

  it("reads a hand-edited file as nothing", () => {
    assert.isTrue(Option.isNone(parseCertificateReport("ready: maybe\n")))
    assert.isTrue(Option.isNone(parseCertificateReport(": : not yaml [")))
  })
})

describe("rejection report file", () => {
  it("lists rule, line and message of every problem, and reads back", () => {
    const text = renderRejectionReport(rejected)
    assert.strictEqual(
      text,
      `# Why certops rejected intents/web/bad.yaml; fix the intent and this file goes away.
file: intents/web/bad.yaml
intentCommit: 1c9e2f0a7b3d4e5f60718293a4b5c6d7e8f90123
problems:
  - rule: policy/allowed-issuers
    message: issuer ClusterIssuer/self-signed is not allowed in namespace web
    line: 12
    resource: Certificate web/bad
  - rule: schema
    message: "spec.dnsNames: must not be empty"
    line: 18
`,
    )
    assert.deepStrictEqual(parseRejectionReport(text), Option.some(rejected))
  })
})
