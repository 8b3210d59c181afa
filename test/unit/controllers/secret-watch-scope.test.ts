// Controllers watch only certops' own Secrets (a namespace-wide watch would
// hold every Secret of the cluster in memory), so a Secret a user writes is
// found by the issuer's timed re-check instead of a watch event.
import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect } from "effect"
import { Certificates, Issuers, Secrets } from "../../../src/api/kinds.ts"
import { certificateRequestReconciler } from "../../../src/controllers/certificaterequests/certificaterequest-reconciler.ts"
import { makeCertificateReconciler } from "../../../src/controllers/certificates/certificate-reconciler.ts"
import { makeChallengeReconciler } from "../../../src/controllers/challenges/challenge-reconciler.ts"
import { makeChallengeScheduler } from "../../../src/scheduler/challenge-scheduler.ts"
import { clusterIssuerReconciler, issuerReconciler } from "../../../src/controllers/issuers/issuer-reconciler.ts"
import { makeOrderReconciler } from "../../../src/controllers/orders/order-reconciler.ts"
import type { Reconciler } from "../../../src/runtime/reconciler.ts"
import { managedSecretsSelector } from "../../../src/api/annotations.ts"
import { memoryStoreLayer } from "../../../src/store/memory.ts"
import { ResourceStore } from "../../../src/store/resource-store.ts"
import { issuanceLayer, startIssuance, testSettings } from "../../support/issuance-harness.ts"
import { eventually } from "../../support/poll.ts"

const reconcilers: ReadonlyArray<Reconciler<any, unknown, any>> = [
  makeCertificateReconciler(),
  certificateRequestReconciler,
  issuerReconciler,
  clusterIssuerReconciler,
  makeOrderReconciler(),
  makeChallengeReconciler(makeChallengeScheduler()),
]

const issuerReady = (name: string) =>
  ResourceStore.use((store) => store.get(Issuers, { namespace: "pki", name })).pipe(
    Effect.map((issuer) => issuer.status?.conditions?.find((condition) => condition.type === "Ready")),
  )

describe("Secret watches", () => {
  it("every reconciler that watches Secrets selects certops' own", () => {
    const secretWatches = reconcilers.flatMap((reconciler) =>
      (reconciler.secondaries ?? []).filter((secondary) => secondary.type === Secrets).map((secondary) => ({ reconciler: reconciler.name, labelSelector: secondary.labelSelector })),
    )
    assert.isAtLeast(secretWatches.length, 3)
    for (const watch of secretWatches) assert.strictEqual(watch.labelSelector, managedSecretsSelector, `${watch.reconciler} watches Secrets`)
    assert.isTrue(reconcilers.every((reconciler) => reconciler.type !== Secrets))
  })

  it.live("a CA issuer finds the key pair a user creates later, without a watch event", () =>
    Effect.gen(function* () {
      const store = yield* ResourceStore
      yield* startIssuance
      // A CA key pair made by certops (labelled), copied into a Secret of the user's (no labels).
      yield* store.create(Issuers, { apiVersion: "cert-manager.io/v1", kind: "Issuer", metadata: { name: "bootstrap", namespace: "pki" }, spec: { selfSigned: {} } })
      yield* store.create(Certificates, {
        apiVersion: "cert-manager.io/v1",
        kind: "Certificate",
        metadata: { name: "root-ca", namespace: "pki" },
        spec: { secretName: "root-ca", commonName: "user root", isCA: true, privateKey: { algorithm: "ECDSA", size: 256 }, issuerRef: { name: "bootstrap" } },
      })
      const made = yield* eventually(
        "the CA key pair",
        store.get(Secrets, { namespace: "pki", name: "root-ca" }).pipe(
          Effect.map((secret) => (secret.data?.["tls.crt"] === undefined ? undefined : secret)),
          Effect.orElseSucceed(() => undefined),
        ),
      )

      yield* store.create(Issuers, { apiVersion: "cert-manager.io/v1", kind: "Issuer", metadata: { name: "users-ca", namespace: "pki" }, spec: { ca: { secretName: "users-ca" } } })
      const missing = yield* eventually("the issuer to say its key pair is missing", issuerReady("users-ca").pipe(Effect.map((ready) => (ready?.status === "False" ? ready : undefined))))
      assert.match(missing.message ?? "", /users-ca/)

      yield* store.create(Secrets, { apiVersion: "v1", kind: "Secret", metadata: { name: "users-ca", namespace: "pki" }, type: "kubernetes.io/tls", data: made.data ?? {} })
      const started = Date.now()
      yield* eventually("the issuer to become Ready", issuerReady("users-ca").pipe(Effect.map((ready) => (ready?.status === "True" ? ready : undefined))))
      // Found by the re-check (1 s here), not at once by a watch event, nor never.
      assert.isAtLeast(Date.now() - started, 200)
    }).pipe(Effect.scoped, Effect.provide(issuanceLayer(memoryStoreLayer, testSettings({ issuerSecretRecheck: Duration.seconds(1) })))),
    30_000,
  )
})
