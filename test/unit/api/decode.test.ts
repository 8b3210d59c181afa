// decodeResource: well-formed manifests of every kind decode unchanged;
// malformed ones fail with every problem at the exact field path.
import { Result } from "effect"
import { describe, expect, it } from "vitest"
import { decodeAs, decodeResource, formatFieldIssues, formatPath, type FieldIssue } from "../../../src/api/decode.ts"
import { Certificates, Challenges } from "../../../src/api/kinds.ts"
import * as fixtures from "../../support/manifests.ts"
import { throwawayKeyPem } from "../../support/pem.ts"

const issuesOf = (input: unknown): ReadonlyArray<FieldIssue> => {
  const result = decodeResource(input)
  return Result.isFailure(result) ? result.failure : []
}

/** A deep copy of `base` changed by `edit`; manifests are plain JSON. */
const patched = <T>(base: T, edit: (draft: any) => void): T => {
  const draft = structuredClone(base)
  edit(draft)
  return draft
}

describe("decodeResource accepts", () => {
  it.each(Object.entries(fixtures))("%s, unchanged", (_, manifest) => {
    const result = decodeResource(manifest)
    if (Result.isFailure(result)) expect.fail(formatFieldIssues(result.failure))
    expect(Result.getOrThrow(result)).toEqual(manifest)
  })

  it("an intent with only what cert-manager requires", () => {
    const minimal = { apiVersion: "cert-manager.io/v1", kind: "Certificate", metadata: { name: "a" }, spec: { secretName: "a", commonName: "a.example", issuerRef: { name: "ca" } } }
    expect(issuesOf(minimal)).toEqual([])
  })

  it.each([
    ["RSA", 2048], ["RSA", 3072], ["RSA", 4096], ["RSA", 8192], ["ECDSA", 256], ["ECDSA", 521], ["Ed25519", undefined], ["RSA", 0],
  ] as const)("an %s key of size %s", (algorithm, size) => {
    expect(issuesOf(patched(fixtures.certificate, (c) => (c.spec.privateKey = { algorithm, ...(size === undefined ? {} : { size }) })))).toEqual([])
  })

  it("any JSON as a webhook solver's config", () => {
    const config = { nested: { list: [1, "two", null, { deep: true }] } }
    expect(issuesOf(patched(fixtures.acmeIssuer, (i) => (i.spec.acme.solvers[1].dns01.webhook.config = config)))).toEqual([])
  })
})

interface Case {
  readonly name: string
  readonly manifest: unknown
  readonly issues: ReadonlyArray<readonly [path: string, message?: RegExp]>
}

