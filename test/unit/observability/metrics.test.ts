// /metrics' content for a store holding Certificates and Challenges in known
// states, parsed back with the strict parser.
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { TestClock } from "effect/testing"
import { AcmeAccounts } from "../../../src/acme/accounts.ts"
import type { Challenge } from "../../../src/api/acme-challenge.ts"
import type { Certificate } from "../../../src/api/certificate.ts"
import { Certificates, Challenges } from "../../../src/api/kinds.ts"
import type { KubeObject } from "../../../src/api/meta.ts"
import type { ResourceType } from "../../../src/api/resource-type.ts"
import { defaultIssuanceSettings, IssuanceSettings } from "../../../src/settings/issuance-settings.ts"
import { GitSyncMetrics } from "../../../src/metrics/git-sync-metrics.ts"
import { metricsLayer, scrapeMetrics } from "../../../src/observability/metrics.ts"
import { ReconcileMetrics } from "../../../src/metrics/reconcile-metrics.ts"
import { memoryStoreLayer } from "../../../src/store/memory.ts"
import { ResourceStore } from "../../../src/store/resource-store.ts"
import { parseExposition, sampleValue, samplesWith } from "../../support/prometheus-text.ts"

/** Creates the object, then writes its status as a controller would (status is a subresource). */
const seed = <A extends KubeObject & { readonly status?: unknown }>(type: ResourceType<A>, object: A) =>
  Effect.gen(function* () {
    const store = yield* ResourceStore
    const created = yield* store.create(type, object)
    if (object.status !== undefined) yield* store.updateStatus(type, { ...created, status: object.status })
  })

const certificate = (namespace: string, name: string, issuerRef: Certificate["spec"]["issuerRef"], status?: Certificate["status"]): Certificate => ({
  apiVersion: "cert-manager.io/v1",
  kind: "Certificate",
  metadata: { name, namespace },
  spec: { secretName: `${name}-tls`, dnsNames: [`${name}.example.test`], issuerRef },
  ...(status === undefined ? {} : { status }),
})

const challenge = (name: string, status: Challenge["status"]): Challenge => ({
  apiVersion: "acme.cert-manager.io/v1",
  kind: "Challenge",
  metadata: { name, namespace: "web" },
  spec: {
    url: "https://acme.test/chall/1",
    authorizationURL: "https://acme.test/authz/1",
    dnsName: `${name}.example.test`,
    type: "HTTP-01",
    token: "token",
    key: "token.thumbprint",
    solver: { http01: { ingress: {} } },
    issuerRef: { name: "acme" },
  },
  ...(status === undefined ? {} : { status }),
})

const acmeCounts = Layer.succeed(
  AcmeAccounts,
  AcmeAccounts.of({
    clientFor: () => Effect.die("unused"), client: () => {
      throw new Error("no ACME client in this test")
    },
    requestCounts: () => [
      { operation: "newOrder", status: "201", count: 3 },
      { operation: "newNonce", status: "error", count: 1 },
      // Not a real operation: a label value that needs every escape.
      { operation: 'odd "op"\\\n', status: "400", count: 2 },
    ],
  }),
)

const notAfter = "2030-01-01T00:00:00Z"
const renewal = "2029-12-02T00:00:00Z"

const fixtures = Effect.gen(function* () {
  yield* seed(
    Certificates,
    certificate("web", "ready", { name: "ca", kind: "ClusterIssuer" }, {
      conditions: [{ type: "Ready", status: "True", reason: "Ready", message: "Certificate is up to date and has not expired" }],
      notAfter,
      renewalTime: renewal,
    }),
  )
  yield* seed(
    Certificates,
    certificate("web", "failing", { name: "acme" }, { conditions: [{ type: "Ready", status: "False", reason: "Failed", message: "order invalid" }] }),
  )
  yield* seed(Certificates, certificate("web", "fresh", { name: "acme", kind: "Issuer" }))
  yield* seed(Certificates, certificate("other", "elsewhere", { name: "ca", kind: "ClusterIssuer" }))
  yield* seed(Challenges, challenge("queued-1", undefined))
  yield* seed(Challenges, challenge("queued-2", { processing: false, state: "pending" }))
  yield* seed(Challenges, challenge("busy", { processing: true, presented: true, state: "pending" }))
  yield* seed(Challenges, challenge("done", { processing: false, state: "valid" }))
  yield* seed(Challenges, challenge("failed", { processing: false, state: "invalid" }))
})

const layer = Layer.mergeAll(memoryStoreLayer, acmeCounts, metricsLayer)

