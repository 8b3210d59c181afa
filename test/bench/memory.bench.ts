// Resident memory with many Certificates present and Ready: on the embedded
// store, and on the kubernetes store with and without many unrelated Secrets
// in the cluster (the kubernetes store caches only certops-labelled Secrets).
// Each measurement runs in a fresh child process: the store loads, the
// issuance controllers start and settle, then RSS and heap are read.
// Prints figures; asserts nothing. Run: node test/bench/memory.bench.ts
// Sizes: BENCH_MEMORY_N (embedded, default 10000), BENCH_MEMORY_KUBE_N (default 10000; 0 skips the cluster runs),
// BENCH_MEMORY_UNRELATED (unrelated Secrets, default 10000).
import { execFileSync } from "node:child_process"
import { webcrypto } from "node:crypto"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as x509 from "@peculiar/x509"
import { Effect, Layer, References } from "effect"
import type { Certificate } from "../../src/api/certificate.ts"
import type { Secret } from "../../src/api/core.ts"
import { CertificateRequests, Certificates, Issuers, Secrets } from "../../src/api/kinds.ts"
import { runIssuance } from "../../src/controllers/issuance.ts"
import { makeEmbeddedStore } from "../../src/store/embedded/embedded-store.ts"
import { kubernetesStoreFromClient, kubernetesStoreLayer } from "../../src/store/kubernetes/layer.ts"
import { ResourceStore } from "../../src/store/resource-store.ts"
import { makeRunDir, startEnvironment } from "../env/environment.ts"
import { countingKubeClientLayer, makeRequestTally, type RequestTally } from "../support/counting-kube-client.ts"
import { issuanceLayer, testSettings } from "../support/issuance-harness.ts"
import { certopsCommand } from "./daemon-process.ts"
import { createNamespaceNamed } from "../support/kube.ts"
import { machine, mib, summary } from "./common.ts"

const embeddedN = Number(process.env["BENCH_MEMORY_N"] ?? 10_000)
const kubeN = Number(process.env["BENCH_MEMORY_KUBE_N"] ?? 10_000)
const unrelatedN = Number(process.env["BENCH_MEMORY_UNRELATED"] ?? 10_000)
const namespace = "bench-memory"
const b64 = (text: string) => Buffer.from(text).toString("base64")

// ---------------------------------------------------------------- fixtures

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0])
const algorithm = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const

const pem = (label: string, der: ArrayBuffer) => `-----BEGIN ${label}-----\n${Buffer.from(der).toString("base64").match(/.{1,64}/g)!.join("\n")}\n-----END ${label}-----\n`

/** A Certificate (ECDSA P-256, PKCS8, SelfSigned issuer) and the Secret a finished issuance leaves: a real key and certificate for its name. */
const readyMade = async (index: number): Promise<{ certificate: Certificate; secret: Secret }> => {
  const name = `c${index}`
  const dnsName = `${name}.example.test`
  const keys = (await webcrypto.subtle.generateKey(algorithm, true, ["sign", "verify"])) as webcrypto.CryptoKeyPair
  const notBefore = new Date(Date.now() - 60_000)
  const notAfter = new Date(Date.now() + 90 * 24 * 3600_000)
  const issued = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: (index + 1).toString(16).padStart(16, "0"),
    name: `CN=${dnsName}`,
    notBefore,
    notAfter,
    keys,
    signingAlgorithm: algorithm,
    extensions: [new x509.SubjectAlternativeNameExtension([{ type: "dns", value: dnsName }]), new x509.BasicConstraintsExtension(false, undefined, true)],
  })
  const keyPem = pem("PRIVATE KEY", await webcrypto.subtle.exportKey("pkcs8", keys.privateKey))
  const certPem = issued.toString("pem") + "\n"
  return {
    certificate: {
      apiVersion: "cert-manager.io/v1",
      kind: "Certificate",
      metadata: { name, namespace },
      spec: { secretName: `${name}-tls`, dnsNames: [dnsName], issuerRef: { name: "selfsigned" }, privateKey: { algorithm: "ECDSA", size: 256, encoding: "PKCS8" } },
    },
    secret: {
      apiVersion: "v1",
      kind: "Secret",
      type: "kubernetes.io/tls",
      metadata: {
        name: `${name}-tls`,
        namespace,
        labels: { "app.kubernetes.io/managed-by": "certops", "controller.cert-manager.io/fao": "true" },
        annotations: {
          "cert-manager.io/certificate-name": name,
          "cert-manager.io/issuer-name": "selfsigned",
          "cert-manager.io/issuer-kind": "Issuer",
          "cert-manager.io/issuer-group": "cert-manager.io",
          "cert-manager.io/common-name": dnsName,
          "cert-manager.io/alt-names": dnsName,
        },
      },
      data: { "tls.crt": b64(certPem), "tls.key": b64(keyPem), "ca.crt": b64(certPem) },
    },
  }
}

