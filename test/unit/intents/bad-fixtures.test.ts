// The bad-input table: every malformed file under test/fixtures/intents/bad
// yields exactly its rules at its lines, and the valid documents beside them
// (and the whole good/ tree, read together with bad/) are still accepted.
import { rmSync } from "node:fs"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { buildIntentSet, type IntentSet } from "../../../src/intents/intent-set.ts"
import type { RejectionRule } from "../../../src/rules/rejection.ts"
import type { SourceFile } from "../../../src/manifests/source-file.ts"
import { goodDirectory, knownIssuer, makeBadTree, readShippedPolicies, readTree } from "./fixture-tree.ts"

type Expected = readonly [line: number | undefined, rule: RejectionRule, path?: string]

/** file → every rejection it must produce, in line order. */
const table: Record<string, ReadonlyArray<Expected>> = {
  "yaml-syntax.yaml": [[6, "yaml-syntax"]],
  "duplicate-yaml-key.yaml": [[8, "yaml-syntax"]],
  "not-utf8.yaml": [[undefined, "yaml-syntax"]],
  "not-a-mapping.yaml": [[1, "schema"]],
  "wrong-type.yaml": [[7, "schema", "spec.dnsNames"]],
  "unknown-field.yaml": [[8, "schema", "spec.dnsName"]],
  "bad-duration.yaml": [[8, "schema", "spec.duration"]],
  "negative-renew-before.yaml": [[8, "schema", "spec.renewBefore"]],
  "empty-dns-names.yaml": [[8, "schema", "spec.dnsNames"]],
  "bad-key-size.yaml": [[10, "admission", "spec.privateKey.size"], [10, "policy", "spec.privateKey.size"]],
  "bad-usage.yaml": [[10, "schema", "spec.usages[1]"]],
  "wrong-api-version.yaml": [[1, "schema", "apiVersion"]],
  "missing-kind.yaml": [[1, "schema", "kind"]],
  "missing-issuer-ref.yaml": [[5, "schema", "spec.issuerRef"]],
  "second-document-bad.yaml": [[19, "schema", "spec.isCA"]],
  "two-issuer-types.yaml": [[5, "admission", "spec"]],
  "secret.yaml": [[2, "unknown-kind", "kind"]],
  "deployment.yaml": [[2, "unknown-kind", "kind"]],
  "certificate-request.yaml": [[2, "unknown-kind", "kind"]],
  "invalid-name.yaml": [[4, "invalid-name", "metadata.name"]],
  "invalid-dns-name.yaml": [[9, "invalid-dns-name", "spec.dnsNames[1]"]],
  "wildcard-not-leftmost.yaml": [[7, "invalid-dns-name", "spec.dnsNames[0]"]],
  "ip-as-dns-name.yaml": [[8, "invalid-dns-name", "spec.dnsNames[0]"]],
  "invalid-san.yaml": [
    [9, "invalid-san", "spec.ipAddresses[1]"],
    [11, "invalid-san", "spec.uris[0]"],
  ],
  "webhook-solver.yaml": [
    [13, "invalid-solver", "spec.acme.solvers[0].dns01.webhook.groupName"],
    [18, "invalid-solver", "spec.acme.solvers[1].dns01.webhook.solverName"],
    [19, "invalid-solver", "spec.acme.solvers[1].dns01.webhook.config"],
  ],
  "rfc2136-solver.yaml": [
    [13, "invalid-solver", "spec.acme.solvers[0].dns01.rfc2136.tsigSecretSecretRef"],
    [14, "invalid-solver", "spec.acme.solvers[0].dns01.rfc2136.nameserver"],
    [16, "invalid-solver", "spec.acme.solvers[0].dns01.rfc2136.tsigAlgorithm"],
  ],
  "wildcard-http01-only.yaml": [[21, "wildcard-needs-dns01", "spec.dnsNames[1]"]],
  "duplicate-a.yaml": [[4, "duplicate", "metadata.name"]],
  "nested/duplicate-b.yaml": [[5, "duplicate", "metadata.name"]],
  "duplicate-secret-name.yaml": [[6, "duplicate-secret-name", "spec.secretName"], [15, "duplicate-secret-name", "spec.secretName"]],
  "unknown-issuer.yaml": [[9, "unknown-issuer", "spec.issuerRef.name"]],
  "issuer-in-other-namespace.yaml": [[19, "unknown-issuer", "spec.issuerRef.name"]],
  "issuer-rejected.yaml": [[10, "issuer-rejected", "spec.issuerRef.name"]],
  "policy-denied.yaml": [[11, "policy", "spec.dnsNames[1]"]],
  "renew-before-too-long.yaml": [[10, "admission", "spec.renewBefore"]],
  "policy-held-back.yaml": [[3, "policy-rejected"]],
  ".certops/policies/bad-cel.yaml": [[9, "cel-compile", "spec.rules[0].expression"]],
  ".certops/policies/bad-field.yaml": [[7, "schema", "spec.allowedDnsNames"]],
  "linked.yaml": [[undefined, "symlink"]],
  "oversized.yaml": [[undefined, "oversized"]],
  "../escape.yaml": [[undefined, "outside-directory"]],
}

