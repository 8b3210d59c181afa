// certops beside cert-manager, the controller users would otherwise run: the
// same apiserver, pebble and bind9, in one run, each controller a process of
// its own limited to a namespace of its own. Two scenarios, N Certificates
// each (half with one name, half with two), created through the apiserver:
//   DNS-01 over RFC 2136 (cert-manager's HTTP-01 solver needs pods, and the
//   test apiserver has no kubelet), and a CA issuer (SelfSigned → CA, no ACME).
// cert-manager runs with its defaults (client QPS 20, burst 50, 5 workers per
// controller) and once more with those raised, so that the comparison is not
// only about a rate limit. Its DNS-01 check sleeps out the record's TTL (60 s)
// inside a worker (pkg/issuer/acme/dns/dns.go), so with 5 workers it
// completes about 5 challenges a minute: each run stops at a deadline and
// counts what is Ready by then, per-certificate figures over those.
// Both run on cert-manager's own CRDs, installed from its source.
// Prints figures; asserts nothing. Run: node test/bench/versus-cert-manager.bench.ts
// BENCH_VERSUS_N (default 500), BENCH_VERSUS_SCENARIOS (default "DNS-01,CA"),
// BENCH_VERSUS_DEADLINE_S (default 600): how long one contender may take.
import { readFileSync, readdirSync } from "node:fs"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, References } from "effect"
import type { Certificate } from "../../src/api/certificate.ts"
import type { Issuer } from "../../src/api/issuer.ts"
import { Certificates, Issuers, Secrets } from "../../src/api/kinds.ts"
import { kubernetesStoreLayer } from "../../src/store/kubernetes/layer.ts"
import { ResourceStore } from "../../src/store/resource-store.ts"
import { makeRunDir, startEnvironment, type TestEnvironment } from "../env/environment.ts"
import { freePorts } from "../env/ports.ts"
import { createBareRepository } from "../support/git.ts"
import { createNamespaceNamed, kubectl } from "../support/kube.ts"
import { apiserverRequests, machine, type ControllerRun, mib, requestDelta, summary, total } from "./common.ts"
import { certopsCommand, certopsRunArgs, cpuSecondsOf, peakRssOf, spawnMeasured, waitFor, type MeasuredProcess } from "./daemon-process.ts"
import { certManagerPeer, certManagerVersion, type PeerBuild } from "./peer/cert-manager-build.ts"
import { allReady } from "./push-issuance.ts"

const n = Number(process.env["BENCH_VERSUS_N"] ?? 500)
const scenarios = (process.env["BENCH_VERSUS_SCENARIOS"] ?? "DNS-01,CA").split(",").map((name) => name.trim()) as ReadonlyArray<Scenario>
const deadlineMs = Number(process.env["BENCH_VERSUS_DEADLINE_S"] ?? 600) * 1000
const raisedLimits = ["--kube-api-qps=1000", "--kube-api-burst=2000", "--concurrent-workers=100", "--max-concurrent-challenges=1000"]
const run = Date.now().toString(36)

type Scenario = "DNS-01" | "CA"

interface Contender {
  readonly name: string
  readonly start: (env: TestEnvironment, namespace: string, log: string) => Promise<MeasuredProcess>
}

type Figures = ControllerRun

// ---------------------------------------------------------------- the contenders

const certops: Contender = {
  name: "certops",
  start: async (env, namespace, log) => {
    const dir = mkdtempSync(join(tmpdir(), "certops-versus-"))
    writeFileSync(join(dir, "git-password"), env.git.password)
    // No intents in Git: the Certificates come through the apiserver, as cert-manager's do.
    createBareRepository(env.git.root, `versus-${namespace}`, { "README.md": "no intents here\n" })
    const [httpPort = 0, webhookPort = 0] = await Effect.runPromise(freePorts(2))
    const launch = certopsCommand(
      certopsRunArgs(env, { repository: `versus-${namespace}`, secretsDir: dir, namespace, httpPort, webhookPort }, [
        "--http01-port", "0",
        "--namespace", namespace,
        "--cluster-resource-namespace", namespace,
      ]),
    )
    const process_ = spawnMeasured(launch.command, launch.args, log)
    await waitFor("certops run answering /readyz", () => fetch(`http://127.0.0.1:${httpPort}/readyz`).then((response) => response.ok), 60_000, process_)
    return process_
  },
}

