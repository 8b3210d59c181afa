import { Effect, Layer } from "effect"
import { Certificates, ClusterIssuers } from "../../../src/api/kinds.ts"
import { embeddedStoreLayer } from "../../../src/store/embedded/embedded-store.ts"
import { ResourceStore } from "../../../src/store/resource-store.ts"
import { issuanceLayer, startIssuance, testSettings } from "../../support/issuance-harness.ts"

const dir = process.argv[2]!
await Effect.runPromise(Effect.gen(function* () {
  const store = yield* ResourceStore
  yield* startIssuance
  yield* store.create(ClusterIssuers, { apiVersion: "cert-manager.io/v1", kind: "ClusterIssuer", metadata: { name: "bootstrap" }, spec: { selfSigned: {} } })
  yield* store.create(Certificates, { apiVersion: "cert-manager.io/v1", kind: "Certificate", metadata: { name: "web", namespace: "pki" }, spec: { secretName: "web-tls", dnsNames: ["web.example.test"], issuerRef: { name: "bootstrap", kind: "ClusterIssuer" } } })
  yield* store.create(Certificates, { apiVersion: "cert-manager.io/v1", kind: "Certificate", metadata: { name: "orphan", namespace: "pki" }, spec: { secretName: "orphan-tls", dnsNames: ["orphan.example.test"], issuerRef: { name: "missing", kind: "ClusterIssuer" } } })
  yield* Effect.sleep("1500 millis")
}).pipe(Effect.scoped, Effect.provide(issuanceLayer(embeddedStoreLayer(dir + "/store"), testSettings()))))
