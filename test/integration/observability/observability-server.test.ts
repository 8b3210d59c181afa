// The observability server and `certops status` against the real apiserver:
// probes before and after readiness, /metrics for Certificates issued by a
// SelfSigned ClusterIssuer and by ACME over HTTP-01 (pebble), and the status
// command walking ACME chains through Orders and Challenges by owner uid,
// one of them stuck at a self check that cannot pass.
import { execFile } from "node:child_process"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { Certificates, Challenges, ClusterIssuers, Issuers } from "../../../src/api/kinds.ts"
import { runIssuance } from "../../../src/controllers/issuance.ts"
import { exposition } from "../../../src/metrics/exposition.ts"
import { observabilityServerLayer, ObservabilityServer } from "../../../src/observability/http.ts"
import { metricsLayer } from "../../../src/observability/metrics.ts"
import { makeReadinessGate, storeAnswers } from "../../../src/observability/readiness.ts"
import type { CertificateReport } from "../../../src/observability/status/model.ts"
import type { CertificateTable } from "../../../src/observability/status/status-report.ts"
import { ResourceStore } from "../../../src/store/resource-store.ts"
import { freePort } from "../../env/ports.ts"
import { testEnvironment, uniqueName } from "../../support/env.ts"
import { acmeIssuer, certificateFor, e2eLayer, e2eSettings, eventually, readyCertificate, readyIssuer } from "../../support/issuance-e2e.ts"
import { createNamespaceNamed } from "../../support/kube.ts"
import { parseExposition, sampleValue, samplesWith } from "../../support/prometheus-text.ts"

const env = testEnvironment()

const get = (port: number, path: string) =>
  Effect.promise(async () => {
    const response = await fetch(`http://127.0.0.1:${port}${path}`)
    return { status: response.status, contentType: response.headers.get("content-type"), body: await response.text() }
  })

/** The CLI as a user runs it. Asynchronous: the server and controllers under test live in this process and must keep running. */
const certops = (args: ReadonlyArray<string>) =>
  Effect.callback<{ status: number | null; stdout: string; stderr: string }>((resume) => {
    const child = execFile(
      process.execPath,
      [join(import.meta.dirname, "../../../bin/certops.js"), ...args],
      { encoding: "utf8", env: { PATH: process.env["PATH"], HOME: "/nonexistent", KUBECONFIG: env.kube.kubeconfig } },
      (error, stdout, stderr) => resume(Effect.succeed({ status: error === null ? 0 : (child.exitCode ?? 1), stdout, stderr })),
    )
  })