const certManager = (peer: PeerBuild, raised: boolean): Contender => ({
  name: raised ? "cert-manager (raised: QPS 1000, burst 2000, 100 workers, 1000 challenges)" : "cert-manager (defaults: QPS 20, burst 50, 5 workers, 60 challenges)",
  start: async (env, namespace, log) => {
    const [metricsPort = 0] = await Effect.runPromise(freePorts(1))
    const process_ = spawnMeasured(peer.binary, [
      `--kubeconfig=${env.kube.kubeconfig}`,
      "--leader-elect=false",
      `--namespace=${namespace}`,
      `--cluster-resource-namespace=${namespace}`,
      "--dns01-recursive-nameservers-only",
      `--dns01-recursive-nameservers=${env.dns.host}:${env.dns.port}`,
      `--metrics-listen-address=127.0.0.1:${metricsPort}`,
      ...(raised ? raisedLimits : []),
    ], log)
    await waitFor("cert-manager serving /metrics", () => fetch(`http://127.0.0.1:${metricsPort}/metrics`).then((response) => response.ok), 60_000, process_)
    return process_
  },
})

// ---------------------------------------------------------------- one measurement

/** Requests pebble answered so far: one "calling handler" line each in its log. */
const pebbleRequests = (env: TestEnvironment) => readFileSync(join(env.dir, "pebble.log"), "utf8").split("-> calling handler").length - 1

const issuer = (namespace: string, name: string, spec: Issuer["spec"]): Issuer => ({ apiVersion: "cert-manager.io/v1", kind: "Issuer", metadata: { name, namespace }, spec })

const certificate = (namespace: string, name: string, issuerName: string, dnsNames: ReadonlyArray<string>, extra: Partial<Certificate["spec"]> = {}): Certificate => ({
  apiVersion: "cert-manager.io/v1",
  kind: "Certificate",
  metadata: { name, namespace },
  spec: { secretName: `${name}-tls`, dnsNames: [...dnsNames], issuerRef: { name: issuerName }, ...extra },
})

const isReady = (conditions: ReadonlyArray<{ type: string; status: string }> | undefined) => conditions?.some((condition) => condition.type === "Ready" && condition.status === "True") ?? false

const waitIssuerReady = (namespace: string, name: string, process: MeasuredProcess) =>
  ResourceStore.use((store) =>
    Effect.promise(() =>
      waitFor(`Issuer ${namespace}/${name} Ready`, () => Effect.runPromise(store.get(Issuers, { namespace, name }).pipe(Effect.map((found) => isReady(found.status?.conditions)))), 120_000, process),
    ),
  )

const waitCertificateReady = (namespace: string, name: string, process: MeasuredProcess) =>
  ResourceStore.use((store) =>
    Effect.promise(() =>
      waitFor(`Certificate ${namespace}/${name} Ready`, () => Effect.runPromise(store.get(Certificates, { namespace, name }).pipe(Effect.map((found) => isReady(found.status?.conditions)))), 120_000, process),
    ),
  )

