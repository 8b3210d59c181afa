// Planning a status commit from what the branch holds and what is pending.
import { assert, describe, it } from "@effect/vitest"
import { planCommit } from "../../../src/report/plan-commit.ts"
import { renderCertificateReport, renderRejectionReport } from "../../../src/report/render-reports.ts"
import { renderSummary } from "../../../src/report/render-summary.ts"
import type { CertificateReport, RejectionReport } from "../../../src/report/reports.ts"
import type { StatusSnapshot } from "../../../src/report/status-snapshot.ts"
import { failing, issued, rejected } from "./fixtures.ts"

const snapshot = (certificates: ReadonlyArray<CertificateReport>, rejections: ReadonlyArray<RejectionReport> = []): StatusSnapshot => ({
  head: "c0ffee",
  tree: "7ree",
  certificates: new Map(certificates.map((report) => [`${report.namespace}/${report.name}`, { text: renderCertificateReport(report), report }])),
  rejections: new Map(rejections.map((report) => [report.file, { text: renderRejectionReport(report), report }])),
  summary: renderSummary(certificates, rejections),
})

const empty: StatusSnapshot = { head: undefined, tree: undefined, certificates: new Map(), rejections: new Map(), summary: undefined }

describe("planCommit", () => {
  it("writes the report, the summary and a message for a first report", () => {
    const plan = planCommit(empty, [{ _tag: "Report", report: issued }])!
    assert.deepStrictEqual([...plan.files.keys()], ["web/example-com.yaml", "STATUS.md"])
    assert.strictEqual(plan.files.get("web/example-com.yaml"), renderCertificateReport(issued))
    assert.strictEqual(plan.files.get("STATUS.md"), renderSummary([issued], []))
    assert.match(plan.message, /^web\/example-com: issued serial/)
  })

  it("plans nothing when the branch already says it", () => {
    assert.isUndefined(planCommit(snapshot([issued, failing], [rejected]), [{ _tag: "Report", report: issued }, { _tag: "Rejections", rejections: [rejected] }]))
    assert.isUndefined(planCommit(snapshot([issued]), [{ _tag: "Removal", namespace: "web", name: "absent" }]))
  })

  it("removes the file of a removed Certificate and its summary row", () => {
    const plan = planCommit(snapshot([issued, failing]), [{ _tag: "Removal", namespace: "shop", name: "www" }])!
    assert.isTrue(plan.files.has("shop/www.yaml"))
    assert.isUndefined(plan.files.get("shop/www.yaml"))
    assert.strictEqual(plan.files.get("STATUS.md"), renderSummary([issued], []))
    assert.strictEqual(plan.message, "shop/www: removed\n\nCertops-Status: true\n")
  })

  it("replaces the set of rejections: new files written, files no longer listed removed", () => {
    const other: RejectionReport = { file: "intents/other.yaml", intentCommit: "abc1234", problems: [{ rule: "schema", message: "bad" }] }
    const plan = planCommit(snapshot([issued], [rejected]), [{ _tag: "Rejections", rejections: [other] }])!
    assert.deepStrictEqual([...plan.files.keys()].sort(), ["STATUS.md", "_rejected/intents/other.yaml.yaml", "_rejected/intents/web/bad.yaml.yaml"])
    assert.isUndefined(plan.files.get("_rejected/intents/web/bad.yaml.yaml"))
    assert.include(plan.message, "intents/web/bad.yaml: no longer rejected")
    assert.include(plan.message, "intents/other.yaml: rejected by schema: bad")
  })

  it("describes a change against what the branch held, even if someone else wrote it", () => {
    const renewed = { ...issued, serial: "ffee", notAfter: "2027-06-01T00:00:00Z" }
    const plan = planCommit(snapshot([issued]), [{ _tag: "Report", report: renewed }])!
    assert.match(plan.message, /^web\/example-com: issued serial ffee, valid to 2027-06-01/)
  })

  it("rewrites a file someone edited by hand", () => {
    const edited: StatusSnapshot = {
      ...snapshot([issued]),
      certificates: new Map([["web/example-com", { text: "ready: yes please\n", report: undefined }]]),
    }
    const plan = planCommit(edited, [{ _tag: "Report", report: issued }])!
    assert.strictEqual(plan.files.get("web/example-com.yaml"), renderCertificateReport(issued))
  })
})
