// gateway-shim on the real apiserver with the Gateway API's published CRDs:
// a Gateway annotated with cert-manager.io/issuer, applied with kubectl, gets
// one Certificate per Secret its HTTPS listeners name (listeners sharing a
// Secret share it), owned by the Gateway and issued; a listener named in
// cert-manager.io/ignore-tls-listeners, a Passthrough one and a plain HTTP
// one ask for nothing; removing a listener removes its Certificate.
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { stringify } from "yaml"
import { Certificates, Events, Gateways } from "../../../src/api/kinds.ts"
import { runIssuance } from "../../../src/controllers/issuance.ts"
import { ResourceStore } from "../../../src/store/resource-store.ts"
import { testEnvironment, uniqueName } from "../../support/env.ts"
import { e2eLayer, e2eSettings, eventually, readyCertificate, readyIssuer } from "../../support/issuance-e2e.ts"
import { createNamespaceNamed, kubectlApply } from "../../support/kube.ts"

const env = testEnvironment()

type Listener = { name: string; hostname?: string; port: number; protocol: string; tls?: { mode?: string; certificateRefs?: ReadonlyArray<{ name: string }> } }
const https = (name: string, hostname: string, secret: string): Listener => ({ name, hostname, port: 443, protocol: "HTTPS", tls: { mode: "Terminate", certificateRefs: [{ name: secret }] } })
const gatewayYaml = (namespace: string, annotations: Record<string, string>, listeners: ReadonlyArray<Listener>) =>
  stringify({ apiVersion: "gateway.networking.k8s.io/v1", kind: "Gateway", metadata: { name: "edge", namespace, annotations }, spec: { gatewayClassName: "example", listeners } })

describe("gateway-shim", () => {
  const namespace = uniqueName("gateway")
  it.live("issues the Certificates a Gateway's TLS listeners ask for, and follows the Gateway", () =>
    Effect.gen(function* () {
      yield* Effect.promise(() => createNamespaceNamed(env, namespace))
      const store = yield* ResourceStore
      yield* runIssuance
      const apply = (yaml: string) => Effect.sync(() => kubectlApply(env, yaml))
      yield* apply(stringify({ apiVersion: "cert-manager.io/v1", kind: "Issuer", metadata: { name: "self", namespace }, spec: { selfSigned: {} } }))
      yield* eventually("the Issuer to be Ready", readyIssuer(namespace, "self"))
      const annotations = { "cert-manager.io/issuer": "self", "cert-manager.io/ignore-tls-listeners": "internal" }
      yield* apply(gatewayYaml(namespace, annotations, [
        https("www", "www.example.test", "site-tls"),
        https("apex", "example.test", "site-tls"),
        https("api", "api.example.test", "api-tls"),
        https("internal", "internal.example.test", "internal-tls"),
        { name: "passthrough", hostname: "db.example.test", port: 8443, protocol: "TLS", tls: { mode: "Passthrough" } },
        { name: "http", hostname: "www.example.test", port: 80, protocol: "HTTP" },
      ]))
      const gateway = yield* store.get(Gateways, { namespace, name: "edge" })
      const site = yield* eventually("the shared Secret's Certificate to be Ready", readyCertificate(namespace, "site-tls"), 60)
      assert.deepStrictEqual([...(site.spec.dnsNames ?? [])].sort(), ["example.test", "www.example.test"])
      assert.deepStrictEqual(site.metadata.ownerReferences?.map((owner) => [owner.kind, owner.name, owner.uid]), [["Gateway", "edge", gateway.metadata.uid]])
      assert.strictEqual(site.metadata.annotations?.["acme.cert-manager.io/http01-parentrefkind"], "Gateway")
      assert.strictEqual(site.metadata.annotations?.["acme.cert-manager.io/http01-parentrefname"], "edge")
      yield* eventually("the api Certificate to be Ready", readyCertificate(namespace, "api-tls"), 60)
      const names = (yield* store.list(Certificates, { namespace })).map((certificate) => certificate.metadata.name).sort()
      assert.deepStrictEqual(names, ["api-tls", "site-tls"])

      yield* apply(gatewayYaml(namespace, annotations, [https("www", "www.example.test", "site-tls")]))
      yield* eventually("the removed listener's Certificate to go", store.list(Certificates, { namespace }).pipe(Effect.map((all) => (all.length === 1 ? all : undefined))))
      const events = yield* store.list(Events, { namespace })
      assert.isTrue(events.some((event) => event.involvedObject.kind === "Gateway" && event.reason === "DeleteCertificate" && (event.message ?? "").includes("api-tls")))
    }).pipe(Effect.scoped, Effect.provide(e2eLayer(env, e2eSettings(env, { namespace, enableGatewayApi: true })))),
    90_000,
  )
})
