// Helpers for end-to-end issuance tests against the real apiserver, pebble
// and bind9: the issuance stack on the kubernetes store, objects, waits.
import { Effect, Layer } from "effect"
import type { Certificate } from "../../src/api/certificate.ts"
import type { AcmeChallengeSolver, Issuer } from "../../src/api/issuer.ts"
import type { DnsServer } from "../env/bind9.ts"
import type { Secret } from "../../src/api/core.ts"
import { Certificates, Issuers, Secrets } from "../../src/api/kinds.ts"
import { runIssuance } from "../../src/controllers/issuance.ts"
import type { IssuanceSettings } from "../../src/settings/issuance-settings.ts"
import { challengeSolversLayer } from "../../src/solvers/challenge-solvers.ts"
import { http01ResponderLayer } from "../../src/solvers/http01/http01-responder.ts"
import { kubeSolverWebhooksLayer } from "../../src/solvers/dns01/solver-webhooks.ts"
import { kubeClientLayer } from "../../src/store/kubernetes/client.ts"
import { kubernetesStoreFromClient } from "../../src/store/kubernetes/layer.ts"
import { ResourceStore } from "../../src/store/resource-store.ts"
import type { TestEnvironment } from "../env/environment.ts"
import { issuanceLayer, testSettings } from "./issuance-harness.ts"

import { eventually } from "./poll.ts"
import { createNamespaceNamed } from "./kube.ts"

export { eventually }

export const e2eSettings = (env: TestEnvironment, overrides: Partial<IssuanceSettings> = {}): IssuanceSettings =>
  testSettings({
    http01SolverPort: env.acme.httpPort,
    http01SelfCheckPort: env.acme.httpPort,
    selfCheckNameservers: [`${env.dns.host}:${env.dns.port}`],
    // bind9 is the only nameserver, on a port of its own: its NS records say port 53.
    selfCheckRecursiveOnly: true,
    ...overrides,
  })

/** The issuance services on the kubernetes store, with certops' own HTTP-01 responder and webhook solvers through the API server. */
export const e2eLayer = (env: TestEnvironment, settings: IssuanceSettings) => {
  const client = kubeClientLayer({ kubeconfigPath: env.kube.kubeconfig })
  const solvers = challengeSolversLayer.pipe(Layer.provide(kubeSolverWebhooksLayer.pipe(Layer.provide(client))))
  return issuanceLayer(kubernetesStoreFromClient().pipe(Layer.provide(client)), settings, Layer.mergeAll(solvers, http01ResponderLayer()))
}

/** bind9's TSIG key as an RFC 2136 solver's Secret ("tsig", key "secret"). */
export const tsigSecret = (namespace: string, dns: DnsServer) => ({
  apiVersion: "v1" as const,
  kind: "Secret" as const,
  metadata: { name: "tsig", namespace },
  data: { secret: Buffer.from(dns.tsig.secret).toString("base64") },
})

/** An RFC 2136 solver updating bind9, its key in tsigSecret's Secret. */
export const rfc2136Solver = (dns: DnsServer, cnameStrategy?: "Follow"): AcmeChallengeSolver => ({
  dns01: {
    ...(cnameStrategy === undefined ? {} : { cnameStrategy }),
    rfc2136: { nameserver: `${dns.host}:${dns.port}`, tsigKeyName: dns.tsig.name, tsigAlgorithm: "HMACSHA256", tsigSecretSecretRef: { name: "tsig", key: "secret" } },
  },
})

export const acmeIssuer = (env: TestEnvironment, namespace: string, name: string, solvers: NonNullable<Issuer["spec"]["acme"]>["solvers"]): Issuer => ({
  apiVersion: "cert-manager.io/v1",
  kind: "Issuer",
  metadata: { name, namespace },
  spec: {
    acme: {
      server: env.acme.directoryUrl,
      email: "ops@certops.test",
      privateKeySecretRef: { name: `${name}-account` },
      caBundle: Buffer.from(env.acme.tlsCaPem).toString("base64"),
      ...(solvers === undefined ? {} : { solvers }),
    },
  },
})

export const certificateFor = (namespace: string, name: string, issuer: string, dnsNames: ReadonlyArray<string>): Certificate => ({
  apiVersion: "cert-manager.io/v1",
  kind: "Certificate",
  metadata: { name, namespace },
  spec: { secretName: `${name}-tls`, dnsNames: [...dnsNames], issuerRef: { name: issuer } },
})

const conditionIs = (conditions: ReadonlyArray<{ type: string; status: string }> | undefined, type: string, status: string) =>
  conditions?.some((condition) => condition.type === type && condition.status === status) ?? false

/**
 * A namespace for one test, the issuance controllers running, the given
 * Secrets, then `issuer` created there and Ready: the store, for the test's own objects.
 */
export const readyIssuerIn = (env: TestEnvironment, issuer: Issuer, secrets: ReadonlyArray<Secret> = []) =>
  Effect.gen(function* () {
    const namespace = issuer.metadata.namespace ?? ""
    yield* Effect.promise(() => createNamespaceNamed(env, namespace))
    const store = yield* ResourceStore
    yield* runIssuance
    for (const secret of secrets) yield* store.create(Secrets, secret)
    yield* store.create(Issuers, issuer)
    yield* eventually("the Issuer to be Ready", readyIssuer(namespace, issuer.metadata.name))
    return store
  })

export const readyIssuer = (namespace: string, name: string) =>
  ResourceStore.use((store) => store.get(Issuers, { namespace, name })).pipe(
    Effect.map((issuer) => (conditionIs(issuer.status?.conditions, "Ready", "True") ? issuer : undefined)),
  )

export const readyCertificate = (namespace: string, name: string) =>
  ResourceStore.use((store) => store.get(Certificates, { namespace, name })).pipe(
    Effect.map((certificate) => (conditionIs(certificate.status?.conditions, "Ready", "True") ? certificate : undefined)),
  )
