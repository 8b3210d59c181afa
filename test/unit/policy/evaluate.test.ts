// Each policy field, against Certificates that satisfy it and ones that do
// not, with cert-manager's defaults standing in for omitted fields.
import { Result } from "effect"
import { describe, expect, it } from "vitest"
import type { Certificate } from "../../../src/api/certificate.ts"
import { decodeWith } from "../../../src/api/decode.ts"
import { Certificate as CertificateSchema } from "../../../src/api/certificate.ts"
import { CertificatePolicySpec as PolicySpecSchema, type CertificatePolicySpec } from "../../../src/policy/certificate-policy.ts"
import { describeViolation, evaluatePolicies, governs, policyChecks } from "../../../src/policy/evaluate.ts"
import { loadPolicies, type Policy } from "../../../src/policy/load-policies.ts"
import { manifests } from "../intents/support.ts"

const certificate = (spec: Record<string, unknown> = {}, namespace = "prod"): Certificate => {
  const decoded = decodeWith(CertificateSchema, {
    apiVersion: "cert-manager.io/v1",
    kind: "Certificate",
    metadata: { name: "web", namespace },
    spec: { secretName: "web-tls", dnsNames: ["www.example.com"], issuerRef: { name: "letsencrypt-prod", kind: "ClusterIssuer" }, ...spec },
  })
  if (Result.isFailure(decoded)) throw new Error(JSON.stringify(decoded.failure))
  return decoded.success
}

const policy = (spec: Record<string, unknown>, name = "p"): Policy => {
  const set = loadPolicies([manifests(`policies/${name}.yaml`, { apiVersion: "policy.certops.io/v1alpha1", kind: "CertificatePolicy", metadata: { name }, spec })], 1 << 20)
  expect(set.rejected).toEqual([])
  return set.policies[0]!
}

const denials = (spec: Partial<Record<keyof CertificatePolicySpec, unknown>>, certificateSpec: Record<string, unknown> = {}) =>
  evaluatePolicies([policy(spec)], certificate(certificateSpec)).map(describeViolation)

