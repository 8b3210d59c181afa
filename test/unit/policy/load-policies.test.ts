// Policy files are checked like intents: every problem at its file and
// line, and a policy that fails to load is remembered as broken, with the
// namespaces it would have governed.
import { describe, expect, it } from "vitest"
import { formatRejection } from "../../../src/rules/rejection.ts"
import { loadPolicies } from "../../../src/policy/load-policies.ts"
import { file } from "../intents/support.ts"

const header = "apiVersion: policy.certops.io/v1alpha1\nkind: CertificatePolicy\nmetadata:\n  name: p\n"

describe("loadPolicies", () => {
  it("loads a valid policy with its compiled rules", () => {
    const set = loadPolicies([file("p.yaml", `${header}spec:\n  namespaces: [prod]\n  rules:\n    - name: r\n      expression: "true"\n      message: m\n`)], 1024)
    expect(set.rejected).toEqual([])
    expect(set.broken).toEqual([])
    expect(set.policies.map(({ name, file, line, rules }) => ({ name, file, line, rules: rules.map(({ rule }) => rule.name) }))).toEqual([
      { name: "p", file: "p.yaml", line: 1, rules: ["r"] },
    ])
  })

  it("rejects schema errors at their field, keeping the namespaces it can read", () => {
    const set = loadPolicies([file("p.yaml", `${header}spec:\n  namespaces: [prod-*]\n  maxDuration: 30d\n  allowedKeyAlgorithms: [DSA]\n  minRSAKeySize: 512\n  allowWildcard: false\n`)], 1024)
    expect(set.rejected.map(formatRejection)).toEqual([
      'p.yaml:7: schema: spec.maxDuration: "30d" is not a Go duration such as 2160h or 1h30m',
      'p.yaml:8: schema: spec.allowedKeyAlgorithms[0]: Expected "RSA" | "ECDSA" | "Ed25519"',
      "p.yaml:9: schema: spec.minRSAKeySize: Expected a value between 1024 and 8192",
      "p.yaml:10: schema: spec.allowWildcard: unknown field",
    ])
    expect(set.policies).toEqual([])
    expect(set.broken).toEqual([{ file: "p.yaml", line: 1, name: "p", namespaces: ["prod-*"] }])
  })

  it("rejects a rule that does not compile at its expression, naming the rule", () => {
    const rules = "spec:\n  rules:\n    - name: fine\n      expression: \"true\"\n      message: m\n    - name: typo\n      expression: objet.spec.isCA\n      message: m\n"
    const set = loadPolicies([file("p.yaml", header + rules)], 1024)
    expect(set.rejected.map(formatRejection)).toEqual([
      'p.yaml:11: cel-compile: spec.rules[1].expression: rule typo does not compile: unknown variable objet (the Certificate is bound as "object")',
    ])
    expect(set.broken).toEqual([{ file: "p.yaml", line: 1, name: "p" }])
  })

  it("rejects rule names used twice in one policy", () => {
    const rules = "spec:\n  rules:\n    - { name: r, expression: \"true\", message: m }\n    - { name: r, expression: \"true\", message: m }\n"
    expect(loadPolicies([file("p.yaml", header + rules)], 1024).rejected.map(formatRejection)).toEqual([
      'p.yaml:8: schema: spec.rules[1].name: rule name "r" is used twice',
    ])
  })

  it("rejects other kinds in a policy directory without counting them as broken policies", () => {
    const set = loadPolicies([file("p.yaml", "apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: { name: x }\n")], 1024)
    expect(set.rejected).toMatchObject([{ line: 2, rule: "unknown-kind", path: "kind" }])
    expect(set.broken).toEqual([])
  })

  it("counts unreadable files and documents as broken policies for every namespace", () => {
    const set = loadPolicies(
      [
        file("link.yaml", "elsewhere.yaml", true),
        file("big.yaml", "#".repeat(2048)),
        file("syntax.yaml", `${header}spec: [\n`),
      ],
      1024,
    )
    expect(set.rejected.map((rejection) => rejection.rule)).toEqual(["oversized", "symlink", "yaml-syntax"])
    expect(set.broken).toEqual([{ file: "link.yaml" }, { file: "big.yaml" }, { file: "syntax.yaml", line: 6 }])
  })

  it("loads every document of a multi-document file on its own", () => {
    const set = loadPolicies([file("p.yaml", `${header}spec: {}\n---\n${header}spec:\n  bogus: 1\n---\n${header.replace("name: p", "name: q")}spec: {}\n`)], 1024)
    expect(set.policies.map((policy) => `${policy.name}@${policy.line}`)).toEqual(["p@1", "q@14"])
    expect(set.rejected).toMatchObject([{ documentIndex: 1, line: 12, rule: "schema" }])
  })
})
