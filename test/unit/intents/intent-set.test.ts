// buildIntentSet, rule by rule: each test makes one problem and checks that
// exactly it is reported, at its file, line and field, and that nothing else
// is held back by it.
import { describe, expect, it } from "vitest"
import { buildIntentSet, type IntentSet } from "../../../src/intents/intent-set.ts"
import { formatRejection } from "../../../src/rules/rejection.ts"
import { acme, certificate, clusterIssuer, dns01, file, http01, issuer, manifests, selfSigned } from "./support.ts"

const names = (set: IntentSet) => set.accepted.map(({ resource }) => `${resource.kind} ${resource.metadata.namespace ?? ""}/${resource.metadata.name}`)
const rules = (set: IntentSet) => set.rejected.map(({ file, line, rule, path }) => ({ file, line, rule, path }))

describe("buildIntentSet", () => {
  it("accepts valid intents with their source", () => {
    const set = buildIntentSet([selfSigned, manifests("web.yaml", certificate("web"))])
    expect(set.rejected).toEqual([])
    expect(names(set)).toEqual(["ClusterIssuer /selfsigned", "Certificate default/web"])
    expect(set.accepted[1]?.source).toEqual({ file: "web.yaml", documentIndex: 0, line: 2 })
  })

  describe("namespaces", () => {
    it("defaults the namespace of namespaced intents, and keeps a declared one", () => {
      const set = buildIntentSet(
        [selfSigned, manifests("certs.yaml", certificate("a"), certificate("b", {}, { namespace: "web" }), issuer("local"))],
        { defaultNamespace: "apps" },
      )
      expect(names(set)).toEqual(["ClusterIssuer /selfsigned", "Certificate apps/a", "Certificate web/b", "Issuer apps/local"])
    })

    it("refuses a ClusterIssuer that names a namespace, which the API server would drop without a word", () => {
      const set = buildIntentSet([manifests("ci.yaml", { ...clusterIssuer("ca"), metadata: { name: "ca", namespace: "x" } })])
      expect(set.accepted).toEqual([])
      expect(set.rejected.map(formatRejection)).toEqual(['ci.yaml:6: cluster-scoped: metadata.namespace: a ClusterIssuer is cluster-scoped: remove metadata.namespace ("x")'])
    })
  })

  describe("kinds", () => {
    it.each([
      [{ apiVersion: "v1", kind: "Secret", metadata: { name: "s" }, data: { "tls.key": "c2VjcmV0LWtleQ==" } }, "v1 Secret"],
      [{ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "d" } }, "apps/v1 Deployment"],
      [{ apiVersion: "acme.cert-manager.io/v1", kind: "Order", metadata: { name: "o" } }, "acme.cert-manager.io/v1 Order"],
    ])("rejects %j as unknown-kind, at the kind line", (document, described) => {
      const set = buildIntentSet([manifests("other.yaml", document)])
      expect(set.rejected).toEqual([
        { file: "other.yaml", documentIndex: 0, line: 3, path: "kind", rule: "unknown-kind", message: expect.stringContaining(`${described} is not taken from Git`) },
      ])
      expect(set.rejected[0]?.message).not.toContain("c2VjcmV0LWtleQ")
    })
  })

  describe("schema", () => {
    it("reports every problem of a document at its field and line", () => {
      const bad = certificate("web", { dnsNames: [], duration: "forever", privateKey: { algorithm: "ECDSA", size: 2048 }, extra: true })
      const set = buildIntentSet([selfSigned, manifests("web.yaml", bad)])
      expect(rules(set)).toEqual([
        { file: "web.yaml", line: 8, path: "spec.dnsNames", rule: "schema" },
        { file: "web.yaml", line: 12, path: "spec.duration", rule: "schema" },
        { file: "web.yaml", line: 16, path: "spec.extra", rule: "schema" },
      ])
      expect(set.rejected.map((rejection) => rejection.name)).toEqual(["web", "web", "web"])
    })

    it("rejects one bad document without blocking the others in the file", () => {
      const set = buildIntentSet([selfSigned, manifests("certs.yaml", certificate("a"), certificate("b", { issuerRef: {} }), certificate("c"))])
      expect(names(set)).toEqual(["ClusterIssuer /selfsigned", "Certificate default/a", "Certificate default/c"])
      expect(set.rejected).toMatchObject([{ documentIndex: 1, path: "spec.issuerRef.name", rule: "schema" }])
    })
  })

  describe("names", () => {
    it("rejects names the API server would refuse", () => {
      const set = buildIntentSet([
        selfSigned,
        manifests("certs.yaml", certificate("Web", { secretName: "web-tls" }), certificate("ok", { secretName: "Bad_Secret" }), certificate("ns", {}, { namespace: "Team" })),
      ])
      expect(rules(set)).toEqual([
        { file: "certs.yaml", line: 5, path: "metadata.name", rule: "invalid-name" },
        { file: "certs.yaml", line: 19, path: "spec.secretName", rule: "invalid-name" },
        { file: "certs.yaml", line: 30, path: "metadata.namespace", rule: "invalid-name" },
      ])
    })

    it("rejects each invalid DNS name at its list item", () => {
      const set = buildIntentSet([selfSigned, manifests("web.yaml", certificate("web", { dnsNames: ["ok.example.com", "bad..example.com", "www.*.example.com"] }))])
      expect(set.rejected.map(formatRejection)).toEqual([
        'web.yaml:10: invalid-dns-name: spec.dnsNames[1]: "bad..example.com" has an empty label',
        'web.yaml:11: invalid-dns-name: spec.dnsNames[2]: "www.*.example.com" has a wildcard that is not the whole leftmost label (only *.example.com is allowed)',
      ])
    })
  })

  describe("duplicates", () => {
    it("rejects every copy of an object, each naming the others", () => {
      const set = buildIntentSet([
        selfSigned,
        manifests("a.yaml", certificate("web")),
        manifests("b.yaml", certificate("web", {}, { namespace: "default" })),
        manifests("c.yaml", certificate("web", { secretName: 42 })),
      ])
      expect(names(set)).toEqual(["ClusterIssuer /selfsigned"])
      const duplicates = set.rejected.filter((rejection) => rejection.rule === "duplicate")
      expect(duplicates.map(({ file, line }) => `${file}:${line}`)).toEqual(["a.yaml:5", "b.yaml:5", "c.yaml:5"])
      expect(duplicates[0]?.message).toBe("Certificate default/web is also declared in b.yaml:5, c.yaml:5; every copy is rejected until one remains")
    })

    it("tells apart the same name in different namespaces and kinds", () => {
      const set = buildIntentSet([
        selfSigned,
        manifests("certs.yaml", certificate("web"), certificate("web", { secretName: "other" }, { namespace: "b" }), issuer("web"), clusterIssuer("web")),
      ])
      expect(set.rejected).toEqual([])
    })

    it("rejects Certificates of one namespace sharing a Secret, not copies of one Certificate twice over", () => {
      const set = buildIntentSet([
        selfSigned,
        manifests("a.yaml", certificate("one", { secretName: "shared" })),
        manifests("b.yaml", certificate("two", { secretName: "shared" }), certificate("three", { secretName: "shared" }, { namespace: "elsewhere" })),
      ])
      expect(names(set)).toEqual(["ClusterIssuer /selfsigned", "Certificate elsewhere/three"])
      expect(set.rejected.map(formatRejection)).toEqual([
        "a.yaml:7: duplicate-secret-name: spec.secretName: Secret default/shared is also written by Certificate default/two (b.yaml:7); each Certificate needs its own Secret",
        "b.yaml:7: duplicate-secret-name: spec.secretName: Secret default/shared is also written by Certificate default/one (a.yaml:7); each Certificate needs its own Secret",
      ])
    })
  })

  describe("issuer references", () => {
    it("rejects a Certificate whose issuer is declared nowhere", () => {
      const set = buildIntentSet([manifests("web.yaml", certificate("web", { issuerRef: { name: "missing" } }))])
      expect(set.rejected.map(formatRejection)).toEqual([
        "web.yaml:11: unknown-issuer: spec.issuerRef.name: Issuer default/missing is declared nowhere: not in this repository, nor among the issuers known to exist in the cluster",
      ])
    })

    it("hints at the likely mix-up: the other kind, or an Issuer in another namespace", () => {
      const set = buildIntentSet(
        [manifests("certs.yaml", certificate("a", { issuerRef: { name: "le" } }), certificate("b", { issuerRef: { name: "ca", kind: "ClusterIssuer" } }))],
        { knownIssuers: [{ kind: "ClusterIssuer", name: "le" }, { kind: "Issuer", namespace: "pki", name: "ca" }] },
      )
      expect(set.rejected.map((rejection) => rejection.message.replace(/^.*cluster; /, ""))).toEqual([
        "a ClusterIssuer of that name exists: set issuerRef.kind: ClusterIssuer",
        "Issuer pki/ca exists, but an Issuer signs for its own namespace only",
      ])
    })

    it("resolves an Issuer in the Certificate's own namespace only", () => {
      const set = buildIntentSet([
        manifests("certs.yaml", issuer("ca", "a"), certificate("in-a", { issuerRef: { name: "ca" } }, { namespace: "a" }), certificate("in-b", { issuerRef: { name: "ca" } }, { namespace: "b" })),
      ])
      expect(names(set)).toEqual(["Issuer a/ca", "Certificate a/in-a"])
      expect(set.rejected).toMatchObject([{ name: "in-b", namespace: "b", rule: "unknown-issuer" }])
    })

    it("accepts issuers the caller knows are in the cluster", () => {
      const set = buildIntentSet(
        [manifests("certs.yaml", certificate("a", { issuerRef: { name: "le", kind: "ClusterIssuer" } }), certificate("b", { issuerRef: { name: "local" } }, { namespace: "web" }))],
        { knownIssuers: [{ kind: "ClusterIssuer", name: "le" }, { kind: "Issuer", namespace: "web", name: "local" }] },
      )
      expect(set.rejected).toEqual([])
    })

    it("leaves external issuers to their own controllers", () => {
      const set = buildIntentSet([manifests("web.yaml", certificate("web", { issuerRef: { name: "vault", kind: "VaultIssuer", group: "vault.example.com" } }))])
      expect(set.rejected).toEqual([])
    })

    it("holds back Certificates whose issuer is rejected, whatever rejected it", () => {
      const set = buildIntentSet([
        manifests("issuers.yaml", clusterIssuer("broken", { selfSigned: {}, ca: { secretName: "ca" } }), clusterIssuer("twice"), clusterIssuer("twice")),
        manifests("certs.yaml",
          certificate("a", { issuerRef: { name: "broken", kind: "ClusterIssuer" } }),
          certificate("b", { issuerRef: { name: "twice", kind: "ClusterIssuer" } })),
      ])
      expect(names(set)).toEqual([])
      expect(set.rejected.filter((rejection) => rejection.rule === "issuer-rejected").map(formatRejection)).toEqual([
        "certs.yaml:11: issuer-rejected: spec.issuerRef.name: ClusterIssuer broken is rejected (issuers.yaml:5); this Certificate waits for it",
        "certs.yaml:23: issuer-rejected: spec.issuerRef.name: ClusterIssuer twice is rejected (issuers.yaml:14); this Certificate waits for it",
      ])
    })

    it("counts a rejected Issuer in Git as rejected even when the cluster has one", () => {
      const set = buildIntentSet(
        [manifests("a.yaml", issuer("ca", undefined, {}), certificate("web", { issuerRef: { name: "ca" } }))],
        { knownIssuers: [{ kind: "Issuer", namespace: "default", name: "ca" }] },
      )
      expect(set.rejected.map((rejection) => rejection.rule)).toEqual(["admission", "issuer-rejected"])
    })
  })

  describe("wildcards", () => {
    const wildcard = (issuerName: string, labels?: Record<string, string>) =>
      certificate("wild", { dnsNames: ["example.com", "*.example.com"], issuerRef: { name: issuerName, kind: "ClusterIssuer" } }, labels === undefined ? {} : { labels })

    it("rejects a wildcard whose ACME issuer has HTTP-01 solvers only", () => {
      const set = buildIntentSet([manifests("a.yaml", clusterIssuer("http", acme([http01])), wildcard("http"))])
      expect(names(set)).toEqual(["ClusterIssuer /http"])
      expect(set.rejected.map(formatRejection)).toEqual([
        'a.yaml:24: wildcard-needs-dns01: spec.dnsNames[1]: "*.example.com" needs a DNS-01 solver (ACME proves wildcards by DNS-01 only), and ClusterIssuer http has no dns01 solver whose selector matches it',
      ])
    })

    it("rejects a wildcard whose issuer's DNS-01 solver is for other zones", () => {
      const set = buildIntentSet([manifests("a.yaml", clusterIssuer("mixed", acme([http01, { ...dns01, selector: { dnsZones: ["example.org"] } }])), wildcard("mixed"))])
      expect(set.rejected).toMatchObject([{ rule: "wildcard-needs-dns01", path: "spec.dnsNames[1]" }])
    })

    it("accepts a wildcard that a DNS-01 solver covers, by zone or by label", () => {
      const byZone = clusterIssuer("zone", acme([http01, { ...dns01, selector: { dnsZones: ["example.com"] } }]))
      const byLabel = clusterIssuer("label", acme([http01, { ...dns01, selector: { matchLabels: { dns: "yes" } } }]))
      const set = buildIntentSet([manifests("a.yaml", byZone, byLabel, wildcard("zone"), { ...wildcard("label", { dns: "yes" }), metadata: { name: "wild2", labels: { dns: "yes" } }, spec: { ...wildcard("label").spec, secretName: "wild2" } })])
      expect(set.rejected).toEqual([])
    })

    it("refuses isCA for an ACME issuer, and takes it for a CA or SelfSigned one", () => {
      const ca = (issuerName: string) => certificate("sub-ca", { isCA: true, issuerRef: { name: issuerName, kind: "ClusterIssuer" } })
      const refused = buildIntentSet([manifests("a.yaml", clusterIssuer("http", acme([http01])), ca("http"))])
      expect(refused.rejected.map(formatRejection)).toEqual([
        expect.stringMatching(/^a\.yaml:\d+: ca-from-acme: spec\.isCA: ClusterIssuer http is an ACME issuer, and ACME servers issue no CA certificates/),
      ])
      expect(buildIntentSet([manifests("a.yaml", clusterIssuer("self"), ca("self"))]).rejected).toEqual([])
    })

    it("reports an ACME issuer with no solvers at all", () => {
      const set = buildIntentSet([manifests("a.yaml", clusterIssuer("none", acme([])), wildcard("none"))])
      expect(set.rejected[0]?.message).toContain("ClusterIssuer none has no solvers")
    })

    it("does not ask non-ACME issuers, or issuers only in the cluster, for DNS-01", () => {
      const set = buildIntentSet([manifests("a.yaml", clusterIssuer("self"), wildcard("self"))])
      expect(set.rejected).toEqual([])
      const known = buildIntentSet([manifests("a.yaml", wildcard("le"))], { knownIssuers: [{ kind: "ClusterIssuer", name: "le" }] })
      expect(known.rejected).toEqual([])
    })
  })

  describe("files", () => {
    it("rejects symlinks, oversized files and paths outside the tracked directory, reading the rest", () => {
      const set = buildIntentSet(
        [
          manifests("certs/issuers.yaml", clusterIssuer("selfsigned")),
          manifests("certs/web.yaml", certificate("web")),
          file("certs/link.yaml", "../../etc/passwd", true),
          file("certs/big.yaml", `# ${"x".repeat(2048)}\n`),
          manifests("other/web.yaml", certificate("other")),
          manifests("certs/../web.yaml", certificate("sneaky")),
          file("certs/notes.txt", "not yaml: ["),
          file("certs/.github/ci.yml", "on: push"),
        ],
        { directory: "certs", maxFileBytes: 1024 },
      )
      expect(names(set)).toEqual(["ClusterIssuer /selfsigned", "Certificate default/web"])
      expect(rules(set)).toEqual([
        { file: "certs/../web.yaml", line: undefined, path: undefined, rule: "outside-directory" },
        { file: "certs/big.yaml", line: undefined, path: undefined, rule: "oversized" },
        { file: "certs/link.yaml", line: undefined, path: undefined, rule: "symlink" },
        { file: "other/web.yaml", line: undefined, path: undefined, rule: "outside-directory" },
      ])
    })

    it("reads the repository's policy directory as policies, never as intents", () => {
      const policy = { apiVersion: "policy.certops.io/v1alpha1", kind: "CertificatePolicy", metadata: { name: "p" }, spec: { allowedDNSNames: ["*.example.org"] } }
      const set = buildIntentSet([selfSigned, manifests("web.yaml", certificate("web")), manifests("policies/p.yaml", policy)], { policyDirectory: "policies" })
      expect(set.rejected.map((rejection) => rejection.rule)).toEqual(["policy"])
    })
  })

  describe("policies", () => {
    const policy = (spec: Record<string, unknown>, name = "names") =>
      manifests(`.certops/policies/${name}.yaml`, { apiVersion: "policy.certops.io/v1alpha1", kind: "CertificatePolicy", metadata: { name }, spec })

    it("rejects a denied Certificate at the field at fault, naming policy, file and rule", () => {
      const set = buildIntentSet([selfSigned, policy({ allowedDNSNames: ["*.example.com"] }), manifests("web.yaml", certificate("web", { dnsNames: ["a.example.com", "foo.evil.com"] }))])
      expect(set.rejected.map(formatRejection)).toEqual([
        'web.yaml:10: policy: spec.dnsNames[1]: denied by policy "names" (.certops/policies/names.yaml), rule allowedDNSNames: "foo.evil.com" is not in *.example.com',
      ])
    })

    it("applies the caller's default policies too", () => {
      const defaults = [manifests("policies/default.yaml", { apiVersion: "policy.certops.io/v1alpha1", kind: "CertificatePolicy", metadata: { name: "ops" }, spec: { allowWildcards: false } })]
      const set = buildIntentSet([selfSigned, manifests("web.yaml", certificate("web", { dnsNames: ["*.example.com"] }))], { defaultPolicies: defaults })
      expect(set.rejected[0]?.message).toBe('denied by policy "ops" (policies/default.yaml), rule allowWildcards: "*.example.com" is a wildcard, and wildcards are not allowed here')
    })

    it("holds back the Certificates a broken policy governs, and only those", () => {
      const set = buildIntentSet([
        selfSigned,
        policy({ namespaces: ["prod-*"], rules: [{ name: "r", expression: "object.spec.(", message: "m" }] }, "broken"),
        manifests("certs.yaml", certificate("web", {}, { namespace: "prod-eu" }), certificate("dev", {}, { namespace: "dev" })),
      ])
      expect(names(set)).toEqual(["ClusterIssuer /selfsigned", "Certificate dev/dev"])
      expect(rules(set)).toEqual([
        { file: ".certops/policies/broken.yaml", line: 11, path: "spec.rules[0].expression", rule: "cel-compile" },
        { file: "certs.yaml", line: 2, path: undefined, rule: "policy-rejected" },
      ])
      expect(set.rejected[1]?.message).toBe('held back: policy "broken" (.certops/policies/broken.yaml:2) is rejected and governs namespace "prod-eu"; fix the policy first')
    })

    it("holds back every Certificate when a policy file cannot even be parsed", () => {
      const set = buildIntentSet([selfSigned, file(".certops/policies/p.yaml", "spec: [unclosed\n"), manifests("web.yaml", certificate("web"))])
      expect(set.rejected.map((rejection) => rejection.rule)).toEqual(["yaml-syntax", "policy-rejected"])
      expect(set.rejected[1]?.message).toContain("may govern every namespace")
    })

    it("does not apply policies to issuers", () => {
      const set = buildIntentSet([policy({ allowedDNSNames: ["nothing"] }), manifests("issuers.yaml", clusterIssuer("selfsigned"))])
      expect(set.rejected).toEqual([])
    })
  })
})