/** The issuer a scenario's Certificates use, made Ready before the clock starts. */
const prepare = (env: TestEnvironment, scenario: Scenario, namespace: string, process: MeasuredProcess) =>
  Effect.gen(function* () {
    const store = yield* ResourceStore
    if (scenario === "DNS-01") {
      yield* store.create(Secrets, { apiVersion: "v1", kind: "Secret", metadata: { name: "tsig", namespace }, data: { secret: Buffer.from(env.dns.tsig.secret).toString("base64") } })
      yield* store.create(
        Issuers,
        issuer(namespace, "leaf-issuer", {
          acme: {
            server: env.acme.directoryUrl,
            email: "ops@certops.test",
            privateKeySecretRef: { name: "acme-account" },
            caBundle: Buffer.from(env.acme.tlsCaPem).toString("base64"),
            solvers: [{ dns01: { rfc2136: { nameserver: `${env.dns.host}:${env.dns.port}`, tsigKeyName: env.dns.tsig.name, tsigAlgorithm: "HMACSHA256", tsigSecretSecretRef: { name: "tsig", key: "secret" } } } }],
          },
        }),
      )
    } else {
      yield* store.create(Issuers, issuer(namespace, "selfsigned", { selfSigned: {} }))
      yield* store.create(Certificates, certificate(namespace, "root", "selfsigned", [], { isCA: true, commonName: "versus root CA", secretName: "root-ca", dnsNames: [] }))
      yield* waitCertificateReady(namespace, "root", process)
      yield* store.create(Issuers, issuer(namespace, "leaf-issuer", { ca: { secretName: "root-ca" } }))
    }
    yield* waitIssuerReady(namespace, "leaf-issuer", process)
  })

const measure = (env: TestEnvironment, contender: Contender, scenario: Scenario) =>
  Effect.gen(function* () {
    const namespace = `vs-${contender.name.split(" ")[0]}-${contender.name.includes("raised") ? "raised-" : ""}${scenario === "CA" ? "ca" : "dns"}-${run}`
    yield* Effect.promise(() => createNamespaceNamed(env, namespace))
    const process = yield* Effect.promise(() => contender.start(env, namespace, join(env.dir, `${namespace}.log`)))
    try {
      yield* prepare(env, scenario, namespace, process)
      const apiBefore = yield* Effect.promise(() => apiserverRequests(env.kube))
      const acmeBefore = pebbleRequests(env)
      const cpuBefore = cpuSecondsOf(process.pid)
      const store = yield* ResourceStore
      const start = performance.now()
      yield* Effect.forEach(
        Array.from({ length: n }, (_, index) => index),
        (index) => {
          const base = `${scenario === "CA" ? "c" : "d"}${index}-${namespace}`
          const names = index % 2 === 0 ? [`${base}.${env.dns.zone}`] : [`${base}a.${env.dns.zone}`, `${base}b.${env.dns.zone}`]
          return store.create(Certificates, certificate(namespace, `leaf-${index}`, "leaf-issuer", names))
        },
        { concurrency: 8, discard: true },
      )
      // The root CA counts as Ready already: wait for it plus the N leaves.
      const ready = (yield* allReady(env, namespace, n + (scenario === "CA" ? 1 : 0), deadlineMs)) - (scenario === "CA" ? 1 : 0)
      const seconds = (performance.now() - start) / 1000
      // At a deadline, per-certificate figures are over the certificates Ready by then.
      const per = Math.max(1, ready)
      const figures: Figures = {
        ready,
        seconds,
        rate: ready / seconds,
        apiPerCert: total(requestDelta(apiBefore, yield* Effect.promise(() => apiserverRequests(env.kube)))) / per,
        acmePerCert: (pebbleRequests(env) - acmeBefore) / per,
        cpuSeconds: cpuSecondsOf(process.pid) - cpuBefore,
        peakRss: peakRssOf(process.pid),
      }
      console.log(
        `  ${scenario} ${contender.name}: ${ready}/${n} Ready in ${seconds.toFixed(1)} s${ready < n ? " (deadline)" : ""}, ${figures.rate.toFixed(2)} certs/s, ${figures.apiPerCert.toFixed(1)} API req/cert, ${figures.acmePerCert.toFixed(1)} ACME req/cert, CPU ${figures.cpuSeconds.toFixed(1)} s, peak RSS ${mib(figures.peakRss)}`,
      )
      return figures
    } finally {
      yield* Effect.promise(() => process.stop())
    }
  })

// ---------------------------------------------------------------- main

