// SelfSigned → CA → leaf, with no ACME server: the whole Certificate →
// CertificateRequest → Secret path on the memory store.
import { X509Certificate } from "node:crypto"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { Certificates, CertificateRequests, ClusterIssuers, Events, Issuers, Secrets } from "../../../src/api/kinds.ts"
import { memoryStoreLayer } from "../../../src/store/memory.ts"
import { ResourceStore } from "../../../src/store/resource-store.ts"
import { issuanceLayer, startIssuance, testSettings } from "../../support/issuance-harness.ts"
import { eventually } from "../../support/poll.ts"


const readyCertificate = (namespace: string, name: string) =>
  ResourceStore.use((store) => store.get(Certificates, { namespace, name })).pipe(
    Effect.map((certificate) => (certificate.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ? certificate : undefined)),
  )

describe("SelfSigned → CA issuance", () => {
  it.live("issues a CA from a SelfSigned issuer, then a leaf from that CA, into Secrets that verify", () =>
    Effect.gen(function* () {
      const store = yield* ResourceStore
      yield* startIssuance
      yield* store.create(ClusterIssuers, { apiVersion: "cert-manager.io/v1", kind: "ClusterIssuer", metadata: { name: "bootstrap" }, spec: { selfSigned: {} } })
      yield* store.create(Certificates, {
        apiVersion: "cert-manager.io/v1",
        kind: "Certificate",
        metadata: { name: "root-ca", namespace: "pki" },
        spec: { secretName: "root-ca", commonName: "certops test root", isCA: true, privateKey: { algorithm: "ECDSA", size: 256 }, issuerRef: { name: "bootstrap", kind: "ClusterIssuer" } },
      })
      yield* store.create(Issuers, { apiVersion: "cert-manager.io/v1", kind: "Issuer", metadata: { name: "ca", namespace: "pki" }, spec: { ca: { secretName: "root-ca" } } })
      yield* store.create(Certificates, {
        apiVersion: "cert-manager.io/v1",
        kind: "Certificate",
        metadata: { name: "web", namespace: "pki" },
        spec: { secretName: "web-tls", dnsNames: ["web.example.test", "www.example.test"], duration: "720h", issuerRef: { name: "ca" } },
      })

      const web = yield* eventually("the leaf to be Ready", readyCertificate("pki", "web"))
      assert.strictEqual(web.status?.revision, 1)
      assert.isString(web.status?.notAfter)
      assert.isString(web.status?.renewalTime)

      const secret = yield* store.get(Secrets, { namespace: "pki", name: "web-tls" })
      assert.strictEqual(secret.type, "kubernetes.io/tls")
      const text = (key: string) => Buffer.from(secret.data?.[key] ?? "", "base64").toString("utf8")
      const leaf = new X509Certificate(text("tls.crt"))
      const ca = new X509Certificate(text("ca.crt"))
      assert.isTrue(leaf.verify(ca.publicKey))
      assert.isTrue(ca.checkIssued(ca))
      assert.include(leaf.subjectAltName ?? "", "DNS:web.example.test")
      assert.include(leaf.subjectAltName ?? "", "DNS:www.example.test")
      assert.strictEqual(secret.metadata.annotations?.["cert-manager.io/certificate-name"], "web")
      assert.strictEqual(secret.metadata.annotations?.["cert-manager.io/issuer-name"], "ca")
      assert.strictEqual(secret.metadata.annotations?.["cert-manager.io/alt-names"], "web.example.test,www.example.test")
      // 720h requested: the certificate lives 30 days.
      assert.strictEqual(Date.parse(leaf.validTo) - Date.parse(leaf.validFrom), 720 * 3_600_000)

      // The issuance left its trail: request approved and ready, events in order.
      const requests = yield* store.list(CertificateRequests, { namespace: "pki" })
      const request = requests.find((candidate) => candidate.metadata.annotations?.["cert-manager.io/certificate-name"] === "web")!
      assert.deepStrictEqual(
        request.status?.conditions?.map((condition) => `${condition.type}=${condition.status}`).sort(),
        ["Approved=True", "Ready=True"],
      )
      const reasons = (yield* store.list(Events, { namespace: "pki" }))
        .filter((event) => event.involvedObject.name === "web")
        .map((event) => event.reason)
      assert.deepStrictEqual(reasons, ["Issuing", "Generated", "Requested", "Issued"], JSON.stringify((yield* store.list(Events, { namespace: "pki" })).filter((event) => event.involvedObject.name === "web").map((e) => [e.reason, e.message, e.count])))
      // The temporary key Secret is gone once the key is in place.
      const leftovers = (yield* store.list(Secrets, { namespace: "pki" })).map((candidate) => candidate.metadata.name).sort()
      assert.deepStrictEqual(leftovers, ["root-ca", "web-tls"])
    }).pipe(Effect.scoped, Effect.provide(issuanceLayer(memoryStoreLayer, testSettings()))),
    30_000,
  )
})
