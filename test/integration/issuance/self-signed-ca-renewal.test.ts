// With no ACME server: a SelfSigned ClusterIssuer bootstraps a CA, a CA Issuer
// signs from it, and a short-lived certificate renews on time (its Secret's
// serial changes) — all on the real apiserver.
import { X509Certificate } from "node:crypto"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { Certificates, ClusterIssuers, Issuers, Secrets } from "../../../src/api/kinds.ts"
import { runIssuance } from "../../../src/controllers/issuance.ts"
import { ResourceStore } from "../../../src/store/resource-store.ts"
import { testEnvironment, uniqueName } from "../../support/env.ts"
import { e2eLayer, e2eSettings, eventually, readyCertificate } from "../../support/issuance-e2e.ts"
import { createNamespaceNamed, kubectl } from "../../support/kube.ts"

const env = testEnvironment()

const serialOf = (namespace: string, name: string) =>
  ResourceStore.use((store) => store.get(Secrets, { namespace, name }, { fresh: true })).pipe(
    Effect.map((secret) => new X509Certificate(Buffer.from(secret.data?.["tls.crt"] ?? "", "base64")).serialNumber),
  )

describe("SelfSigned → CA issuance and renewal", () => {
  const namespace = uniqueName("pki")
  it.live("issues through a SelfSigned-bootstrapped CA and renews a short-lived certificate on time", () =>
    Effect.gen(function* () {
      const store = yield* ResourceStore
      yield* Effect.promise(() => createNamespaceNamed(env, namespace))
      yield* runIssuance
      const bootstrap = `bootstrap-${namespace}`
      yield* store.create(ClusterIssuers, { apiVersion: "cert-manager.io/v1", kind: "ClusterIssuer", metadata: { name: bootstrap }, spec: { selfSigned: {} } })
      yield* store.create(Certificates, {
        apiVersion: "cert-manager.io/v1",
        kind: "Certificate",
        metadata: { name: "root", namespace },
        spec: { secretName: "root", commonName: "certops e2e root", isCA: true, issuerRef: { name: bootstrap, kind: "ClusterIssuer" } },
      })
      yield* store.create(Issuers, { apiVersion: "cert-manager.io/v1", kind: "Issuer", metadata: { name: "ca", namespace }, spec: { ca: { secretName: "root" } } })
      yield* store.create(Certificates, {
        apiVersion: "cert-manager.io/v1",
        kind: "Certificate",
        metadata: { name: "short", namespace },
        spec: { secretName: "short-tls", dnsNames: ["short.example.test"], duration: "20s", renewBefore: "12s", issuerRef: { name: "ca" } },
      })
      const first = yield* eventually("the short-lived certificate", readyCertificate(namespace, "short"))
      const firstSerial = yield* serialOf(namespace, "short-tls")
      const renewal = Date.parse(first.status?.renewalTime ?? "")
      const notAfter = Date.parse(first.status?.notAfter ?? "")
      assert.strictEqual(notAfter - renewal, 12_000)

      const renewed = yield* eventually(
        "a renewed certificate",
        ResourceStore.use((s) => s.get(Certificates, { namespace, name: "short" })).pipe(Effect.map((c) => ((c.status?.revision ?? 0) >= 2 ? c : undefined))),
        30,
      )
      const renewedAt = Date.now()
      assert.isAtLeast(renewedAt, renewal - 1_000, "not renewed early")
      assert.isBelow(renewedAt, notAfter, "renewed before it expired")
      assert.notStrictEqual(yield* serialOf(namespace, "short-tls"), firstSerial)
      assert.isTrue(renewed.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"))

      // What kubectl shows: the CA issuer ready, the leaf issued from it.
      assert.match(kubectl(env, ["get", "issuers", "-n", namespace]), /^ca\s+True\s+/m)
      const describe = kubectl(env, ["describe", "certificate", "-n", namespace, "short"])
      assert.match(describe, /Normal\s+Issued\s+.*The certificate has been successfully issued/)
      assert.match(describe, /Renewing certificate as renewal was scheduled at/)
    }).pipe(Effect.scoped, Effect.provide(e2eLayer(env, e2eSettings(env, { namespace })))),
    90_000,
  )
})
