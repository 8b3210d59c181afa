// Helpers for end-to-end issuance tests against the real apiserver, pebble
// and bind9: the issuance stack on the kubernetes store, objects, waits.
import { Effect, Layer } from "effect"
import type { Certificate } from "../../src/api/certificate.ts"
import type { Issuer } from "../../src/api/issuer.ts"
import { Certificates, Issuers } from "../../src/api/kinds.ts"
import type { IssuanceSettings } from "../../src/settings/issuance-settings.ts"
import { challengeSolversLayer } from "../../src/solvers/challenge-solvers.ts"
import { http01ResponderLayer } from "../../src/solvers/http01/http01-responder.ts"
import { kubernetesStoreLayer } from "../../src/store/kubernetes/layer.ts"
import { ResourceStore } from "../../src/store/resource-store.ts"
import type { TestEnvironment } from "../env/environment.ts"
import { issuanceLayer, testSettings } from "./issuance-harness.ts"

export { eventually } from "./poll.ts"

export const e2eSettings = (env: TestEnvironment, overrides: Partial<IssuanceSettings> = {}): IssuanceSettings =>
  testSettings({
    http01SolverPort: env.acme.httpPort,
    http01SelfCheckPort: env.acme.httpPort,
    selfCheckNameservers: [`${env.dns.host}:${env.dns.port}`],
    ...overrides,
  })

/** The issuance services on the kubernetes store, with certops' own HTTP-01 responder. */
export const e2eLayer = (env: TestEnvironment, settings: IssuanceSettings) =>
  issuanceLayer(kubernetesStoreLayer({ kubeconfigPath: env.kube.kubeconfig }), settings, Layer.mergeAll(challengeSolversLayer, http01ResponderLayer()))

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

export const readyIssuer = (namespace: string, name: string) =>
  ResourceStore.use((store) => store.get(Issuers, { namespace, name })).pipe(
    Effect.map((issuer) => (conditionIs(issuer.status?.conditions, "Ready", "True") ? issuer : undefined)),
  )

export const readyCertificate = (namespace: string, name: string) =>
  ResourceStore.use((store) => store.get(Certificates, { namespace, name })).pipe(
    Effect.map((certificate) => (conditionIs(certificate.status?.conditions, "Ready", "True") ? certificate : undefined)),
  )