describe("evaluatePolicies", () => {
  it("allows everything with an empty policy", () => {
    expect(denials({})).toEqual([])
  })

  describe("namespaces", () => {
    it("applies a policy to the namespaces its globs match, or to all without any", () => {
      expect(governs(undefined, "anything")).toBe(true)
      expect(governs(["prod", "prod-*"], "prod-eu")).toBe(true)
      expect(governs(["prod", "prod-*"], "staging")).toBe(false)
      expect(evaluatePolicies([policy({ namespaces: ["staging"], allowWildcards: false })], certificate({ dnsNames: ["*.example.com"] }))).toEqual([])
    })
  })

  it("allowedDNSNames: every name must match a glob", () => {
    expect(denials({ allowedDNSNames: ["*.example.com", "example.com"] }, { dnsNames: ["example.com", "a.b.example.com"] })).toEqual([])
    expect(denials({ allowedDNSNames: ["*.example.com"] }, { dnsNames: ["ok.example.com", "foo.evil.com"] })).toEqual([
      'denied by policy "p" (policies/p.yaml), rule allowedDNSNames: "foo.evil.com" is not in *.example.com',
    ])
  })

  it("allowWildcards: false refuses `*.` names, true and absent allow them", () => {
    expect(denials({ allowWildcards: false }, { dnsNames: ["*.example.com"] })).toEqual([
      'denied by policy "p" (policies/p.yaml), rule allowWildcards: "*.example.com" is a wildcard, and wildcards are not allowed here',
    ])
    expect(denials({ allowWildcards: true }, { dnsNames: ["*.example.com"] })).toEqual([])
  })

  it("allowedIssuers: kind and name globs, kind defaulting to Issuer", () => {
    const allowed = { allowedIssuers: [{ kind: "ClusterIssuer", name: "letsencrypt-*" }, { name: "local-ca" }] }
    expect(denials(allowed)).toEqual([])
    expect(denials(allowed, { issuerRef: { name: "local-ca" } })).toEqual([])
    expect(denials(allowed, { issuerRef: { name: "letsencrypt-prod" } })).toEqual([
      'denied by policy "p" (policies/p.yaml), rule allowedIssuers: Issuer "letsencrypt-prod" is not in ClusterIssuer/letsencrypt-*, */local-ca',
    ])
  })

  it("allowedKeyAlgorithms: an omitted algorithm counts as RSA", () => {
    expect(denials({ allowedKeyAlgorithms: ["ECDSA"] }, { privateKey: { algorithm: "ECDSA" } })).toEqual([])
    expect(denials({ allowedKeyAlgorithms: ["ECDSA", "Ed25519"] })).toEqual([
      'denied by policy "p" (policies/p.yaml), rule allowedKeyAlgorithms: RSA (the default when spec.privateKey.algorithm is omitted) is not in ECDSA, Ed25519',
    ])
  })

  it("minRSAKeySize: RSA keys only, an omitted size counting as 2048", () => {
    expect(denials({ minRSAKeySize: 3072 }, { privateKey: { size: 4096 } })).toEqual([])
    expect(denials({ minRSAKeySize: 3072 }, { privateKey: { algorithm: "ECDSA", size: 256 } })).toEqual([])
    expect(denials({ minRSAKeySize: 3072 })).toEqual([
      'denied by policy "p" (policies/p.yaml), rule minRSAKeySize: RSA 2048 (the default when spec.privateKey.size is omitted) is below 3072 bits',
    ])
    expect(denials({ minRSAKeySize: 4096 }, { privateKey: { algorithm: "RSA", size: 3072 } })).toEqual([
      'denied by policy "p" (policies/p.yaml), rule minRSAKeySize: RSA 3072 is below 4096 bits',
    ])
  })

  it("maxDuration: compares Go durations, an omitted duration counting as 2160h", () => {
    expect(denials({ maxDuration: "2160h" }, { duration: "90m" })).toEqual([])
    expect(denials({ maxDuration: "2160h" })).toEqual([])
    expect(denials({ maxDuration: "720h" }, { duration: "8760h" })).toEqual([
      'denied by policy "p" (policies/p.yaml), rule maxDuration: "8760h" is longer than 720h',
    ])
    expect(denials({ maxDuration: "720h" })).toEqual([
      'denied by policy "p" (policies/p.yaml), rule maxDuration: the default duration 2160h (spec.duration is omitted) is longer than 720h',
    ])
  })

  describe("rules", () => {
    const rules = (expression: string) => ({ rules: [{ name: "custom", expression, message: "names end in .example.com" }] })

    it("denies with the rule's message when its expression is false", () => {
      expect(denials(rules("object.spec.dnsNames.all(n, n.endsWith('.example.com'))"))).toEqual([])
      expect(denials(rules("object.spec.dnsNames.all(n, n.endsWith('.example.com'))"), { dnsNames: ["a.example.org"] })).toEqual([
        'denied by policy "p" (policies/p.yaml), rule custom: names end in .example.com',
      ])
    })

    it("sees the namespace-defaulted Certificate as `object`", () => {
      expect(denials(rules("object.metadata.namespace == 'prod' && object.kind == 'Certificate'"))).toEqual([])
    })

    it("denies when the expression cannot be evaluated, saying why", () => {
      expect(denials(rules("object.spec.commonName.endsWith('.example.com')"))).toEqual([
        'denied by policy "p" (policies/p.yaml), rule custom: could not be evaluated (field not found: commonName), so it denies',
      ])
    })
  })

  it("reports every violation of every governing policy, at the field at fault", () => {
    const violations = evaluatePolicies(
      [policy({ allowedDNSNames: ["*.example.com"] }, "names"), policy({ allowWildcards: false, maxDuration: "24h" }, "strict")],
      certificate({ dnsNames: ["*.example.com", "evil.org"] }),
    )
    expect(violations.map(({ policy, rule, path }) => [policy.name, rule, path])).toEqual([
      ["names", "allowedDNSNames", "spec.dnsNames[1]"],
      ["strict", "allowWildcards", "spec.dnsNames[0]"],
      ["strict", "maxDuration", "spec.duration"],
    ])
  })
})

describe("the policy checks", () => {
  it("every restriction field of a CertificatePolicy has one check saying what it checks", () => {
    const restrictions = Object.keys(PolicySpecSchema.fields).filter((field) => field !== "namespaces" && field !== "rules").sort()
    expect(Object.keys(policyChecks).sort()).toEqual(restrictions)
    for (const check of Object.values(policyChecks)) expect(check.checks.length).toBeGreaterThan(10)
  })
})

