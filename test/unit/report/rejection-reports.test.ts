// The intent reader's rejections, grouped into one report per file.
import { assert, describe, it } from "@effect/vitest"
import { rejectionReports } from "../../../src/report/rejection-reports.ts"

describe("rejectionReports", () => {
  it("groups the intent reader's rejections per file, naming field and resource", () => {
    assert.deepStrictEqual(
      rejectionReports(
        [
          { file: "intents/a.yaml", line: 3, rule: "schema", path: "spec.dnsNames[1]", message: "must be a DNS name", kind: "Certificate", namespace: "web", name: "a" },
          { file: "intents/b.yaml", rule: "symlink", message: "is a symbolic link" },
          { file: "intents/a.yaml", line: 9, rule: "policy", message: "issuer not allowed" },
        ],
        "abc",
      ),
      [
        {
          file: "intents/a.yaml",
          intentCommit: "abc",
          problems: [
            { rule: "schema", message: "spec.dnsNames[1]: must be a DNS name", line: 3, resource: "Certificate web/a" },
            { rule: "policy", message: "issuer not allowed", line: 9 },
          ],
        },
        { file: "intents/b.yaml", intentCommit: "abc", problems: [{ rule: "symlink", message: "is a symbolic link" }] },
      ],
    )
  })
})
