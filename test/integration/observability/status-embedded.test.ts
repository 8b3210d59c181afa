// `certops status` as a child process on an embedded store: issue into a
// state directory in-process first (as `certops run` would lay it out), then
// read it with the CLI, which must leave the directory exactly as it was,
// even a temp file of a write in flight.
import { execFile } from "node:child_process"
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { Certificates, ClusterIssuers, Secrets } from "../../../src/api/kinds.ts"
import type { CertificateReport } from "../../../src/observability/status/model.ts"
import type { CertificateTable } from "../../../src/observability/status/status-report.ts"
import { embeddedStoreLayer } from "../../../src/store/embedded/embedded-store.ts"
import { ResourceStore } from "../../../src/store/resource-store.ts"
import { eventually, readyCertificate } from "../../support/issuance-e2e.ts"
import { issuanceLayer, startIssuance, testSettings } from "../../support/issuance-harness.ts"

const certops = (args: ReadonlyArray<string>) =>
  Effect.callback<{ status: number; stdout: string; stderr: string }>((resume) => {
    const child = execFile(
      process.execPath,
      [join(import.meta.dirname, "../../../bin/certops.js"), ...args],
      // No kubeconfig anywhere, so nothing but the flags decides the store.
      { encoding: "utf8", env: { PATH: process.env["PATH"], HOME: "/nonexistent" } },
      (error, stdout, stderr) => resume(Effect.succeed({ status: error === null ? 0 : (child.exitCode ?? 1), stdout, stderr })),
    )
  })

/**
 * The tree once nothing has changed in it for a moment: a file operation
 * the controllers started can finish after they were interrupted.
 */
const settledTree = (dir: string) =>
  Effect.gen(function* () {
    let previous = tree(dir)
    for (;;) {
      yield* Effect.sleep("300 millis")
      const current = tree(dir)
      if (current.join("\n") === previous.join("\n")) return current
      previous = current
    }
  })

/** Every file under dir with its size and modification time. */
const tree = (dir: string): ReadonlyArray<string> =>
  readdirSync(dir, { recursive: true, encoding: "utf8" })
    .sort()
    .map((path) => {
      const stat = statSync(join(dir, path))
      return `${path} ${stat.isDirectory() ? "dir" : stat.size} ${stat.mtimeMs}`
    })

const issue = (stateDir: string) =>
  Effect.gen(function* () {
    const store = yield* ResourceStore
    yield* startIssuance
    yield* store.create(ClusterIssuers, { apiVersion: "cert-manager.io/v1", kind: "ClusterIssuer", metadata: { name: "bootstrap" }, spec: { selfSigned: {} } })
    const certificate = (name: string, issuer: string) =>
      store.create(Certificates, {
        apiVersion: "cert-manager.io/v1",
        kind: "Certificate",
        metadata: { name, namespace: "apps" },
        spec: { secretName: `${name}-tls`, dnsNames: [`${name}.example.test`], issuerRef: { name: issuer, kind: "ClusterIssuer" } },
      })
    yield* certificate("api", "bootstrap")
    yield* certificate("shop", "bootstrap")
    yield* certificate("legacy", "retired")
    yield* eventually("api to be Ready", readyCertificate("apps", "api"), 20)
    yield* eventually("shop to be Ready", readyCertificate("apps", "shop"), 20)
    // Issued Certificates drop their temporary key Secrets last.
    yield* eventually(
      "the temporary key Secrets to be gone",
      ResourceStore.use((s) => s.list(Secrets, { namespace: "apps" })).pipe(Effect.map((secrets) => (secrets.length === 2 ? secrets : undefined))),
      20,
    )
    yield* eventually(
      "legacy to wait for its issuer",
      ResourceStore.use((s) => s.get(Certificates, { namespace: "apps", name: "legacy" })).pipe(
        Effect.map((c) => (c.status?.conditions?.some((condition) => condition.reason === "IssuerNotReady") ? c : undefined)),
      ),
      20,
    )
  }).pipe(Effect.scoped, Effect.provide(issuanceLayer(embeddedStoreLayer(join(stateDir, "store")), testSettings())))

