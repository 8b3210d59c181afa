// Commit messages on the status branch: what changed, for which Certificate,
// answering which intent commit.
import { assert, describe, it } from "@effect/vitest"
import { commitMessage, describeCertificateChange, describeRejectionChange } from "../../../src/report/commit-message.ts"
import { failing, issued, rejected } from "./fixtures.ts"

const key = "web/example-com"

describe("commit messages", () => {
  it("one change: the change is the subject, then the trailer", () => {
    assert.strictEqual(
      commitMessage([{ key, before: undefined, after: issued }], []),
      "web/example-com: issued serial 3a5f09c1…, valid to 2027-02-20 (intent 1c9e2f0)\n\nCertops-Status: true\n",
    )
  })

  it("several changes: a summary subject, a line each, then the trailer", () => {
    const message = commitMessage(
      [
        { key, before: undefined, after: issued },
        { key: "shop/www", before: undefined, after: failing },
        { key: "web/old", before: issued, after: undefined },
      ],
      [{ file: rejected.file, after: rejected }, { file: "intents/fixed.yaml", after: undefined }],
    )
    assert.strictEqual(
      message,
      [
        "status: 3 certificates changed, 2 rejected intents changed",
        "",
        "web/example-com: issued serial 3a5f09c1…, valid to 2027-02-20 (intent 1c9e2f0)",
        "shop/www: failed: order is invalid: DNS problem: NXDOMAIN looking up TXT; next try 2026-11-23 11:00 UTC (intent 1c9e2f0)",
        "web/old: removed",
        "intents/web/bad.yaml: rejected by policy/allowed-issuers: issuer ClusterIssuer/self-signed is not allowed in namespace web (line 12), and 1 more problem (intent 1c9e2f0)",
        "intents/fixed.yaml: no longer rejected",
        "",
        "Certops-Status: true",
        "",
      ].join("\n"),
    )
  })

  it("tells renewal, readiness, loss of readiness and plain updates apart", () => {
    const renewed = { ...issued, serial: "77aa", notAfter: "2027-05-21T12:00:00Z", intentCommit: "abcdef0123" }
    assert.strictEqual(
      describeCertificateChange({ key, before: issued, after: renewed }),
      "web/example-com: issued serial 77aa, valid to 2027-05-21 (intent abcdef0)",
    )
    const pending = { ...issued, ready: "False" as const, reason: "Issuing", message: "Issuing certificate as Secret does not exist" }
    assert.strictEqual(
      describeCertificateChange({ key, before: issued, after: pending }),
      "web/example-com: not ready: Issuing: Issuing certificate as Secret does not exist (intent 1c9e2f0)",
    )
    assert.strictEqual(describeCertificateChange({ key, before: pending, after: issued }), "web/example-com: ready, valid to 2027-02-20 (intent 1c9e2f0)")
    assert.strictEqual(
      describeCertificateChange({ key, before: issued, after: { ...issued, renewalTime: "2027-01-25T00:00:00Z" } }),
      "web/example-com: updated renewalTime (intent 1c9e2f0)",
    )
    const { orderURL: _, ...withoutOrder } = issued
    assert.strictEqual(describeCertificateChange({ key, before: issued, after: withoutOrder }), "web/example-com: updated orderURL (intent 1c9e2f0)")
  })

  it("says only what changed in a rejection", () => {
    assert.strictEqual(
      describeRejectionChange({ file: "a.yaml", after: { file: "a.yaml", intentCommit: "0123456789", problems: [{ rule: "schema", message: "bad" }] } }),
      "a.yaml: rejected by schema: bad (intent 0123456)",
    )
  })

  it("lists at most 200 changes, then counts the rest", () => {
    const many = Array.from({ length: 250 }, (_, index) => ({ key: `web/c${index}`, before: issued, after: undefined }))
    const lines = commitMessage(many, []).split("\n")
    assert.strictEqual(lines[0], "status: 250 certificates changed")
    assert.include(lines, "web/c199: removed")
    assert.notInclude(lines, "web/c200: removed")
    assert.include(lines, "… and 50 more")
  })

  it("an unchanged set of reports with a rewritten summary still says why", () => {
    assert.strictEqual(commitMessage([], []), "status: summary regenerated\n\nCertops-Status: true\n")
  })
})