/** Writes `n` ready-made Certificates and Secrets (and the SelfSigned Issuer) through the store. */
const seed = (n: number) =>
  Effect.gen(function* () {
    const store = yield* ResourceStore
    yield* store.create(Issuers, { apiVersion: "cert-manager.io/v1", kind: "Issuer", metadata: { name: "selfsigned", namespace }, spec: { selfSigned: {} } })
    const start = performance.now()
    yield* Effect.forEach(
      Array.from({ length: n }, (_, index) => index),
      (index) =>
        Effect.gen(function* () {
          const { certificate, secret } = yield* Effect.promise(() => readyMade(index))
          yield* store.create(Secrets, secret)
          yield* store.create(Certificates, certificate)
        }),
      { concurrency: 32, discard: true },
    )
    return (performance.now() - start) / 1000
  })

// ---------------------------------------------------------------- the measured child

const isWrite = (key: string) => /^(POST|PUT|PATCH|DELETE) /.test(key)

/**
 * Loads the store, starts the controllers, waits for every Certificate to be
 * Ready and the controllers to go quiet, then reads memory. With a request
 * tally (the kubernetes store), quiet means no request for 3 s, and settled
 * is the moment of the last one; without, RSS steady for 6 s.
 */
const measureChild = (store: Layer.Layer<ResourceStore, unknown>, n: number, tally?: RequestTally) =>
  Effect.gen(function* () {
    const start = performance.now()
    const rssBefore = process.memoryUsage().rss
    const resources = yield* ResourceStore
    yield* runIssuance
    let ready = 0
    let stableSince = performance.now()
    let lastRss = 0
    let lastRequests = -1
    let lastActivity = start
    while (performance.now() - start < 300_000) {
      yield* Effect.sleep(tally === undefined ? "2 seconds" : "250 millis")
      const certificates = yield* resources.list(Certificates, { namespace })
      const nowReady = certificates.filter((c) => c.status?.conditions?.some((x) => x.type === "Ready" && x.status === "True")).length
      if (tally !== undefined) {
        const requests = tally.total()
        if (requests !== lastRequests || nowReady !== ready) lastActivity = performance.now()
        lastRequests = requests
        ready = nowReady
        if (ready >= n && performance.now() - lastActivity >= 3_000) break
        continue
      }
      ready = nowReady
      const rss = process.memoryUsage().rss
      if (ready < n || Math.abs(rss - lastRss) > 8 * 1024 * 1024) stableSince = performance.now()
      lastRss = rss
      lastActivity = performance.now()
      if (ready >= n && performance.now() - stableSince >= 6_000) break
    }
    const settled = (lastActivity - start) / 1000
    const requests = (yield* resources.list(CertificateRequests, { namespace })).length
    const cpu = process.cpuUsage()
    ;(globalThis as { gc?: () => void }).gc?.()
    const memory = process.memoryUsage()
    return {
      ready,
      settledSeconds: settled,
      certificateRequests: requests,
      rss: memory.rss,
      heapUsed: memory.heapUsed,
      external: memory.external,
      peakRss: process.resourceUsage().maxRSS * 1024,
      baseRss: rssBefore,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      writes: tally === undefined ? -1 : tally.total(isWrite),
      requests: tally === undefined ? -1 : tally.total(),
      writesByResource: tally === undefined ? {} : Object.fromEntries([...tally.counts].filter(([key]) => isWrite(key))),
    }
  }).pipe(Effect.scoped, Effect.provide(issuanceLayer(store, testSettings({ namespace }))))