describe("observability on the kubernetes store", () => {
  const namespace = uniqueName("observe")
  it.live("serves probes and /metrics for issued Certificates, and certops status walks them", () =>
    Effect.gen(function* () {
      yield* Effect.promise(() => createNamespaceNamed(env, namespace))
      const store = yield* ResourceStore
      const controllers = yield* makeReadinessGate("controllers", "the issuance controllers have not started")
      const port = yield* freePort

      yield* Effect.gen(function* () {
        const server = yield* ObservabilityServer
        assert.strictEqual(server.port, port)
        assert.deepStrictEqual(yield* get(port, "/livez"), { status: 200, contentType: "text/plain", body: "ok" })
        assert.strictEqual((yield* get(port, "/nothing-here")).status, 404)
        const before = yield* get(port, "/readyz")
        assert.strictEqual(before.status, 503)
        assert.strictEqual(before.body, "[+]store ok\n[-]controllers failed: the issuance controllers have not started\nreadyz check failed\n")

        yield* runIssuance
        yield* controllers.open
        assert.deepStrictEqual(yield* get(port, "/readyz"), { status: 200, contentType: "text/plain", body: "ok" })

        const bootstrap = `bootstrap-${namespace}`
        yield* store.create(ClusterIssuers, { apiVersion: "cert-manager.io/v1", kind: "ClusterIssuer", metadata: { name: bootstrap }, spec: { selfSigned: {} } })
        yield* store.create(Certificates, {
          apiVersion: "cert-manager.io/v1",
          kind: "Certificate",
          metadata: { name: "internal", namespace },
          spec: { secretName: "internal-tls", dnsNames: ["internal.example.test"], duration: "48h", issuerRef: { name: bootstrap, kind: "ClusterIssuer" } },
        })
        yield* store.create(Certificates, certificateFor(namespace, "orphan", "missing", ["orphan.example.test"]))
        yield* store.create(Issuers, acmeIssuer(env, namespace, "acme", [{ http01: { ingress: { class: "nginx" } } }]))
        yield* eventually("the ACME Issuer to be Ready", readyIssuer(namespace, "acme"))
        yield* store.create(Certificates, certificateFor(namespace, "public", "acme", [`${uniqueName("www")}.${env.dns.zone}`]))
        // Outside the test DNS zone: the self check cannot resolve it, so its Challenge waits, presented, for ever.
        const unresolvable = `${uniqueName("stuck")}.unresolvable.test`
        yield* store.create(Certificates, certificateFor(namespace, "stuck", "acme", [unresolvable]))
        const internal = yield* eventually("the SelfSigned Certificate", readyCertificate(namespace, "internal"))
        const publicCertificate = yield* eventually("the ACME Certificate", readyCertificate(namespace, "public"), 90)
        const stuckChallenge = yield* eventually(
          "the unresolvable name's Challenge to fail its self check",
          ResourceStore.use((s) => s.list(Challenges, { namespace })).pipe(
            Effect.map((challenges) => challenges.find((challenge) => challenge.spec.dnsName === unresolvable && /no such host/.test(challenge.status?.reason ?? ""))),
          ),
          60,
        )

        const scrape = yield* get(port, "/metrics")
        assert.strictEqual(scrape.status, 200)
        assert.strictEqual(scrape.contentType, exposition.contentType)
        const families = parseExposition(scrape.body)
        const labels = (name: string, issuer_name: string, issuer_kind: string) => ({ name, namespace, issuer_name, issuer_kind })
        assert.strictEqual(
          sampleValue(families, "certops_certificate_expiration_timestamp_seconds", labels("internal", bootstrap, "ClusterIssuer")),
          Date.parse(internal.status!.notAfter!) / 1000,
        )
        assert.strictEqual(sampleValue(families, "certops_certificate_renewal_timestamp_seconds", labels("internal", bootstrap, "ClusterIssuer")), Date.parse(internal.status!.renewalTime!) / 1000)
        assert.strictEqual(sampleValue(families, "certops_certificate_expiration_timestamp_seconds", labels("public", "acme", "Issuer")), Date.parse(publicCertificate.status!.notAfter!) / 1000)
        const ready = (name: string, condition: string) => sampleValue(families, "certops_certificate_ready_status", { name, namespace, condition })
        assert.deepStrictEqual([ready("internal", "True"), ready("public", "True"), ready("orphan", "False"), ready("orphan", "True")], [1, 1, 1, 0])
        // The daemon is scoped to this namespace: nothing from the other tests' namespaces.
        assert.deepStrictEqual(new Set(samplesWith(families, "certops_certificate_ready_status").map((sample) => sample.labels["namespace"])), new Set([namespace]))
        // The valid Challenge is gone with its Order's success; the stuck one holds a slot.
        assert.strictEqual(sampleValue(families, "certops_challenges", { state: "queued" }), 0)
        assert.strictEqual(sampleValue(families, "certops_challenges", { state: "processing" }), 1)
        // An account registration, an order, a finalize: at least one 201 for newOrder, no transport errors.
        assert.isAtLeast(sampleValue(families, "certops_acme_client_requests_total", { operation: "newOrder", status: "201" }) ?? 0, 1)
        assert.deepStrictEqual(samplesWith(families, "certops_acme_client_requests_total", { status: "error" }), [])

        // certops status, as a user runs it against the same cluster.
        const table = yield* certops(["status", "--store", "kubernetes", "-n", namespace, "-o", "json"])
        assert.strictEqual(table.status, 0, table.stderr)
        assert.deepStrictEqual(
          (JSON.parse(table.stdout) as CertificateTable).certificates.map((row) => `${row.name} ${row.ready} ${row.reason}`),
          ["internal True Ready", "orphan False DoesNotExist", "public True Ready", "stuck False DoesNotExist"],
        )
        const walk = (name: string) =>
          Effect.map(certops(["status", `${namespace}/${name}`, "-o", "json"]), (result) => {
            assert.strictEqual(result.status, 0, result.stderr)
            return JSON.parse(result.stdout) as CertificateReport
          })
        const issued = yield* walk("public")
        assert.isTrue(issued.diagnosis.healthy)
        assert.deepStrictEqual(issued.requests.flatMap((request) => request.orders.map((order) => [order.state, order.events.map((event) => event.reason)])), [
          ["valid", ["Created", "OrderValid"]],
        ])

        const stuck = yield* walk("stuck")
        const order = stuck.requests[0]?.orders[0]
        assert.deepStrictEqual(
          order?.challenges.map((challenge) => [challenge.name, challenge.dnsName, challenge.state, challenge.processing, challenge.presented]),
          [[stuckChallenge.metadata.name, unresolvable, "pending", true, true]],
        )
        assert.includeMembers(order?.challenges[0]?.events.map((event) => event.reason) ?? [], ["Started", "Presented"])
        assert.strictEqual(stuck.diagnosis.stuckAt, `Challenge ${namespace}/${stuckChallenge.metadata.name}`)
        assert.match(
          stuck.diagnosis.summary,
          new RegExp(`: HTTP-01 for ${unresolvable.replaceAll(".", "\\.")} is presented and pending: Waiting for HTTP-01 challenge propagation: .*no such host$`, "i"),
        )
        const orphan = yield* certops(["status", `${namespace}/orphan`])
        assert.strictEqual(orphan.status, 0, orphan.stderr)
        assert.include(orphan.stdout, `Diagnosis: stuck at Issuer ${namespace}/missing: it does not exist; create it, or correct the Certificate's spec.issuerRef`)
      }).pipe(Effect.provide(observabilityServerLayer({ port, readiness: [storeAnswers, controllers.check] })))
    }).pipe(Effect.scoped, Effect.provide(Layer.mergeAll(e2eLayer(env, e2eSettings(env, { namespace })), metricsLayer))),
    150_000,
  )
})
