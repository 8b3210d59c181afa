// The policies in policies/: the baseline loads cleanly and is permissive,
// and the documented example does what its comments say.
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { Result } from "effect"
import { describe, expect, it } from "vitest"
import type { Certificate } from "../../../src/api/certificate.ts"
import { Certificate as CertificateSchema } from "../../../src/api/certificate.ts"
import { decodeWith } from "../../../src/api/decode.ts"
import { defaultPoliciesDirectory } from "../../../src/policy/default-policies.ts"
import { evaluatePolicies } from "../../../src/policy/evaluate.ts"
import { loadPolicies } from "../../../src/policy/load-policies.ts"
import { readShippedPolicies } from "../intents/fixture-tree.ts"

const certificate = (namespace: string, spec: Record<string, unknown>, labels?: Record<string, string>): Certificate => {
  const decoded = decodeWith(CertificateSchema, {
    apiVersion: "cert-manager.io/v1",
    kind: "Certificate",
    metadata: labels === undefined ? { name: "web", namespace } : { name: "web", namespace, labels },
    spec: { secretName: "web-tls", issuerRef: { name: "letsencrypt-prod", kind: "ClusterIssuer" }, ...spec },
  })
  if (Result.isFailure(decoded)) throw new Error(JSON.stringify(decoded.failure))
  return decoded.success
}

describe("shipped policies", () => {
  it("applies policies/*.yaml, not the examples, and they load without problems", async () => {
    const files = await readShippedPolicies()
    expect(files.map((file) => file.path)).toEqual(["policies/default.yaml"])
    const set = loadPolicies(files, 1 << 20)
    expect(set.rejected).toEqual([])
    expect(set.policies.map((policy) => policy.name)).toEqual(["baseline"])
  })

  it("the baseline allows ordinary Certificates, and leaves renewBefore past the duration to the admission rules", async () => {
    const { policies } = loadPolicies(await readShippedPolicies(), 1 << 20)
    expect(evaluatePolicies(policies, certificate("any", { dnsNames: ["*.example.com"], privateKey: { algorithm: "Ed25519" } }))).toEqual([])
    expect(evaluatePolicies(policies, certificate("any", { dnsNames: ["a.example.com"], duration: "24h", renewBefore: "8h" }))).toEqual([])
    expect(evaluatePolicies(policies, certificate("any", { dnsNames: ["a.example.com"], renewBefore: "2400h" }))).toEqual([])
  })

  describe("the restrict-namespace example", () => {
    const path = join(defaultPoliciesDirectory, "examples/restrict-namespace.yaml")
    const { policies, rejected } = loadPolicies([{ path: "examples/restrict-namespace.yaml", bytes: readFileSync(path) }], 1 << 20)

    it("loads without problems", () => {
      expect(rejected).toEqual([])
    })

    it("lets a compliant production Certificate through, and leaves other namespaces alone", () => {
      const compliant = { commonName: "www.example.com", dnsNames: ["www.example.com"], privateKey: { algorithm: "ECDSA" } }
      expect(evaluatePolicies(policies, certificate("prod-eu", compliant, { team: "web" }))).toEqual([])
      expect(evaluatePolicies(policies, certificate("staging", { dnsNames: ["*.evil.org"] }))).toEqual([])
    })

    it("denies what its comments say it denies", () => {
      const violating = certificate("prod", {
        commonName: "example.com",
        dnsNames: ["*.example.com", "evil.org"],
        issuerRef: { name: "selfsigned" },
        duration: "8760h",
      })
      expect(evaluatePolicies(policies, violating).map((violation) => violation.rule)).toEqual([
        "allowedDNSNames", "allowWildcards", "allowedIssuers", "minRSAKeySize", "maxDuration", "common-name-listed", "owned-by-a-team",
      ])
    })
  })
})
