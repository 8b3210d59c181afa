// gateway-shim on the real apiserver with the Gateway API's published CRDs:
// a Gateway annotated with cert-manager.io/issuer, applied with kubectl, gets
// one Certificate per Secret its HTTPS listeners name (listeners sharing a
// Secret share it), owned by the Gateway and issued; a listener named in
// cert-manager.io/ignore-tls-listeners, a Passthrough one and a plain HTTP
// one ask for nothing; removing a listener removes its Certificate.
import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Stream } from "effect"
import { stringify } from "yaml"
import type { HTTPRoute } from "../../../src/api/gateway.ts"
import { Certificates, Events, Gateways, HTTPRoutes } from "../../../src/api/kinds.ts"
import { testEnvironment, uniqueName } from "../../support/env.ts"
import { acmeIssuer, e2eLayer, e2eSettings, eventually, readyCertificate, readyIssuerIn } from "../../support/issuance-e2e.ts"
import { kubectlApply } from "../../support/kube.ts"

const env = testEnvironment()

type Listener = { name: string; hostname?: string; port: number; protocol: string; tls?: { mode?: string; certificateRefs?: ReadonlyArray<{ name: string }> } }
const https = (name: string, hostname: string, secret: string): Listener => ({ name, hostname, port: 443, protocol: "HTTPS", tls: { mode: "Terminate", certificateRefs: [{ name: secret }] } })
const apply = (yaml: string) => Effect.sync(() => kubectlApply(env, yaml))
const gatewayYaml = (namespace: string, annotations: Record<string, string>, listeners: ReadonlyArray<Listener>) =>
  stringify({ apiVersion: "gateway.networking.k8s.io/v1", kind: "Gateway", metadata: { name: "edge", namespace, annotations }, spec: { gatewayClassName: "example", listeners } })

describe("gateway-shim", () => {
  const namespace = uniqueName("gateway")
  it.live("issues the Certificates a Gateway's TLS listeners ask for, and follows the Gateway", () =>
    Effect.gen(function* () {
      const store = yield* readyIssuerIn(env, { apiVersion: "cert-manager.io/v1", kind: "Issuer", metadata: { name: "self", namespace }, spec: { selfSigned: {} } })
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

describe("HTTP-01 through the Gateway API (http01.gatewayHTTPRoute)", () => {
  const namespace = uniqueName("httproute")
  it.live("answers each challenge through an HTTPRoute attached to the Certificate's Gateway, removed afterwards", () =>
    Effect.gen(function* () {
      // No parentRefs on the solver: the Gateway the Certificate comes from is the parent.
      const store = yield* readyIssuerIn(env, acmeIssuer(env, namespace, "letsencrypt", [{ http01: { gatewayHTTPRoute: { labels: { team: "edge" } } } }]))
      const routes: Array<HTTPRoute> = []
      const watching = yield* Effect.forkChild(store.watch(HTTPRoutes, { namespace }).pipe(Stream.runForEach((event) => Effect.sync(() => routes.push(event.object)))))
      const host = `${uniqueName("route")}.${env.dns.zone}`
      yield* apply(gatewayYaml(namespace, { "cert-manager.io/issuer": "letsencrypt" }, [https("site", host, "site-tls")]))
      const certificate = yield* eventually("the Certificate to be Ready", readyCertificate(namespace, "site-tls"), 90)
      assert.deepStrictEqual(certificate.spec.dnsNames, [host])
      const route = routes[0]
      assert.isDefined(route, "an HTTPRoute was made for the challenge")
      assert.deepStrictEqual(route!.spec.parentRefs, [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: "edge", namespace }])
      assert.deepStrictEqual(route!.spec.hostnames, [host])
      assert.match(route!.spec.rules?.[0]?.matches?.[0]?.path?.value ?? "", /^\/\.well-known\/acme-challenge\/.+/)
      assert.deepStrictEqual(route!.spec.rules?.[0]?.backendRefs, [{ group: "", kind: "Service", name: "certops-acme-http01", port: 8089, weight: 1 }])
      assert.strictEqual(route!.metadata.labels?.["team"], "edge")
      assert.strictEqual(route!.metadata.ownerReferences?.[0]?.kind, "Challenge")
      yield* eventually("the HTTPRoute to be removed", store.list(HTTPRoutes, { namespace }).pipe(Effect.map((all) => (all.length === 0 ? all : undefined))), 30)
      yield* Fiber.interrupt(watching)
    }).pipe(Effect.scoped, Effect.provide(e2eLayer(env, e2eSettings(env, { namespace, enableGatewayApi: true, http01IngressService: { name: "certops-acme-http01", port: 8089 } })))),
    120_000,
  )
})