// Not a file on disk: Git cannot hold one, a caller could pass one.
const escape: SourceFile = { path: "../escape.yaml", bytes: new TextEncoder().encode("kind: Certificate\n") }

const check = (files: ReadonlyArray<SourceFile>, defaultPolicies: ReadonlyArray<SourceFile>, policyDirectory?: string) =>
  buildIntentSet(files, { defaultPolicies, knownIssuers: [knownIssuer], ...(policyDirectory === undefined ? {} : { policyDirectory }) })

const accepted = (set: IntentSet) => set.accepted.map(({ resource }) => `${resource.kind} ${resource.metadata.name}`).sort()

const trees: Array<string> = []
const badTree = () => {
  const root = makeBadTree()
  trees.push(root)
  return root
}
afterAll(() => {
  for (const root of trees) rmSync(root, { recursive: true, force: true })
})

describe("bad intent fixtures", () => {
  let set: IntentSet
  beforeAll(async () => {
    set = check([...(await readTree(badTree())), escape], await readShippedPolicies())
  })

  it("has a bad-input table of at least 25 files", () => {
    expect(Object.keys(table).length).toBeGreaterThanOrEqual(25)
  })

  it.each(Object.entries(table))("%s is rejected with its rule at its line", (file, expected) => {
    const found = set.rejected.filter((rejection) => rejection.file === file).map(({ line, rule, path }): Expected => (path === undefined ? [line, rule] : [line, rule, path]))
    expect(found).toEqual(expected)
  })

  it("rejects nothing outside the table", () => {
    expect([...new Set(set.rejected.map((rejection) => rejection.file))].sort()).toEqual(Object.keys(table).sort())
  })

  it("still accepts the valid documents among them", () => {
    expect(accepted(set)).toEqual(["Certificate first-is-fine", "ClusterIssuer http-only", "Issuer team-a-ca"])
  })

  it("never repeats a Secret's data", () => {
    expect(JSON.stringify(set.rejected)).not.toContain("c3VwZXItc2VjcmV0")
  })
})

describe("good intent fixtures", () => {
  const prefixed = (prefix: string, files: ReadonlyArray<SourceFile>) => files.map((file) => ({ ...file, path: `${prefix}/${file.path}` }))

  it("are all accepted", async () => {
    const set = check(await readTree(goodDirectory), await readShippedPolicies())
    expect(set.rejected).toEqual([])
    expect(accepted(set)).toEqual([
      "Certificate api", "Certificate root", "Certificate web", "Certificate wildcard",
      "ClusterIssuer letsencrypt-prod", "Issuer internal-ca", "Issuer selfsigned",
    ])
  })

  it("are still accepted beside the bad ones", async () => {
    const files = [...prefixed("good", await readTree(goodDirectory)), ...prefixed("bad", await readTree(badTree()))]
    const set = check(files, await readShippedPolicies(), "bad/.certops/policies")
    expect(set.rejected.every((rejection) => rejection.file.startsWith("bad/"))).toBe(true)
    expect(accepted(set)).toEqual([
      "Certificate api", "Certificate first-is-fine", "Certificate root", "Certificate web", "Certificate wildcard",
      "ClusterIssuer http-only", "ClusterIssuer letsencrypt-prod", "Issuer internal-ca", "Issuer selfsigned", "Issuer team-a-ca",
    ])
  })
})
