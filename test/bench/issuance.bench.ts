// ACME issuance throughput against the real test environment (kube-apiserver,
// pebble, bind9, Git server), and push-to-Ready latency of the whole daemon.
//   1. the raw floor: a bare acme-client loop, no store, no Git
//   2. certops issuance on the kubernetes store: HTTP-01 (and DNS-01 via bind9),
//      Certificates created through the apiserver, controllers in this process
//   3. certops from one push: an Issuer and N Certificates committed to the Git
//      server in one push, `certops run` as a process of its own, from the
//      webhook to all Ready (the apply step is part of the cost)
//   4. signed push webhook → Certificate Ready, whole daemon, SelfSigned issuer
// Prints figures; asserts nothing. Run: node test/bench/issuance.bench.ts
//   2b. DNS-01 through the test environment's webhook solver (cert-manager's
//      webhook API, via the apiserver's aggregation layer), create mode
// Sizes: BENCH_FLOOR_N, BENCH_HTTP01_N and BENCH_DNS01_N (comma lists, default 100,500), BENCH_WEBHOOK_N
// (default 100), BENCH_LATENCY_RUNS.
// BENCH_MODES: which of "create" and "push" to run (default both).
import { Agent } from "node:https"
import { createHmac } from "node:crypto"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as acme from "acme-client"
import { Duration, Effect, Redacted, References } from "effect"
import { AcmeAccounts } from "../../src/acme/accounts.ts"
import { Certificates, Issuers, Secrets } from "../../src/api/kinds.ts"
import { runIssuance } from "../../src/controllers/issuance.ts"
import type { DaemonConfig } from "../../src/settings/daemon-config.ts"
import { daemonLayer, startDaemon } from "../../src/daemon/daemon.ts"
import { ResourceStore } from "../../src/store/resource-store.ts"
import { makeRunDir, startEnvironment, type TestEnvironment } from "../env/environment.ts"
import { freePorts } from "../env/ports.ts"
import { createBareRepository } from "../support/git.ts"
import { startHttp01Responder } from "../support/http01-responder.ts"
import { acmeIssuer, certificateFor, e2eLayer, e2eSettings, readyCertificate, readyIssuer, rfc2136Solver, tsigSecret } from "../support/issuance-e2e.ts"
import { createNamespaceNamed } from "../support/kube.ts"
import { workClone } from "../support/work-clone.ts"
import { apiserverRequests, cpuSecondsSince, machine, median, mib, requestDelta, summary, total, type FloorFigures } from "./common.ts"
import { fromOnePush } from "./push-issuance.ts"

const floorN = Number(process.env["BENCH_FLOOR_N"] ?? 100)
const floorConcurrencies = [10, 30, 60]
/** Sizes as a comma list: each size is one run; 0 skips. */
const sizes = (name: string, fallback: string) =>
  (process.env[name] ?? fallback)
    .split(",")
    .map(Number)
    .filter((n) => n > 0)
const http01Sizes = sizes("BENCH_HTTP01_N", "100,500")
const dns01Sizes = sizes("BENCH_DNS01_N", "100,500")
const webhookSizes = sizes("BENCH_WEBHOOK_N", "100")
const latencyRuns = Number(process.env["BENCH_LATENCY_RUNS"] ?? 5)
const modes = (process.env["BENCH_MODES"] ?? "create,push").split(",").map((mode) => mode.trim())

const run = `${Date.now().toString(36)}`
const rows: Array<Record<string, string | number>> = []

// ---------------------------------------------------------------- 1. floor

/** Every HTTP request acme-client sends (nonce HEADs included), counted as certops counts its own. */
const floorRequests = { count: 0 }

/** Polls acme-client's resources quickly, as certops' controllers do. */
const floorClient = async (env: TestEnvironment) => {
  const client = new acme.Client({
    directoryUrl: env.acme.directoryUrl,
    accountKey: await acme.crypto.createPrivateKey(),
    backoffAttempts: 200,
    backoffMin: 100,
    backoffMax: 500,
  })
  // acme-client keeps its HTTP client on a field its types do not declare.
  const http = (client as unknown as { http: { request: (...args: Array<unknown>) => Promise<unknown> } }).http
  const request = http.request.bind(http)
  http.request = (...args) => {
    floorRequests.count++
    return request(...args)
  }
  await client.createAccount({ termsOfServiceAgreed: true, contact: ["mailto:bench@certops.test"] })
  return client
}