const program = Effect.gen(function* () {
  console.log(`\ncertops versus cert-manager ${certManagerVersion} — ${machine()}`)
  console.log(`sizes: ${n} Certificates per scenario (half one name, half two); scenarios ${scenarios.join(", ")}`)
  const peer = certManagerPeer()
  if ("problem" in peer) {
    console.log(`  cert-manager could not be built, so nothing is compared: ${peer.problem}`)
    console.log("  Point CERT_MANAGER_SRC at a checkout of cert-manager's tag v1.21.1 (see README, Benchmarks).")
    summary("versus cert-manager", "cert-manager peer", `not built: ${peer.problem}`)
    return
  }
  console.log(`  cert-manager ${certManagerVersion}: ${peer.binary}, built without ${peer.without}`)
  const env = yield* startEnvironment(makeRunDir())
  console.log(`  environment up (logs in ${env.dir}); installing cert-manager's own CRDs, which both controllers then run on`)
  for (const file of readdirSync(peer.crdsDir)) kubectl(env, ["apply", "--server-side", "--force-conflicts", "-f", join(peer.crdsDir, file)])
  const rows: Array<Record<string, string>> = []
  yield* Effect.gen(function* () {
  for (const scenario of scenarios) {
    const ours = yield* measure(env, certops, scenario)
    const theirs = yield* measure(env, certManager(peer, false), scenario)
    const theirsRaised = yield* measure(env, certManager(peer, true), scenario)
    for (const [name, figures] of [["certops", ours], ["cert-manager defaults", theirs], ["cert-manager raised", theirsRaised]] as const) {
      rows.push({
        scenario,
        controller: name,
        ready: `${figures.ready}/${n}`,
        "certs/s": figures.rate.toFixed(2),
        "API req/cert": figures.apiPerCert.toFixed(1),
        "ACME req/cert": figures.acmePerCert.toFixed(1),
        "CPU ms/cert": ((figures.cpuSeconds * 1000) / Math.max(1, figures.ready)).toFixed(0),
        "CPU s": figures.cpuSeconds.toFixed(1),
        "peak RSS": mib(figures.peakRss),
      })
    }
    const cpuPerCert = (figures: Figures) => figures.cpuSeconds / Math.max(1, figures.ready)
    const ratio = (a: number, b: number) => (b === 0 ? "∞" : (a / b).toFixed(2))
    for (const [label, peerFigures] of [["defaults", theirs], ["limits raised", theirsRaised]] as const) {
      summary(
        "versus cert-manager",
        `${scenario}, ${n} certs, certops ÷ cert-manager (${label})`,
        `certs/s ${ratio(ours.rate, peerFigures.rate)} (${ours.rate.toFixed(2)} vs ${peerFigures.rate.toFixed(2)}), API req/cert ${ratio(ours.apiPerCert, peerFigures.apiPerCert)} (${ours.apiPerCert.toFixed(1)} vs ${peerFigures.apiPerCert.toFixed(1)}), ACME req/cert ${ratio(ours.acmePerCert, peerFigures.acmePerCert)} (${ours.acmePerCert.toFixed(1)} vs ${peerFigures.acmePerCert.toFixed(1)}), CPU/cert ${ratio(cpuPerCert(ours), cpuPerCert(peerFigures))} (${(cpuPerCert(ours) * 1000).toFixed(0)} vs ${(cpuPerCert(peerFigures) * 1000).toFixed(0)} ms), peak RSS ${ratio(ours.peakRss, peerFigures.peakRss)} (${mib(ours.peakRss)} vs ${mib(peerFigures.peakRss)})`,
      )
    }
  }
  }).pipe(Effect.provide(kubernetesStoreLayer({ kubeconfigPath: env.kube.kubeconfig, cachedKinds: [] })))
  console.log("")
  console.table(rows)
  console.log("ACME req/cert: requests pebble answered during the run, from its log (the same count for both).")
  console.log("API req/cert: apiserver_request_total delta over the run (every client, the bench's creates included).")
  console.log("CPU: the controller process' own user+system time over the run; peak RSS: its VmHWM.")
})

await Effect.runPromise(program.pipe(Effect.scoped, Effect.provideService(References.MinimumLogLevel, "Warn")))
process.exit(0)
