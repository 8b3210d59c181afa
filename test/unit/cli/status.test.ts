// `certops status` on the memory store after real issuance (SelfSigned, no
// ACME server): the table, the walk of an issued Certificate, and the walk of
// ones that wait on an issuer that is missing or not Ready.
import { assert, describe, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import { Certificates, ClusterIssuers, Ingresses, Issuers } from "../../../src/api/kinds.ts"
import { chooseStore, embeddedStoreDir, parseTarget } from "../../../src/cli/status.ts"
import { certificateReport, certificateTable, renderReport, renderTable } from "../../../src/observability/status/status-report.ts"
import { memoryStoreLayer } from "../../../src/store/memory.ts"
import { ResourceStore } from "../../../src/store/resource-store.ts"
import { eventually, readyCertificate } from "../../support/issuance-e2e.ts"
import { issuanceLayer, startIssuance, testSettings } from "../../support/issuance-harness.ts"

const issueCertificates = Effect.gen(function* () {
  const store = yield* ResourceStore
  yield* startIssuance
  yield* store.create(ClusterIssuers, { apiVersion: "cert-manager.io/v1", kind: "ClusterIssuer", metadata: { name: "bootstrap" }, spec: { selfSigned: {} } })
  // A CA Issuer whose Secret does not exist is never Ready.
  yield* store.create(Issuers, { apiVersion: "cert-manager.io/v1", kind: "Issuer", metadata: { name: "broken-ca", namespace: "pki" }, spec: { ca: { secretName: "nowhere" } } })
  const certificate = (name: string, issuerRef: { name: string; kind?: string }) =>
    store.create(Certificates, {
      apiVersion: "cert-manager.io/v1",
      kind: "Certificate",
      metadata: { name, namespace: "pki" },
      spec: { secretName: `${name}-tls`, dnsNames: [`${name}.example.test`], issuerRef },
    })
  yield* certificate("web", { name: "bootstrap", kind: "ClusterIssuer" })
  yield* certificate("orphan", { name: "missing", kind: "ClusterIssuer" })
  yield* certificate("blocked", { name: "broken-ca" })
  yield* eventually("web to be Ready", readyCertificate("pki", "web"), 20)
  // The others settle on their waiting condition right away; wait until both say so.
  yield* eventually(
    "the waiting Certificates to report their issuer",
    ResourceStore.use((s) => s.list(Certificates, { namespace: "pki" })).pipe(
      Effect.map((all) => (all.filter((c) => c.status?.conditions?.some((condition) => condition.reason === "IssuerNotReady")).length === 2 ? all : undefined)),
    ),
    20,
  )
})

const withIssuance = <A, E>(test: Effect.Effect<A, E, ResourceStore>) =>
  issueCertificates.pipe(Effect.andThen(test), Effect.scoped, Effect.provide(issuanceLayer(memoryStoreLayer, testSettings())))

describe("certops status", () => {
  it.live("prints a kubectl-like table of Certificates", () =>
    withIssuance(
      Effect.gen(function* () {
        const table = yield* certificateTable("pki")
        const lines = renderTable(table, "pki").split("\n")
        assert.match(lines[0]!, /^NAMESPACE\s+NAME\s+READY\s+SECRET\s+NOT AFTER\s+RENEWAL\s+REASON$/)
        // Sorted by name; columns aligned under their headers.
        assert.deepStrictEqual(lines.slice(1).map((line) => line.split(/\s+/).slice(0, 4)), [
          ["pki", "blocked", "False", "blocked-tls"],
          ["pki", "orphan", "False", "orphan-tls"],
          ["pki", "web", "True", "web-tls"],
        ])
        assert.match(lines[3]!, /^pki\s+web\s+True\s+web-tls\s+\d{4}-\d\d-\d\dT[\d:]+Z\s+\d{4}-\d\d-\d\dT[\d:]+Z\s+Ready$/)
        assert.match(lines[2]!, /\s<none>\s+<none>\s+DoesNotExist$/)
        assert.strictEqual(lines[0]!.indexOf("READY"), lines[3]!.indexOf("True"))
        const web = table.certificates.find((row) => row.name === "web")!
        assert.strictEqual(Date.parse(web.notAfter!) - Date.parse(web.renewalTime!), 30 * 24 * 3_600_000, "renews a third of 90 days before expiry")
        assert.strictEqual(renderTable(yield* certificateTable("elsewhere"), "elsewhere"), "No Certificates found in namespace elsewhere.")
      }),
    ),
  30_000)

  it.live("says which Certificates an Ingress asked for, and which annotated Ingresses yield none and why", () =>
    Effect.gen(function* () {
      const store = yield* ResourceStore
      yield* startIssuance
      yield* store.create(ClusterIssuers, { apiVersion: "cert-manager.io/v1", kind: "ClusterIssuer", metadata: { name: "bootstrap" }, spec: { selfSigned: {} } })
      const ingress = (name: string, annotations: Record<string, string>) =>
        store.create(Ingresses, {
          apiVersion: "networking.k8s.io/v1",
          kind: "Ingress",
          metadata: { name, namespace: "shop", annotations: { "cert-manager.io/cluster-issuer": "bootstrap", ...annotations } },
          spec: { tls: [{ hosts: [`${name}.example.test`], secretName: `${name}-tls` }] },
        })
      yield* ingress("front", {})
      yield* ingress("broken", { "cert-manager.io/private-key-size": "1024" })
      yield* eventually("the Ingress' Certificate to be Ready", readyCertificate("shop", "front-tls"), 20)
      const table = yield* certificateTable("shop")
      assert.deepStrictEqual(table.certificates.map((row) => [row.name, row.origin]), [["front-tls", "Ingress shop/front"]])
      assert.deepStrictEqual(table.ingressProblems, [{ namespace: "shop", name: "broken", problem: 'metadata.annotations["cert-manager.io/private-key-size"]: invalid private key size for RSA algorithm "1024"' }])
      const lines = renderTable(table, "shop").split("\n")
      assert.match(lines[0]!, /\sREASON\s+FROM$/)
      assert.match(lines[1]!, /\sIngress shop\/front$/)
      assert.strictEqual(lines.at(-1), '  Ingress shop/broken: metadata.annotations["cert-manager.io/private-key-size"]: invalid private key size for RSA algorithm "1024"')
    }).pipe(Effect.scoped, Effect.provide(issuanceLayer(memoryStoreLayer, testSettings()))),
  30_000)

  it.live("walks an issued Certificate to its CertificateRequest, with Events, and finds it up to date", () =>
    withIssuance(
      Effect.gen(function* () {
        const report = yield* certificateReport("pki", "web")
        assert.isTrue(report.diagnosis.healthy)
        assert.strictEqual(report.issuer.lookup, "Found")
        assert.deepStrictEqual(report.requests.map((request) => [request.name, request.revision]), [["web-1", 1]])
        assert.deepStrictEqual(report.certificate.events.map((event) => event.reason), ["Issuing", "Generated", "Requested", "Issued"])

        const now = Date.parse(report.certificate.events.at(-1)!.lastTimestamp!) + 95_000
        const text = renderReport(report, now)
        const sections = text.split("\n\n")
        assert.deepStrictEqual(sections.map((section) => section.split("\n")[0]), [
          "Certificate pki/web",
          "ClusterIssuer bootstrap",
          "CertificateRequest pki/web-1  (revision 1)",
          `Diagnosis: up to date: valid until ${report.certificate.notAfter}, renewal at ${report.certificate.renewalTime}`,
        ])
        assert.include(sections[0], "  Secret:     web-tls\n  DNS Names:  web.example.test\n  Issuer:     ClusterIssuer bootstrap\n  Revision:   1\n")
        assert.match(sections[0]!, /^    Ready\s+True\s+Ready\s+Certificate is up to date and has not expired$/m)
        assert.match(sections[0]!, /^    Normal\s+Requested\s+9\ds\s+Created new CertificateRequest resource "web-1"$/m)
        assert.match(sections[0]!, /^    Normal\s+Issued\s+95s\s+The certificate has been successfully issued$/m)
        assert.match(sections[2]!, /^    Ready\s+True\s+Issued\s+Certificate fetched from issuer successfully$/m)
        assert.match(sections[2]!, /^    Normal\s+CertificateIssued\s+9\ds\s+/m)
        assert.notMatch(text, /[ \t]$/m, "no trailing blanks")
      }),
    ),
  30_000)

  it.live("says a Certificate is stuck at an issuer that does not exist, or is not Ready", () =>
    withIssuance(
      Effect.gen(function* () {
        const orphan = yield* certificateReport("pki", "orphan")
        assert.deepStrictEqual(orphan.diagnosis, {
          healthy: false,
          stuckAt: "ClusterIssuer missing",
          summary: "stuck at ClusterIssuer missing: it does not exist; create it, or correct the Certificate's spec.issuerRef",
        })
        assert.deepStrictEqual(orphan.requests, [])
        const text = renderReport(orphan, Date.now())
        assert.include(text, "ClusterIssuer missing  (not found)")
        assert.include(text, "CertificateRequests:  <none>")
        assert.match(text, /^    Issuing\s+True\s+IssuerNotReady\s+Issuing certificate as Secret does not exist; waiting for ClusterIssuer missing, which does not exist$/m)

        const blocked = yield* certificateReport("pki", "blocked")
        assert.strictEqual(blocked.diagnosis.stuckAt, "Issuer pki/broken-ca")
        assert.match(blocked.diagnosis.summary, /^stuck at Issuer pki\/broken-ca: the issuer is not Ready \(ErrGetKeyPair\): .*nowhere/)
        const blockedText = renderReport(blocked, Date.now())
        assert.match(blockedText, /^Issuer pki\/broken-ca\n  Type:  ca\n/m)
        assert.match(blockedText, /^    Warning\s+ErrGetKeyPair\s+\d+s\s+/m)
      }),
    ),
  30_000)

  it.live("fails with a typed error for a Certificate that does not exist", () =>
    withIssuance(
      Effect.gen(function* () {
        const error = yield* Effect.flip(certificateReport("pki", "nope"))
        assert.strictEqual(error.message, "Certificate pki/nope not found")
      }),
    ),
  30_000)
})

describe("certops status arguments", () => {
  it("reads <namespace>/<name>, or <name> in --namespace or default", () => {
    assert.deepStrictEqual(parseTarget("pki/web", Option.none()), { namespace: "pki", name: "web" })
    assert.deepStrictEqual(parseTarget("web", Option.some("pki")), { namespace: "pki", name: "web" })
    assert.deepStrictEqual(parseTarget("web", Option.none()), { namespace: "default", name: "web" })
    assert.deepStrictEqual(parseTarget("pki/web", Option.some("pki")), { namespace: "pki", name: "web" })
    assert.isString(parseTarget("other/web", Option.some("pki")))
    assert.isString(parseTarget("a/b/c", Option.none()))
    assert.isString(parseTarget("/web", Option.none()))
  })

  it("picks the store as certops run would, unless told", () => {
    const none = { _tag: "None" } as const
    const kubeconfig = { _tag: "Kubeconfig", path: "/home/me/.kube/config" } as const
    const env = { HOME: "/home/me" }
    const flags = (store?: "embedded" | "kubernetes", stateDir?: string) => ({ store: Option.fromUndefinedOr(store), stateDir: Option.fromUndefinedOr(stateDir) })
    assert.deepStrictEqual(chooseStore(flags(), env, none), { _tag: "Embedded", storeDir: "/home/me/.local/state/certops/store" })
    assert.deepStrictEqual(chooseStore(flags(), env, kubeconfig), { _tag: "Kubernetes", kubeconfigPath: "/home/me/.kube/config" })
    assert.deepStrictEqual(chooseStore(flags(undefined, "/srv/certops"), env, kubeconfig), { _tag: "Embedded", storeDir: "/srv/certops/store" })
    assert.deepStrictEqual(chooseStore(flags("embedded"), env, kubeconfig), { _tag: "Embedded", storeDir: "/home/me/.local/state/certops/store" })
    assert.deepStrictEqual(chooseStore(flags("kubernetes"), env, none), { _tag: "NoCluster" })
    assert.strictEqual(embeddedStoreDir(Option.none(), { HOME: "/home/me", CERTOPS_STATE_DIR: "/var/lib/certops" }), "/var/lib/certops/store")
  })
})