const issueRaw = async (client: acme.Client, names: ReadonlyArray<string>, tokens: Map<string, string>) => {
  const order = await client.createOrder({ identifiers: names.map((value) => ({ type: "dns", value })) })
  const authorizations = await client.getAuthorizations(order)
  await Promise.all(
    authorizations.map(async (authorization) => {
      if (authorization.status === "valid") return
      const challenge = authorization.challenges.find((candidate) => candidate.type === "http-01")!
      tokens.set(challenge.token, await client.getChallengeKeyAuthorization(challenge))
      await client.completeChallenge(challenge)
      await client.waitForValidStatus(challenge)
      tokens.delete(challenge.token)
    }),
  )
  const [, csr] = await acme.crypto.createCsr({ altNames: [...names] })
  const finalized = await client.finalizeOrder(order, csr)
  return client.getCertificate(finalized)
}

const floor = async (env: TestEnvironment): Promise<FloorFigures> => {
  // acme-client's HTTP goes through the shared axios instance: trust pebble's TLS CA there.
  acme.axios.defaults.httpsAgent = new Agent({ keepAlive: true, ca: env.acme.tlsCaPem })
  const responder = await startHttp01Responder(env.acme.httpPort)
  const client = await floorClient(env)
  let best = { rate: 0, cpuPerCert: 0, acmePerCert: 0 }
  try {
    for (const concurrency of floorConcurrencies) {
      const requestsBefore = floorRequests.count
      const names = Array.from({ length: floorN }, (_, index) =>
        index % 2 === 0 ? [`f${concurrency}-${run}-${index}.${env.dns.zone}`] : [`f${concurrency}-${run}-${index}a.${env.dns.zone}`, `f${concurrency}-${run}-${index}b.${env.dns.zone}`],
      )
      let next = 0
      const cpu = process.cpuUsage()
      const start = performance.now()
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next < names.length) await issueRaw(client, names[next++]!, responder.tokens)
        }),
      )
      const seconds = (performance.now() - start) / 1000
      const rate = floorN / seconds
      const cpuSeconds = cpuSecondsSince(cpu)
      const acmePerCert = (floorRequests.count - requestsBefore) / floorN
      if (rate > best.rate) best = { rate, cpuPerCert: cpuSeconds / floorN, acmePerCert }
      console.log(`  floor: ${floorN} certs at concurrency ${concurrency}: ${seconds.toFixed(1)} s, ${rate.toFixed(2)} certs/s, bench CPU ${cpuSeconds.toFixed(1)} s, ${acmePerCert.toFixed(1)} ACME req/cert`)
      rows.push({ run: `floor acme-client c=${concurrency}`, certificates: floorN, "wall s": seconds.toFixed(1), "certs/s": rate.toFixed(2), "vs floor": "", "CPU s": cpuSeconds.toFixed(1), "peak RSS": "", "API req/cert": "", "ACME req/cert": acmePerCert.toFixed(1) })
    }
  } finally {
    await responder.close()
  }
  summary("issuance", "floor (acme-client, best concurrency)", `${best.rate.toFixed(2)} certs/s, ${best.acmePerCert.toFixed(1)} ACME req/cert (every HTTP request, nonces included), CPU ${(best.cpuPerCert * 1000).toFixed(0)} ms/cert`)
  return best
}


// ---------------------------------------------------------------- 2. certops

type BenchSolver = "HTTP-01" | "DNS-01" | "DNS-01 webhook"

const solverConfigs = (env: TestEnvironment, solver: BenchSolver) => {
  switch (solver) {
    case "HTTP-01":
      return [{ http01: { ingress: {} } }]
    case "DNS-01":
      return [rfc2136Solver(env.dns)]
    case "DNS-01 webhook":
      return [{ dns01: { webhook: { groupName: env.webhookSolver.groupName, solverName: env.webhookSolver.solverName, config: {} } } }]
  }
}