describe("certops status on the embedded store", () => {
  it.live("prints the table and walks a Certificate from the state directory, changing nothing in it", () =>
    Effect.gen(function* () {
      const stateDir = mkdtempSync(join(tmpdir(), "certops-status-"))
      yield* Effect.addFinalizer(() => Effect.sync(() => rmSync(stateDir, { recursive: true, force: true })))
      yield* issue(stateDir)
      // A write the daemon has in flight: the embedded backend's loader would delete it.
      const inFlight = join(stateDir, "store", "objects", "certificates.cert-manager.io", "apps", ".tmp-api.json-4242-0")
      writeFileSync(inFlight, "{ half written")
      const before = yield* settledTree(stateDir)

      const table = yield* certops(["status", "--store", "embedded", "--state-dir", stateDir])
      assert.strictEqual(table.status, 0, table.stderr)
      const lines = table.stdout.trimEnd().split("\n")
      assert.match(lines[0]!, /^NAMESPACE\s+NAME\s+READY\s+SECRET\s+NOT AFTER\s+RENEWAL\s+REASON$/)
      assert.match(lines[1]!, /^apps\s+api\s+True\s+api-tls\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\s+Ready$/)
      assert.match(lines[2]!, /^apps\s+legacy\s+False\s+legacy-tls\s+<none>\s+<none>\s+DoesNotExist$/)
      assert.match(lines[3]!, /^apps\s+shop\s+True\s+shop-tls\s+/)
      assert.lengthOf(lines, 4)

      const json = yield* certops(["status", "--state-dir", stateDir, "-n", "apps", "-o", "json"])
      assert.strictEqual(json.status, 0, json.stderr)
      assert.deepStrictEqual(
        (JSON.parse(json.stdout) as CertificateTable).certificates.map((row) => [row.name, row.ready, row.secretName]),
        [["api", "True", "api-tls"], ["legacy", "False", "legacy-tls"], ["shop", "True", "shop-tls"]],
      )

      const walk = yield* certops(["status", "--store", "embedded", "--state-dir", stateDir, "apps/api"])
      assert.strictEqual(walk.status, 0, walk.stderr)
      assert.match(walk.stdout, /^Certificate apps\/api\n  Secret:\s+api-tls\n/)
      assert.match(walk.stdout, /^ClusterIssuer bootstrap\n  Type:\s+selfSigned$/m)
      assert.match(walk.stdout, /^CertificateRequest apps\/api-1  \(revision 1\)$/m)
      assert.match(walk.stdout, /^    Normal\s+Requested\s+\d+s\s+Created new CertificateRequest resource "api-1"$/m)
      assert.match(walk.stdout, /\nDiagnosis: up to date: valid until \S+, renewal at \S+\n$/)

      const legacy = yield* certops(["status", "--state-dir", stateDir, "legacy", "-n", "apps", "-o", "json"])
      assert.strictEqual(legacy.status, 0, legacy.stderr)
      assert.deepStrictEqual((JSON.parse(legacy.stdout) as CertificateReport).diagnosis, {
        healthy: false,
        stuckAt: "ClusterIssuer retired",
        summary: "stuck at ClusterIssuer retired: it does not exist; create it, or correct the Certificate's spec.issuerRef",
      })

      const missing = yield* certops(["status", "--state-dir", stateDir, "apps/nothing"])
      assert.deepStrictEqual([missing.status, missing.stdout, missing.stderr], [1, "", "error: Certificate apps/nothing not found\n"])
      const wrongDir = yield* certops(["status", "--state-dir", join(stateDir, "nope")])
      assert.strictEqual(wrongDir.status, 1)
      assert.include(wrongDir.stderr, `there is no embedded store at ${join(stateDir, "nope", "store")}`)

      assert.deepStrictEqual(tree(stateDir), before, "status wrote, moved or removed something")
    }).pipe(Effect.scoped),
    60_000,
  )
})
