// cert-manager.io/issue-temporary-certificate on the real apiserver with an
// ACME issuer (pebble): the Secret holds a temporary certificate for the
// requested names, signed by cert-manager.local with the issuance's own key,
// before the ACME one, which then replaces it (same key, the marker gone).
// The request waits for `certops approve`-style approval (approver
// external), so the temporary certificate is there for the test to see.
import { createPrivateKey, X509Certificate } from "node:crypto"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { CertificateRequests, Certificates, Events, Secrets } from "../../../src/api/kinds.ts"
import { setCondition } from "../../../src/controllers/shared/conditions.ts"
import { testEnvironment, uniqueName } from "../../support/env.ts"
import { acmeIssuer, certificateFor, e2eLayer, e2eSettings, eventually, readyCertificate, readyIssuerIn } from "../../support/issuance-e2e.ts"

const env = testEnvironment()

describe("a temporary certificate", () => {
  const namespace = uniqueName("temporary")
  it.live("is in the Secret before the ACME one, then replaced by it", () =>
    Effect.gen(function* () {
      const store = yield* readyIssuerIn(env, acmeIssuer(env, namespace, "acme", [{ http01: { ingress: { ingressClassName: "nginx" } } }]))
      const host = `${uniqueName("temp")}.${env.dns.zone}`
      const base = certificateFor(namespace, "web", "acme", [host])
      yield* store.create(Certificates, { ...base, metadata: { ...base.metadata, annotations: { "cert-manager.io/issue-temporary-certificate": "true" } } })

      const temporary = yield* eventually("the temporary certificate", store.get(Secrets, { namespace, name: "web-tls" }, { fresh: true }).pipe(
        Effect.map((secret) => (secret.data?.["tls.crt"] === undefined ? undefined : secret)),
        Effect.orElseSucceed(() => undefined),
      ))
      const temporaryCertificate = new X509Certificate(Buffer.from(temporary.data!["tls.crt"]!, "base64"))
      assert.strictEqual(temporaryCertificate.issuer, "CN=cert-manager.local")
      assert.include(temporaryCertificate.subjectAltName ?? "", `DNS:${host}`)
      assert.isTrue(temporaryCertificate.checkPrivateKey(createPrivateKey(Buffer.from(temporary.data!["tls.key"]!, "base64"))))
      assert.strictEqual(temporary.metadata.annotations?.["cert-manager.io/certificate-name"], "web")
      assert.strictEqual(temporary.metadata.annotations?.["cert-manager.io/issuer-name"], "acme")
      assert.strictEqual(temporary.metadata.annotations?.["certops.io/temporary-certificate"], "true")
      assert.isUndefined(yield* readyCertificate(namespace, "web"))
      const events = yield* store.list(Events, { namespace })
      assert.isTrue(events.some((event) => event.reason === "Issuing" && event.message === "Issued temporary certificate"))

      // The approver decides now: the ACME order runs and its certificate replaces the temporary one.
      const [request] = yield* store.list(CertificateRequests, { namespace })
      yield* store.updateStatus(CertificateRequests, {
        ...request!,
        status: { ...request!.status, conditions: setCondition(request!.status?.conditions, { type: "Approved", status: "True", reason: "test", message: "approved by the test" }, new Date().toISOString().replace(/\.\d+Z$/, "Z")) },
      })
      yield* eventually("the ACME certificate to be Ready", readyCertificate(namespace, "web"), 90)
      const issued = yield* store.get(Secrets, { namespace, name: "web-tls" }, { fresh: true })
      const issuedCertificate = new X509Certificate(Buffer.from(issued.data!["tls.crt"]!, "base64"))
      assert.notStrictEqual(issuedCertificate.issuer, "CN=cert-manager.local")
      assert.include(issuedCertificate.subjectAltName ?? "", `DNS:${host}`)
      assert.strictEqual(issued.data!["tls.key"], temporary.data!["tls.key"], "the issued certificate is for the temporary one's key")
      assert.isUndefined(issued.metadata.annotations?.["certops.io/temporary-certificate"])
    }).pipe(Effect.scoped, Effect.provide(e2eLayer(env, e2eSettings(env, { namespace, approver: "external" })))),
    120_000,
  )
})