const cases: ReadonlyArray<Case> = [
  { name: "a manifest that is not an object", manifest: ["kind: Certificate"], issues: [["", /must be an object/]] },
  { name: "a manifest without apiVersion", manifest: { kind: "Certificate", metadata: { name: "a" } }, issues: [["apiVersion", /is required: one of cert-manager.io\/v1, /]] },
  { name: "a manifest without kind", manifest: { apiVersion: "cert-manager.io/v1", metadata: { name: "a" } }, issues: [["kind", /is required/]] },
  { name: "an unsupported kind", manifest: { ...fixtures.certificate, kind: "Certificat" }, issues: [["kind", /unsupported kind "Certificat" in cert-manager.io\/v1: expected one of Certificate, CertificateRequest, Issuer, ClusterIssuer$/]] },
  { name: "an unsupported apiVersion", manifest: { ...fixtures.certificate, apiVersion: "cert-manager.io/v2", kind: "Widget" }, issues: [["apiVersion", /unsupported apiVersion "cert-manager.io\/v2": expected one of cert-manager.io\/v1, acme.cert-manager.io\/v1, v1, coordination.k8s.io\/v1, networking.k8s.io\/v1/]] },
  { name: "a kind under another kind's group", manifest: { ...fixtures.order, apiVersion: "cert-manager.io/v1" }, issues: [["apiVersion", /Order is served as acme.cert-manager.io\/v1/]] },
  { name: "an unknown top-level field", manifest: { ...fixtures.certificate, specs: {} }, issues: [["specs", /unknown field/]] },
  { name: "a missing metadata.name", manifest: patched(fixtures.selfSignedIssuer, (i) => delete i.metadata.name), issues: [["metadata.name", /is required/]] },
  { name: "a label that is not a string", manifest: patched(fixtures.certificate, (c) => (c.metadata.labels["app.kubernetes.io/name"] = 7)), issues: [['metadata.labels["app.kubernetes.io/name"]', /Expected string/]] },
  { name: "empty dnsNames", manifest: patched(fixtures.certificate, (c) => (c.spec.dnsNames = [])), issues: [["spec.dnsNames", /must not be empty/]] },
  { name: "a dnsName that is not a string", manifest: patched(fixtures.certificate, (c) => (c.spec.dnsNames = ["example.com", 443])), issues: [["spec.dnsNames[1]", /Expected string/]] },
  { name: "a missing issuerRef.name", manifest: patched(fixtures.certificate, (c) => delete c.spec.issuerRef.name), issues: [["spec.issuerRef.name", /is required/]] },
  { name: "an unknown field in issuerRef", manifest: patched(fixtures.certificate, (c) => (c.spec.issuerRef.namespace = "other")), issues: [["spec.issuerRef.namespace", /unknown field/]] },
  { name: "a duration that is not Go's", manifest: patched(fixtures.certificate, (c) => (c.spec.duration = "90 days")), issues: [["spec.duration", /not a Go duration such as 2160h or 1h30m/]] },
  { name: "a renewBefore in days", manifest: patched(fixtures.certificate, (c) => (c.spec.renewBefore = "15d")), issues: [["spec.renewBefore", /not a Go duration/]] },
  { name: "renewBeforePercentage above 99", manifest: patched(fixtures.certificate, (c) => { delete c.spec.renewBefore; c.spec.renewBeforePercentage = 100 }), issues: [["spec.renewBeforePercentage", /between 1 and 99/]] },
  { name: "a key size given as a string", manifest: patched(fixtures.certificate, (c) => (c.spec.privateKey.size = "384")), issues: [["spec.privateKey.size", /Expected number/]] },
  { name: "an unknown key algorithm", manifest: patched(fixtures.certificate, (c) => (c.spec.privateKey.algorithm = "DSA")), issues: [["spec.privateKey.algorithm", /"RSA" \| "ECDSA" \| "Ed25519"/]] },
  { name: "a usage outside cert-manager's list", manifest: patched(fixtures.certificate, (c) => (c.spec.usages = ["server auth", "server-auth"])), issues: [["spec.usages[1]"]] },
  {
    name: "several problems at once, all reported",
    manifest: patched(fixtures.certificate, (c) => { c.spec.secretName = 1; c.spec.isCA = "yes"; c.status.revision = 1.5 }),
    issues: [["spec.secretName", /Expected string/], ["spec.isCA", /Expected boolean/], ["status.revision", /integer/]],
  },
  { name: "a condition status outside True/False/Unknown", manifest: patched(fixtures.certificate, (c) => (c.status.conditions[0].status = "Yes")), issues: [["status.conditions[0].status"]] },
  { name: "an issuer type certops does not implement", manifest: patched(fixtures.caClusterIssuer, (i) => (i.spec = { vault: { server: "https://vault" } })), issues: [["spec.vault", /unknown field/]] },
  {
    name: "a misspelt field deep in a solver",
    manifest: patched(fixtures.acmeIssuer, (i) => { const rfc2136 = i.spec.acme.solvers[0].dns01.rfc2136; rfc2136.nameServer = rfc2136.nameserver; delete rfc2136.nameserver }),
    issues: [["spec.acme.solvers[0].dns01.rfc2136.nameServer", /unknown field/], ["spec.acme.solvers[0].dns01.rfc2136.nameserver", /is required/]],
  },
  { name: "a caBundle that is not base64", manifest: patched(fixtures.acmeIssuer, (i) => (i.spec.acme.caBundle = "-----BEGIN CERTIFICATE-----")), issues: [["spec.acme.caBundle", /base64/]] },
  { name: "a CSR that is not base64", manifest: patched(fixtures.certificateRequest, (r) => (r.spec.request = "not base64!")), issues: [["spec.request", /base64/]] },
  { name: "an order state outside ACME's", manifest: patched(fixtures.order, (o) => (o.status.state = "done")), issues: [["status.state"]] },
  { name: "an authorization challenge without a token", manifest: patched(fixtures.order, (o) => delete o.status.authorizations[0].challenges[1].token), issues: [["status.authorizations[0].challenges[1].token", /is required/]] },
  { name: "a challenge type in RFC 8555 spelling", manifest: patched(fixtures.challenge, (c) => (c.spec.type = "dns-01")), issues: [["spec.type", /"HTTP-01" \| "DNS-01"/]] },
  { name: "a challenge's processing flag as a string", manifest: patched(fixtures.challenge, (c) => (c.status.processing = "true")), issues: [["status.processing", /Expected boolean/]] },
  { name: "Secret data that is not base64", manifest: patched(fixtures.secret, (s) => (s.data["tls.key"] = throwawayKeyPem())), issues: [['data["tls.key"]', /base64/]] },
  { name: "an Ingress path without pathType", manifest: patched(fixtures.ingress, (i) => delete i.spec.rules[0].http.paths[0].pathType), issues: [["spec.rules[0].http.paths[0].pathType", /is required/]] },
]

describe("decodeResource rejects", () => {
  it.each(cases.map((c) => [c.name, c] as const))("%s", (_, { manifest, issues: expected }) => {
    const issues = issuesOf(manifest)
    expect(issues.map((issue) => issue.path)).toEqual(expected.map(([path]) => path))
    issues.forEach((issue, index) => {
      const message = expected[index]?.[1]
      if (message !== undefined) expect(issue.message).toMatch(message)
    })
  })

  it("without repeating input values, which may be key material", () => {
    const issues = issuesOf(patched(fixtures.secret, (s) => (s.data["tls.key"] = `${throwawayKeyPem()} secret`)))
    expect(formatFieldIssues(issues)).not.toContain("secret")
  })
})

describe("decodeAs", () => {
  it("decodes an object read back from a cluster as its kind", () => {
    const result = decodeAs(Challenges)(fixtures.challenge)
    expect(Result.isSuccess(result) && result.success.status?.state).toBe("pending")
  })

  it("rejects another kind", () => {
    const result = decodeAs(Certificates)(fixtures.challenge)
    expect(Result.isFailure(result) && result.failure.map((issue) => issue.path)).toContain("kind")
  })
})

describe("formatPath", () => {
  it.each([
    [["spec", "privateKey", "size"], "spec.privateKey.size"],
    [["spec", "dnsNames", 1], "spec.dnsNames[1]"],
    [["spec", "acme", "solvers", 0, "dns01", "rfc2136", "nameserver"], "spec.acme.solvers[0].dns01.rfc2136.nameserver"],
    [["data", "tls.crt"], 'data["tls.crt"]'],
    [[], ""],
  ] as const)("%j → %s", (path, text) => {
    expect(formatPath(path)).toBe(text)
  })
})

describe("formatFieldIssues", () => {
  it("writes one `path: message` line per issue", () => {
    expect(formatFieldIssues([{ path: "spec.duration", message: "bad" }, { path: "", message: "worse" }])).toBe("spec.duration: bad\nworse")
  })
})