const certopsIssuance = (env: TestEnvironment, solver: BenchSolver, n: number, floorRate: number) => {
  const namespace = `bench-${solver === "HTTP-01" ? "http" : solver === "DNS-01" ? "dns" : "hook"}-${n}-${run}`
  const zone = solver === "DNS-01 webhook" ? env.webhookSolver.zone.replace(/\.$/, "") : env.dns.zone
  const settings = e2eSettings(env, { namespace })
  return Effect.gen(function* () {
    yield* Effect.promise(() => createNamespaceNamed(env, namespace))
    const store = yield* ResourceStore
    yield* runIssuance
    if (solver === "DNS-01") {
      yield* store.create(Secrets, tsigSecret(namespace, env.dns))
    }
    yield* store.create(Issuers, acmeIssuer(env, namespace, "acme", solverConfigs(env, solver)))
    while ((yield* readyIssuer(namespace, "acme")) === undefined) yield* Effect.sleep("100 millis")

    const accounts = yield* AcmeAccounts
    const acmeBefore = accounts.requestCounts().reduce((sum, count) => sum + count.count, 0)
    const apiBefore = yield* Effect.promise(() => apiserverRequests(env.kube))
    const cpu = process.cpuUsage()
    const start = performance.now()
    for (let index = 0; index < n; index++) {
      const base = `${solver === "HTTP-01" ? "h" : solver === "DNS-01" ? "d" : "w"}${n}-${run}-${index}`
      const names = index % 2 === 0 ? [`${base}.${zone}`] : [`${base}a.${zone}`, `${base}b.${zone}`]
      yield* store.create(Certificates, certificateFor(namespace, `c${index}`, "acme", names))
    }
    const created = performance.now()
    let ready = 0
    let lastLog = performance.now()
    // Sampled here, because the process's maxRSS covers earlier runs too.
    let rssPeak = process.memoryUsage.rss()
    while (ready < n) {
      yield* Effect.sleep("250 millis")
      rssPeak = Math.max(rssPeak, process.memoryUsage.rss())
      const all = yield* store.list(Certificates, { namespace })
      ready = all.filter((c) => c.status?.conditions?.some((x) => x.type === "Ready" && x.status === "True")).length
      if (performance.now() - lastLog > 15_000) {
        console.log(`    … ${ready}/${n} Ready after ${((performance.now() - start) / 1000).toFixed(0)} s`)
        lastLog = performance.now()
      }
      if (performance.now() - start > 600_000) {
        console.log(`    gave up after 600 s with ${ready}/${n} Ready`)
        break
      }
    }
    const seconds = (performance.now() - start) / 1000
    const cpuSeconds = cpuSecondsSince(cpu)
    const apiAfter = yield* Effect.promise(() => apiserverRequests(env.kube))
    const api = requestDelta(apiBefore, apiAfter)
    const counts = accounts.requestCounts()
    const acmeRequests = counts.reduce((sum, count) => sum + count.count, 0) - acmeBefore
    const rate = ready / seconds
    console.log(`  certops ${solver}: ${ready}/${n} Ready in ${seconds.toFixed(1)} s (created in ${((created - start) / 1000).toFixed(1)} s), ${rate.toFixed(2)} certs/s`)
    console.log(`    apiserver requests by verb (all clients, incl. ${n} creates by the bench): ${[...api].map(([verb, count]) => `${verb} ${count}`).join(", ")}`)
    console.log(`    ACME requests by operation/status (this run's AcmeAccounts): ${counts.map((c) => `${c.operation} ${c.status}: ${c.count}`).join(", ")}`)
    rows.push({
      run: `certops ${solver} ×${n}`,
      certificates: `${ready}/${n}`,
      "wall s": seconds.toFixed(1),
      "certs/s": rate.toFixed(2),
      "vs floor": solver === "HTTP-01" ? `${((rate / floorRate) * 100).toFixed(0)}%` : "",
      "CPU s": cpuSeconds.toFixed(1),
      "peak RSS": mib(rssPeak),
      "API req/cert": (total(api) / n).toFixed(1),
      "ACME req/cert": (acmeRequests / n).toFixed(1),
    })
    summary("issuance", `certops ${solver} (${n} certs)`, `${rate.toFixed(2)} certs/s${solver === "HTTP-01" ? `, ${((rate / floorRate) * 100).toFixed(0)}% of floor` : ""}, ${(total(api) / n).toFixed(1)} API req/cert, ${(acmeRequests / n).toFixed(1)} ACME req/cert, CPU ${cpuSeconds.toFixed(0)} s, peak RSS ${mib(rssPeak)}`)
  }).pipe(Effect.scoped, Effect.provide(e2eLayer(env, settings)))
}

// ---------------------------------------------------------------- 3. latency