describe("/metrics content", () => {
  it.effect("reports each Certificate's expiry, renewal and Ready status in cert-manager's shape", () =>
    Effect.gen(function* () {
      yield* fixtures
      const families = parseExposition(yield* scrapeMetrics)
      const labels = (namespace: string, name: string, issuer_name: string, issuer_kind: string) => ({ name, namespace, issuer_name, issuer_kind })

      assert.strictEqual(families.get("certops_certificate_expiration_timestamp_seconds")?.type, "gauge")
      assert.strictEqual(sampleValue(families, "certops_certificate_expiration_timestamp_seconds", labels("web", "ready", "ca", "ClusterIssuer")), Date.parse(notAfter) / 1000)
      assert.strictEqual(sampleValue(families, "certops_certificate_renewal_timestamp_seconds", labels("web", "ready", "ca", "ClusterIssuer")), Date.parse(renewal) / 1000)
      // Never issued: no expiry to report.
      assert.lengthOf(samplesWith(families, "certops_certificate_expiration_timestamp_seconds"), 1)
      assert.lengthOf(samplesWith(families, "certops_certificate_renewal_timestamp_seconds"), 1)

      const ready = (namespace: string, name: string) =>
        Object.fromEntries(["True", "False", "Unknown"].map((condition) => [condition, sampleValue(families, "certops_certificate_ready_status", { name, namespace, condition })]))
      assert.deepStrictEqual(ready("web", "ready"), { True: 1, False: 0, Unknown: 0 })
      assert.deepStrictEqual(ready("web", "failing"), { True: 0, False: 1, Unknown: 0 })
      assert.deepStrictEqual(ready("web", "fresh"), { True: 0, False: 0, Unknown: 1 })
      assert.deepStrictEqual(ready("other", "elsewhere"), { True: 0, False: 0, Unknown: 1 })
    }).pipe(Effect.provide(layer)),
  )

  it.effect("counts queued and processing Challenges, leaving finished ones out", () =>
    Effect.gen(function* () {
      yield* fixtures
      const families = parseExposition(yield* scrapeMetrics)
      assert.strictEqual(sampleValue(families, "certops_challenges", { state: "queued" }), 2)
      assert.strictEqual(sampleValue(families, "certops_challenges", { state: "processing" }), 1)
    }).pipe(Effect.provide(layer)),
  )

  it.effect("reports ACME requests as a counter, escaping label values", () =>
    Effect.gen(function* () {
      const text = yield* scrapeMetrics
      const families = parseExposition(text)
      assert.strictEqual(families.get("certops_acme_client_requests_total")?.type, "counter")
      assert.strictEqual(sampleValue(families, "certops_acme_client_requests_total", { operation: "newOrder", status: "201" }), 3)
      assert.strictEqual(sampleValue(families, "certops_acme_client_requests_total", { operation: "newNonce", status: "error" }), 1)
      assert.strictEqual(sampleValue(families, "certops_acme_client_requests_total", { operation: 'odd "op"\\\n', status: "400" }), 2)
      assert.include(text, 'operation="odd \\"op\\"\\\\\\n"')
    }).pipe(Effect.provide(layer)),
  )

  it.effect("reports reconciles and the last Git sync, its age taken at scrape time", () =>
    Effect.gen(function* () {
      assert.isFalse((yield* scrapeMetrics).includes("certops_git_"), "nothing before the first sync")
      yield* TestClock.setTime(Date.parse("2026-03-01T12:00:00Z"))
      yield* (yield* GitSyncMetrics).recordSync("0123456789abcdef0123456789abcdef01234567", Date.parse("2026-03-01T11:59:00Z"))
      yield* (yield* ReconcileMetrics).observe("certificates", 0.04, false)
      yield* TestClock.adjust("30 seconds")
      const families = parseExposition(yield* scrapeMetrics)
      assert.strictEqual(sampleValue(families, "certops_git_last_sync_timestamp_seconds"), Date.parse("2026-03-01T11:59:00Z") / 1000)
      assert.strictEqual(sampleValue(families, "certops_git_sync_age_seconds"), 90)
      assert.strictEqual(sampleValue(families, "certops_git_last_applied_commit_info", { commit: "0123456789abcdef0123456789abcdef01234567" }), 1)
      assert.strictEqual(sampleValue(families, "certops_reconcile_errors_total", { controller: "certificates" }), 1)
      assert.strictEqual(sampleValue(families, "certops_reconcile_duration_seconds_bucket", { controller: "certificates", le: "0.05" }), 1)
    }).pipe(Effect.provide(layer)),
  )

  it.effect("reports only the daemon's namespace when it is scoped to one", () =>
    Effect.gen(function* () {
      yield* fixtures
      const families = yield* Effect.map(scrapeMetrics, parseExposition).pipe(Effect.provideService(IssuanceSettings, { ...defaultIssuanceSettings, namespace: "other" }))
      assert.deepStrictEqual(
        samplesWith(families, "certops_certificate_ready_status", { condition: "Unknown" }).map((sample) => `${sample.labels["namespace"]}/${sample.labels["name"]}`),
        ["other/elsewhere"],
      )
      assert.strictEqual(sampleValue(families, "certops_challenges", { state: "queued" }), 0)
    }).pipe(Effect.provide(layer)),
  )
})
