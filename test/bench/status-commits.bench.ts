// Status commit throughput: 500 Certificates become Ready at once. How many
// commits does the reporter make on the status branch for them, and how long
// until the branch on the Git server holds a Ready report for all 500? Also
// the latency of one Certificate's report. The reporter is wired as the daemon
// wires it (followCertificates → StatusReporter with the default batch window)
// and pushes over smart HTTP to the test Git server; the store is the memory
// store, so that the figures are the reporter's and Git's, not a store's.
// Prints figures; asserts nothing. Run: node test/bench/status-commits.bench.ts
import { execFile } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { readFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { promisify } from "node:util"
import { Duration, Effect, Fiber, Layer, Redacted, References } from "effect"
import type { Certificate } from "../../src/api/certificate.ts"
import { Certificates, Secrets } from "../../src/api/kinds.ts"
import { provenance, sourceId, type SourceIdentity } from "../../src/apply/provenance.ts"
import { renewalTime } from "../../src/controllers/certificates/renewal.ts"
import { formatTimestamp } from "../../src/controllers/shared/time.ts"
import { GitCredentials } from "../../src/git/credentials.ts"
import { followCertificates } from "../../src/gitops/certificate-reports.ts"
import { parseCertificate, splitPemChain } from "../../src/pki/certificate.ts"
import { createCsr } from "../../src/pki/csr.ts"
import { generatePrivateKey } from "../../src/pki/keys.ts"
import { signCertificate } from "../../src/pki/signer.ts"
import { defaultBatchWindow } from "../../src/report/batch-window.ts"
import { defaultStatusBranch, StatusReporter } from "../../src/report/status-reporter.ts"
import { memoryStoreLayer } from "../../src/store/memory.ts"
import { ResourceStore } from "../../src/store/resource-store.ts"
import { startGitServer } from "../env/git-server.ts"
import { createBareRepository } from "../support/git.ts"
import { machine, median, summary } from "./common.ts"

const count = 500
const namespaces = 5
const singleRuns = 3
const branch = defaultStatusBranch
const day = 24 * 3_600_000
const run = promisify(execFile)

// ── Certificates ─────────────────────────────────────────────────────────────

interface Issued {
  readonly certificatePem: string
  readonly serial: string
  readonly notBefore: Date
  readonly notAfter: Date
}

/**
 * Real certificates from src/pki, one per Certificate: the reporter reads
 * serial and fingerprint from each Secret's tls.crt, and distinct serials
 * keep every report file (and commit message line) distinct, as in real life.
 * One CA and one leaf key are enough: keys are not what is measured.
 */
const makeIssuer = Effect.gen(function* () {
  const caKey = yield* generatePrivateKey({ algorithm: "ECDSA" })
  const caCsr = yield* createCsr(caKey, { commonName: "certops bench CA", isCA: true })
  const ca = yield* signCertificate({ csrPem: caCsr, signer: { kind: "self", privateKeyPem: caKey }, duration: 365 * day, isCA: true })
  const leafKey = yield* generatePrivateKey({ algorithm: "ECDSA" })
  return Effect.fn(function* (dnsName: string) {
    const csrPem = yield* createCsr(leafKey, { dnsNames: [dnsName] })
    const signed = yield* signCertificate({ csrPem, signer: { kind: "ca", certificatePem: ca.certificatePem, privateKeyPem: caKey }, duration: 90 * day })
    const parsed = yield* parseCertificate(splitPemChain(signed.certificatePem)[0] ?? "")
    return { certificatePem: signed.certificatePem, serial: parsed.serialNumber, notBefore: parsed.notBefore, notAfter: parsed.notAfter } satisfies Issued
  })
})

interface Target {
  readonly namespace: string
  readonly name: string
}

const targets: ReadonlyArray<Target> = Array.from({ length: count }, (_, index) => ({
  namespace: `team-${index % namespaces}`,
  name: `site-${String(index).padStart(3, "0")}`,
}))
const dnsName = (target: Target, revision = 0) => `${target.name}-r${revision}.${target.namespace}.example.test`

/** As the apply step leaves a Certificate: labelled with its source, not issued yet. */
const certificate = (source: SourceIdentity, target: Target): Certificate => ({
  apiVersion: "cert-manager.io/v1",
  kind: "Certificate",
  metadata: {
    name: target.name,
    namespace: target.namespace,
    labels: { [provenance.managedLabel]: "true", [provenance.sourceLabel]: sourceId(source) },
    annotations: {
      [provenance.commitAnnotation]: "1c9e2f0a7b3d4e5f60718293a4b5c6d7e8f90123",
      [provenance.pathAnnotation]: `intents/${target.namespace}/${target.name}.yaml`,
    },
  },
  spec: { secretName: `${target.name}-tls`, dnsNames: [dnsName(target)], issuerRef: { name: "ca", kind: "ClusterIssuer" } },
})

const issuing = {
  conditions: [{ type: "Ready", status: "False", reason: "DoesNotExist", message: "Issuing certificate as Secret does not exist" }],
}

/** What the issuance controller writes when a certificate is issued: the Secret, then the Ready status. */
const becomeReady = (target: Target, issued: Issued, revision: number) =>
  ResourceStore.use((store) =>
    Effect.gen(function* () {
      const key = { namespace: target.namespace, name: `${target.name}-tls` }
      const secret = {
        apiVersion: "v1" as const,
        kind: "Secret" as const,
        metadata: key,
        type: "kubernetes.io/tls",
        data: { "tls.crt": Buffer.from(issued.certificatePem).toString("base64") },
      }
      const existing = yield* store.get(Secrets, key).pipe(Effect.option)
      if (existing._tag === "Some") yield* store.update(Secrets, { ...secret, metadata: existing.value.metadata })
      else yield* store.create(Secrets, secret)
      yield* store.patch(
        Certificates,
        target,
        {
          status: {
            conditions: [{ type: "Ready", status: "True", reason: "Ready", message: "Certificate is up to date and has not expired" }],
            revision,
            notBefore: formatTimestamp(issued.notBefore),
            notAfter: formatTimestamp(issued.notAfter),
            renewalTime: formatTimestamp(renewalTime({}, issued.notBefore, issued.notAfter)),
          },
        },
        { subresource: "status" },
      )
    }),
  )

// ── The status branch on the server ─────────────────────────────────────────

/** The branch head in the server's bare repository (undefined before it exists); a file read, so polling is cheap. */
const serverHead = async (bare: string): Promise<string | undefined> => {
  try {
    return (await readFile(join(bare, "refs", "heads", branch), "utf8")).trim()
  } catch {
    return run("git", ["-C", bare, "rev-parse", "--verify", "--quiet", `refs/heads/${branch}`]).then(
      ({ stdout }) => stdout.trim(),
      () => undefined,
    )
  }
}

const gitOut = async (bare: string, ...args: ReadonlyArray<string>) => (await run("git", ["-C", bare, ...args], { maxBuffer: 64 << 20 })).stdout.trim()

/** How many report files at `commit` have a line matching `pattern` (a basic regex); git grep exits 1 when none do. */
const filesMatching = (bare: string, commit: string, pattern: string) =>
  gitOut(bare, "grep", "--files-with-matches", "-e", pattern, commit, "--", "*.yaml").then(
    (out) => out.split("\n").filter((entry) => entry !== "").length,
    (error: { readonly code?: unknown }) => {
      if (error.code === 1) return 0
      throw error
    },
  )

const commitsBetween = async (bare: string, from: string | undefined, to: string) =>
  Number(await gitOut(bare, "rev-list", "--count", from === undefined ? to : `${from}..${to}`))

interface Arrival {
  readonly head: string
  /** ms since the clock's origin. */
  readonly at: number
}

/**
 * Polls the server's branch every 10 ms; each new head is checked with
 * `done`. Returns every head seen, the last one being the head that is done.
 */
const awaitBranch = (bare: string, from: string | undefined, done: (head: string) => Promise<boolean>, timeoutMs = 60_000) =>
  Effect.promise(async () => {
    const arrivals: Array<Arrival> = []
    const deadline = performance.now() + timeoutMs
    let last = from
    while (performance.now() < deadline) {
      const head = await serverHead(bare)
      if (head !== undefined && head !== last) {
        last = head
        arrivals.push({ head, at: performance.now() })
        if (await done(head)) return arrivals
      }
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    throw new Error(`the status branch was not current after ${timeoutMs} ms`)
  })

/** The highest number of reports the reporter held unpushed, and when it first got there. */
const watchPending = Effect.gen(function* () {
  const reporter = yield* StatusReporter
  const peak = { count: 0, at: 0 }
  const fiber = yield* Effect.forkScoped(
    Effect.gen(function* () {
      const pending = yield* reporter.pendingCount
      if (pending > peak.count) Object.assign(peak, { count: pending, at: performance.now() })
      yield* Effect.sleep("5 millis")
    }).pipe(Effect.forever),
  )
  return { peak, stop: Fiber.interrupt(fiber) }
})

// ── Scenarios ───────────────────────────────────────────────────────────────

interface Row {
  readonly scenario: string
  readonly reports: number
  readonly writesMs: number
  readonly acceptedMs: number | undefined
  readonly commits: number
  /** From the first status write to the branch holding every report. */
  readonly fromFirstMs: number
  /** From the last status write (all Ready) to the same. */
  readonly fromAllMs: number
  readonly arrivals: ReadonlyArray<number>
}

/** Runs `write` (the status changes) and waits until `done` says the server's branch reports them all. */
const scenario = (label: string, reports: number, bare: string, write: Effect.Effect<void, unknown, ResourceStore>, done: (head: string) => Promise<boolean>) =>
  Effect.gen(function* () {
    // The previous push is on the server a moment before the reporter clears what it published: start from nothing pending.
    const reporter = yield* StatusReporter
    while ((yield* reporter.pendingCount) > 0) yield* Effect.sleep("5 millis")
    const from = yield* Effect.promise(() => serverHead(bare))
    const pending = yield* watchPending
    const start = performance.now()
    const waiting = yield* Effect.forkScoped(awaitBranch(bare, from, done))
    yield* write
    const written = performance.now()
    const arrivals = yield* Fiber.join(waiting)
    yield* pending.stop
    const final = arrivals[arrivals.length - 1]!
    return {
      scenario: label,
      reports,
      writesMs: written - start,
      acceptedMs: pending.peak.count >= reports ? pending.peak.at - start : undefined,
      commits: yield* Effect.promise(() => commitsBetween(bare, from, final.head)),
      fromFirstMs: final.at - start,
      fromAllMs: final.at - written,
      arrivals: arrivals.map((arrival) => arrival.at - start),
    } satisfies Row
  })

const quietMs = Duration.toMillis(Duration.fromInputUnsafe(defaultBatchWindow.quiet))
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`
const perSecond = (n: number, ms: number) => `${(n / (ms / 1000)).toFixed(1)}/s`

const program = Effect.gen(function* () {
  const root = mkdtempSync(join(tmpdir(), "certops-bench-status-"))
  const stateDir = mkdtempSync(join(tmpdir(), "certops-bench-state-"))
  // Added first, so it runs last: after the reporter and the server have stopped.
  yield* Effect.addFinalizer(() => Effect.sync(() => [root, stateDir].forEach((dir) => rmSync(dir, { recursive: true, force: true }))))
  const server = yield* startGitServer({ root, username: "bench", password: "bench-password" })
  const bare = createBareRepository(root, "status", { "intents/README.md": "intents\n" })
  const url = `${server.url}/status.git`
  const source: SourceIdentity = { repository: url, directory: "intents" }

  const issue = yield* makeIssuer
  const generation = performance.now()
  const issued = yield* Effect.forEach(targets, (target) => issue(dnsName(target, 1)))
  const renewals = yield* Effect.forEach(Array.from({ length: singleRuns }, (_, run) => run + 2), (revision) => issue(dnsName(targets[0]!, revision)))
  const generationMs = performance.now() - generation

  // As the daemon does (src/daemon/daemon.ts): StatusReporter.layer with its default batch window, and followCertificates.
  const reporter = StatusReporter.layer({
    repository: { location: url, credentials: GitCredentials.basic(server.username, Redacted.make(server.password)), stateDir },
    branch,
  })
  const rows = yield* Effect.gen(function* () {
    const store = yield* ResourceStore
    yield* followCertificates(source)

    // Before: 500 Certificates applied from Git, not issued yet; their first reports create the branch.
    const apply = (target: Target) =>
      store.create(Certificates, certificate(source, target)).pipe(
        Effect.andThen(store.patch(Certificates, target, { status: issuing }, { subresource: "status" })),
      )
    const created = yield* scenario(
      `${count} Certificates applied (branch created)`,
      count,
      bare,
      Effect.forEach(targets, apply, { discard: true }),
      async (head) => (await filesMatching(bare, head, '^ready: "False"$')) === count,
    )

    // The figure asked for: all 500 become Ready at once.
    const ready = yield* scenario(
      `${count} become Ready at once`,
      count,
      bare,
      Effect.forEach(targets, (target, index) => becomeReady(target, issued[index]!, 1), { concurrency: "unbounded", discard: true }),
      async (head) => (await filesMatching(bare, head, '^ready: "True"$')) === count,
    )

    // One Certificate renewed: the latency of a single report.
    const single: Array<Row> = []
    for (const [index, renewal] of renewals.entries()) {
      const target = targets[0]!
      single.push(
        yield* scenario(
          `1 renewed (run ${index + 1} of ${singleRuns})`,
          1,
          bare,
          becomeReady(target, renewal, index + 2),
          async (head) => (await gitOut(bare, "show", `${head}:${target.namespace}/${target.name}.yaml`)).includes(renewal.serial),
        ),
      )
    }
    return [created, ready, ...single]
  }).pipe(Effect.provide(Layer.mergeAll(memoryStoreLayer, reporter)))

  console.log(`\nstatus commit benchmark — ${machine()}`)
  console.log(`reporter as the daemon wires it: followCertificates → StatusReporter, branch ${branch}, smart HTTP to the test Git server, memory store`)
  console.log(
    `batch window (the daemon's default): publish after ${Duration.format(Duration.fromInputUnsafe(defaultBatchWindow.quiet))} without a change, ` +
      `at most ${Duration.format(Duration.fromInputUnsafe(defaultBatchWindow.max))} after the first`,
  )
  console.log(`${count} certificates in ${namespaces} namespaces; ${count + singleRuns} real certificates (ECDSA, src/pki) signed beforehand in ${seconds(generationMs)}\n`)
  console.table(
    rows.map((row) => ({
      scenario: row.scenario,
      "status writes": seconds(row.writesMs),
      "all accepted by reporter": row.acceptedMs === undefined ? "—" : `+${seconds(row.acceptedMs)}`,
      commits: row.commits,
      "branch current (from first write)": seconds(row.fromFirstMs),
      "(from all Ready)": seconds(row.fromAllMs),
      // What is left once the reports are in and the quiet window has passed: fetch, build the commit, push.
      "≈ commit + push": row.acceptedMs === undefined ? "—" : seconds(row.fromFirstMs - row.acceptedMs - quietMs),
      "commits/s": perSecond(row.commits, row.fromAllMs),
      "reports/s": perSecond(row.reports, row.fromAllMs),
    })),
  )
  console.log(
    "all accepted: the reporter holds every report (journal synced); ≈ commit + push: branch current − all accepted − quiet window; " +
      "rates are over the time from all Ready to branch current",
  )
  for (const row of rows.filter((candidate) => candidate.reports > 1)) {
    console.log(`${row.scenario}: new heads on the server at ${row.arrivals.map((at) => `+${seconds(at)}`).join(", ")}`)
  }

  const [, ready, ...single] = rows
  if (ready !== undefined) {
    summary("status-commits", `${count} Ready at once: commits`, `${ready.commits}`)
    summary(
      "status-commits",
      `${count} Ready at once: branch current after`,
      `${seconds(ready.fromAllMs)} (${perSecond(ready.reports, ready.fromAllMs)} reports, ${perSecond(ready.commits, ready.fromAllMs)} commits)`,
    )
  }
  summary("status-commits", "1 report: latency (median)", `${seconds(median(single.map((row) => row.fromFirstMs)))} (quiet window ${Duration.format(Duration.fromInputUnsafe(defaultBatchWindow.quiet))})`)
})

await Effect.runPromise(program.pipe(Effect.scoped, Effect.provideService(References.MinimumLogLevel, "Warn")))