// ---------------------------------------------------------------- orchestration

interface ChildResult {
  readonly ready: number
  readonly settledSeconds: number
  readonly certificateRequests: number
  readonly rss: number
  readonly heapUsed: number
  readonly external: number
  readonly peakRss: number
  readonly baseRss: number
  readonly cpuSeconds: number
  /** apiserver requests certops sent (-1: not counted, the embedded store). */
  readonly writes: number
  readonly requests: number
  readonly writesByResource: Record<string, number>
}

const child = (...args: ReadonlyArray<string>): ChildResult => {
  // The V8 flags certops' own launcher uses (bin/certops.js), so the figures are the daemon's.
  const output = execFileSync(process.execPath, [...certopsCommand([]).args.filter((arg) => arg.startsWith("--")), "--expose-gc", import.meta.filename, ...args], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024, stdio: ["ignore", "pipe", "inherit"] })
  const line = output.split("\n").find((candidate) => candidate.startsWith("RESULT "))
  if (line === undefined) throw new Error(`child ${args.join(" ")} printed no result:\n${output.slice(-2000)}`)
  return JSON.parse(line.slice("RESULT ".length)) as ChildResult
}

const rows: Array<Record<string, string | number>> = []
const row = (label: string, n: number, result: ChildResult) => {
  rows.push({
    case: label,
    certificates: `${result.ready}/${n} Ready`,
    "settled in": `${result.settledSeconds.toFixed(0)} s`,
    "new CertificateRequests": result.certificateRequests,
    "RSS after GC": mib(result.rss),
    "heap used": mib(result.heapUsed),
    external: mib(result.external),
    "peak RSS": mib(result.peakRss),
    "CPU s": result.cpuSeconds.toFixed(1),
    "apiserver requests": result.requests < 0 ? "" : result.requests,
    "writes": result.writes < 0 ? "" : result.writes,
  })
  if (result.writes > 0) console.log(`  ${label}: writes ${JSON.stringify(result.writesByResource)}`)
  summary("memory", label, `RSS ${mib(result.rss)} (heap ${mib(result.heapUsed)}, peak ${mib(result.peakRss)}), settled in ${result.settledSeconds.toFixed(1)} s${result.writes < 0 ? "" : `, ${result.writes} apiserver writes`}`)
}

const quiet = <A, E>(effect: Effect.Effect<A, E>) => effect.pipe(Effect.provideService(References.MinimumLogLevel, "Warn"))