const latency = (env: TestEnvironment) =>
  Effect.gen(function* () {
    const namespace = `bench-gitops-${run}`
    const repo = `bench-intents-${run}`
    const issuerName = `selfsigned-${namespace}`
    const secret = "bench webhook secret"
    const certificateYaml = (name: string) =>
      `apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata:\n  name: ${name}\nspec:\n  secretName: ${name}-tls\n  dnsNames:\n    - ${name}.example.test\n  issuerRef:\n    name: ${issuerName}\n    kind: ClusterIssuer\n`
    const bare = createBareRepository(env.git.root, repo, {
      "clusters/bench/issuer.yaml": `apiVersion: cert-manager.io/v1\nkind: ClusterIssuer\nmetadata:\n  name: ${issuerName}\nspec:\n  selfSigned: {}\n`,
      "clusters/bench/first.yaml": certificateYaml("first"),
    })
    const [metricsPort = 0, webhookPort = 0] = yield* freePorts(2)
    const config: DaemonConfig = {
      git: {
        url: `${env.git.url}/${repo}.git`,
        branch: "main",
        path: "clusters/bench",
        username: env.git.username,
        password: Redacted.make(env.git.password),
        pollInterval: "1 hour",
        webhookSecret: Redacted.make(secret),
        statusBranch: "certops/status",
        defaultNamespace: namespace,
      },
      store: { backend: "kubernetes", kubeconfig: env.kube.kubeconfig },
      stateDir: mkdtempSync(join(tmpdir(), "certops-bench-daemon-")),
      http: { host: "127.0.0.1", port: metricsPort, webhookPort },
      issuance: e2eSettings(env, { namespace }),
      leaderElection: { namespace, identity: "bench", leaseDuration: Duration.seconds(6) },
    }
    yield* Effect.promise(() => createNamespaceNamed(env, namespace))
    yield* Effect.gen(function* () {
      yield* startDaemon(config)
      const waitReady = (name: string, limitMs: number) =>
        Effect.gen(function* () {
          const start = performance.now()
          while ((yield* readyCertificate(namespace, name).pipe(Effect.orElseSucceed(() => undefined))) === undefined) {
            if (performance.now() - start > limitMs) return false
            yield* Effect.sleep("10 millis")
          }
          return true
        })
      yield* waitReady("first", 120_000)
      const clone = workClone(bare)
      const payload = JSON.stringify({ ref: "refs/heads/main" })
      const signature = `sha256=${createHmac("sha256", secret).update(payload).digest("hex")}`
      const samples: Array<number> = []
      for (let index = 0; index < latencyRuns; index++) {
        const name = `lat${index}`
        clone.write(`clusters/bench/${name}.yaml`, certificateYaml(name))
        clone.commitAndPush(`add ${name}`)
        const start = performance.now()
        const response = yield* Effect.promise(() =>
          fetch(`http://127.0.0.1:${webhookPort}/hooks/git`, { method: "POST", body: payload, headers: { "content-type": "application/json", "x-hub-signature-256": signature } }),
        )
        if (response.status !== 202) console.log(`    webhook answered ${response.status}`)
        const ok = yield* waitReady(name, 60_000)
        samples.push(ok ? performance.now() - start : NaN)
        yield* Effect.sleep("500 millis")
      }
      console.log(`  webhook → Ready (SelfSigned, whole daemon, kube store): ${samples.map((s) => `${s.toFixed(0)} ms`).join(", ")}; median ${median(samples).toFixed(0)} ms`)
      rows.push({ run: `webhook → Ready, median of ${latencyRuns}`, certificates: latencyRuns, "wall s": (median(samples) / 1000).toFixed(2), "certs/s": "", "vs floor": "", "CPU s": "", "peak RSS": "", "API req/cert": "", "ACME req/cert": "" })
      summary("latency", `signed push webhook → Ready (median of ${latencyRuns})`, `${median(samples).toFixed(0)} ms`)
    }).pipe(Effect.scoped, Effect.provide(daemonLayer(config)))
  })

// ---------------------------------------------------------------- main

const program = Effect.gen(function* () {
  console.log(`\nissuance benchmark — ${machine()}`)
  console.log(`sizes: floor ${floorN} certs at concurrency ${floorConcurrencies.join("/")}; certops HTTP-01 ${http01Sizes.join(" and ")}, DNS-01 ${dns01Sizes.join(" and ")}, DNS-01 webhook ${webhookSizes.join(" and ")} (half one name, half two); latency ${latencyRuns} runs`)
  const started = performance.now()
  const env = yield* startEnvironment(makeRunDir())
  console.log(`  environment up in ${((performance.now() - started) / 1000).toFixed(1)} s (pebble without validation sleep, default authz reuse; logs in ${env.dir})`)
  const floorFigures = yield* Effect.promise(() => floor(env))
  const floorRate = floorFigures.rate
  if (modes.includes("create")) {
    for (const n of http01Sizes) yield* certopsIssuance(env, "HTTP-01", n, floorRate)
    for (const n of dns01Sizes) yield* certopsIssuance(env, "DNS-01", n, floorRate)
    for (const n of webhookSizes) yield* certopsIssuance(env, "DNS-01 webhook", n, floorRate)
  }
  if (modes.includes("push")) {
    for (const n of http01Sizes) rows.push(yield* Effect.promise(() => fromOnePush(env, "HTTP-01", n, floorFigures)))
    for (const n of dns01Sizes) rows.push(yield* Effect.promise(() => fromOnePush(env, "DNS-01", n, floorFigures)))
  }
  if (latencyRuns > 0) yield* latency(env)
  console.log("")
  console.table(rows)
  console.log("API req/cert: apiserver_request_total delta from /metrics over the run (every client: certops, the bench's creates, the apiserver's own loopback).")
  console.log("ACME req/cert: every HTTP request to the ACME server (nonce HEADs included), for certops from its own counter, for the floor from acme-client's.")
})

await Effect.runPromise(program.pipe(Effect.scoped, Effect.provideService(References.MinimumLogLevel, "Warn")))
process.exit(0)
