// STATUS.md, the page a person opens on the Git host.
import { assert, describe, it } from "@effect/vitest"
import { renderSummary } from "../../../src/report/render-summary.ts"
import { failing, issued, rejected } from "./fixtures.ts"

describe("STATUS.md", () => {
  it("has one sorted row per Certificate and one row per problem of a rejected intent", () => {
    assert.strictEqual(
      renderSummary([issued, failing], [rejected]),
      `# certops status

Written by certops; edits are overwritten. Each Certificate has its own file, \`<namespace>/<name>.yaml\`, with serial, fingerprint, issuer and the intent commit it came from.

| Certificate | Ready | Secret | Not after | Renewal | Reason |
| --- | --- | --- | --- | --- | --- |
| [shop/www](shop/www.yaml) | ❌ False | www-tls | — | — | Failed |
| [web/example-com](web/example-com.yaml) | ✅ True | example-com-tls | 2027-02-20 12:00 UTC | 2027-01-21 12:00 UTC | Ready |

## Rejected intents

| File | Line | Rule | Message |
| --- | --- | --- | --- |
| [intents/web/bad.yaml](_rejected/intents/web/bad.yaml.yaml) | 12 | policy/allowed-issuers | issuer ClusterIssuer/self-signed is not allowed in namespace web |
| [intents/web/bad.yaml](_rejected/intents/web/bad.yaml.yaml) | 18 | schema | spec.dnsNames: must not be empty |
`,
    )
  })

  it("keeps every cell on one line and a | inside a cell from ending it", () => {
    const summary = renderSummary([{ ...failing, reason: "Bad|Worse\nand more" }], [])
    assert.include(summary, "| Bad\\|Worse and more |")
  })

  it("says so when there is nothing to show", () => {
    const summary = renderSummary([], [])
    assert.include(summary, "No Certificates reported yet.")
    assert.include(summary, "## Rejected intents\n\nNone.\n")
  })

  it("links files whose paths need escaping", () => {
    const summary = renderSummary([], [{ ...rejected, file: "intents/my team/a b.yaml" }])
    assert.include(summary, "[intents/my team/a b.yaml](_rejected/intents/my%20team/a%20b.yaml.yaml)")
  })
})