const [mode, ...rest] = process.argv.slice(2)
if (mode === "seed-embedded") {
  const [stateDir = "", n = "0"] = rest
  const seconds = await Effect.runPromise(quiet(Effect.gen(function* () {
    const store = yield* makeEmbeddedStore(stateDir)
    return yield* seed(Number(n)).pipe(Effect.provideService(ResourceStore, store))
  })))
  console.log(`RESULT ${JSON.stringify({ seconds })}`)
  process.exit(0)
} else if (mode === "measure-embedded") {
  const [stateDir = "", n = "0"] = rest
  const result = await Effect.runPromise(quiet(Effect.gen(function* () {
    const store = yield* makeEmbeddedStore(stateDir)
    return yield* measureChild(Layer.succeed(ResourceStore, store), Number(n))
  })))
  console.log(`RESULT ${JSON.stringify(result)}`)
  process.exit(0)
} else if (mode === "measure-kube") {
  const [kubeconfig = "", n = "0"] = rest
  const tally = makeRequestTally()
  const store = kubernetesStoreFromClient().pipe(Layer.provide(countingKubeClientLayer(kubeconfig, tally)))
  const result = await Effect.runPromise(quiet(measureChild(store, Number(n), tally)))
  console.log(`RESULT ${JSON.stringify(result)}`)
  process.exit(0)
} else {
  console.log(`\nmemory benchmark — ${machine()}`)
  console.log(`sizes: embedded ${embeddedN} Certificates + Secrets; kubernetes ${kubeN} Certificates + Secrets, then ${unrelatedN} unrelated, unlabelled Secrets (2 KiB each) in the same namespace`)
  // An idle process with the same imports, for reference.
  const baseline = process.memoryUsage().rss
  console.log(`  this (orchestrating) process after imports: ${mib(baseline)}`)

  const stateDir = mkdtempSync(join(tmpdir(), "certops-bench-memory-"))
  if (embeddedN > 0) {
  const empty = child("measure-embedded", mkdtempSync(join(tmpdir(), "certops-bench-memory-empty-")), "0")
  row("embedded, empty store", 0, empty)
  const seeded = child("seed-embedded", stateDir, String(embeddedN)) as unknown as { seconds: number }
  console.log(`  seeded ${embeddedN} ready-made Certificates + Secrets into the embedded store in ${seeded.seconds.toFixed(0)} s`)
  row(`embedded, ${embeddedN} Ready`, embeddedN, child("measure-embedded", stateDir, String(embeddedN)))
  }
  rmSync(stateDir, { recursive: true, force: true })

  if (kubeN > 0) {
    await Effect.runPromise(
      quiet(
        Effect.gen(function* () {
          const env = yield* startEnvironment(makeRunDir())
          yield* Effect.promise(() => createNamespaceNamed(env, namespace))
          row("kubernetes, empty namespace", 0, child("measure-kube", env.kube.kubeconfig, "0"))
          const seconds = yield* seed(kubeN).pipe(Effect.provide(kubernetesStoreLayer({ kubeconfigPath: env.kube.kubeconfig, cachedKinds: [] })))
          console.log(`  seeded ${kubeN} ready-made Certificates + Secrets through the apiserver in ${seconds.toFixed(0)} s`)
          // The first start finds Certificates without status and writes it; the restart finds them Ready and must write nothing.
          row(`kubernetes, ${kubeN} seeded, first start`, kubeN, child("measure-kube", env.kube.kubeconfig, String(kubeN)))
          row(`kubernetes, ${kubeN} Ready, restart`, kubeN, child("measure-kube", env.kube.kubeconfig, String(kubeN)))
          const filler = b64("x".repeat(2048))
          const start = performance.now()
          yield* Effect.gen(function* () {
            const store = yield* ResourceStore
            yield* Effect.forEach(
              Array.from({ length: unrelatedN }, (_, index) => index),
              (index) => store.create(Secrets, { apiVersion: "v1", kind: "Secret", metadata: { name: `unrelated-${index}`, namespace }, type: "Opaque", data: { payload: filler } }),
              { concurrency: 48, discard: true },
            )
          }).pipe(Effect.provide(kubernetesStoreLayer({ kubeconfigPath: env.kube.kubeconfig, cachedKinds: [] })))
          console.log(`  created ${unrelatedN} unrelated Secrets in ${((performance.now() - start) / 1000).toFixed(0)} s`)
          row(`kubernetes, ${kubeN} Ready + ${unrelatedN} unrelated Secrets`, kubeN, child("measure-kube", env.kube.kubeconfig, String(kubeN)))
        }).pipe(Effect.scoped),
      ),
    )
  }
  console.log("")
  console.table(rows)
  console.log("RSS after GC: process.memoryUsage().rss after global.gc(), once every Certificate is Ready and the process is quiet; kubernetes runs are namespace-scoped.")
  console.log("settled: kubernetes, from the start to certops' last apiserver request (quiet 3 s after); embedded, until RSS held steady for 6 s. writes: POST/PUT/PATCH/DELETE certops sent.")
  process.exit(0)
}
