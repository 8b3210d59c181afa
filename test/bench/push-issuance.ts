// certops from one push: an Issuer and N Certificates (half with one name,
// half with two) committed to the Git server in one push, `certops run`
// started as a user would start it, timed from the signed webhook to the
// moment the last Certificate is Ready. The daemon is a process of its own,
// so its CPU and peak RSS are its own, read from /proc.
import { createHmac } from "node:crypto"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Stream } from "effect"
import { Certificates, Secrets } from "../../src/api/kinds.ts"
import { kubernetesStoreLayer } from "../../src/store/kubernetes/layer.ts"
import { ResourceStore } from "../../src/store/resource-store.ts"
import type { TestEnvironment } from "../env/environment.ts"
import { freePorts } from "../env/ports.ts"
import { createBareRepository } from "../support/git.ts"
import { createNamespaceNamed } from "../support/kube.ts"
import { workClone } from "../support/work-clone.ts"
import { apiserverRequestsByResource, mib, requestDelta, summary, total, type FloorFigures } from "./common.ts"
import { certopsCommand, certopsRunArgs, counterTotal, cpuByCommand, cpuSecondsOf, peakRssOf, spawnMeasured, waitFor } from "./daemon-process.ts"

const run = Date.now().toString(36)
/** The environment's programs, by command name, whose CPU a run also costs. */
const components = ["kube-apiserver", "etcd", "pebble", "named", "git"]

export type Solver = "HTTP-01" | "DNS-01"

/** The intents of one push: the Issuer and N Certificates, a file each. */
export const pushFiles = (env: TestEnvironment, solver: Solver, n: number, prefix: string): Record<string, string> => {
  const solverYaml =
    solver === "HTTP-01"
      ? "      - http01:\n          ingress: {}\n"
      : `      - dns01:\n          rfc2136:\n            nameserver: "${env.dns.host}:${env.dns.port}"\n            tsigKeyName: ${env.dns.tsig.name}\n            tsigAlgorithm: HMACSHA256\n            tsigSecretSecretRef:\n              name: tsig\n              key: secret\n`
  const files: Record<string, string> = {
    "issuer.yaml":
      "apiVersion: cert-manager.io/v1\nkind: Issuer\nmetadata:\n  name: acme\nspec:\n  acme:\n" +
      `    server: ${env.acme.directoryUrl}\n    email: ops@certops.test\n    privateKeySecretRef:\n      name: acme-account\n` +
      `    caBundle: ${Buffer.from(env.acme.tlsCaPem).toString("base64")}\n    solvers:\n${solverYaml}`,
  }
  for (let index = 0; index < n; index++) {
    const base = `${prefix}-${index}`
    const names = index % 2 === 0 ? [`${base}.${env.dns.zone}`] : [`${base}a.${env.dns.zone}`, `${base}b.${env.dns.zone}`]
    files[`certificates/c${index}.yaml`] =
      `apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata:\n  name: c${index}\nspec:\n  secretName: c${index}-tls\n  issuerRef:\n    name: acme\n  dnsNames:\n${names.map((name) => `    - ${name}\n`).join("")}`
  }
  return files
}

/** Waits until `n` Certificates of the namespace are Ready, through one watch. */
export const allReady = (env: TestEnvironment, namespace: string, n: number, limitMs: number) =>
  Effect.gen(function* () {
    const store = yield* ResourceStore
    const ready = new Set<string>()
    let last = performance.now()
    yield* store.watch(Certificates, { namespace }).pipe(
      Stream.tap((event) =>
        Effect.sync(() => {
          const isReady = event.object.status?.conditions?.some((condition) => condition.type === "Ready" && condition.status === "True") ?? false
          if (isReady && event.type !== "DELETED") ready.add(event.object.metadata.name)
          else ready.delete(event.object.metadata.name)
          if (performance.now() - last > 15_000) {
            console.log(`    … ${ready.size}/${n} Ready`)
            last = performance.now()
          }
        }),
      ),
      Stream.takeUntil(() => ready.size >= n),
      Stream.runDrain,
      Effect.timeoutOrElse({ duration: limitMs, orElse: () => Effect.void }),
    )
    return ready.size
  }).pipe(Effect.provide(kubernetesStoreLayer({ kubeconfigPath: env.kube.kubeconfig, cachedKinds: [Certificates] })))


export const fromOnePush = async (env: TestEnvironment, solver: Solver, n: number, floor: FloorFigures): Promise<Record<string, string | number>> => {
  const tag = `${solver === "HTTP-01" ? "ph" : "pd"}${n}-${run}`
  const namespace = `bench-push-${tag}`
  await createNamespaceNamed(env, namespace)
  const secrets = mkdtempSync(join(tmpdir(), "certops-bench-push-"))
  const webhookSecret = "bench push webhook secret"
  writeFileSync(join(secrets, "git-password"), env.git.password)
  writeFileSync(join(secrets, "webhook-secret"), webhookSecret)
  if (solver === "DNS-01") {
    await Effect.runPromise(
      ResourceStore.use((store) =>
        store.create(Secrets, { apiVersion: "v1", kind: "Secret", metadata: { name: "tsig", namespace }, data: { secret: Buffer.from(env.dns.tsig.secret).toString("base64") } }),
      ).pipe(Effect.provide(kubernetesStoreLayer({ kubeconfigPath: env.kube.kubeconfig, cachedKinds: [] }))),
    )
  }
  const bare = createBareRepository(env.git.root, `bench-push-${tag}`, { "README.md": "certificates for the push benchmark\n" })
  const [httpPort = 0, webhookPort = 0] = await Effect.runPromise(freePorts(2))
  // BENCH_DAEMON_NODE_OPTIONS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", profiles the daemon alone.
  const nodeOptions = (process.env["BENCH_DAEMON_NODE_OPTIONS"] ?? "").split(" ").filter((option) => option !== "")
  const launch = certopsCommand(
    certopsRunArgs(env, { repository: `bench-push-${tag}`, secretsDir: secrets, namespace, httpPort, webhookPort }, [
      "--webhook-secret-file", join(secrets, "webhook-secret"),
      "--http01-port", String(env.acme.httpPort),
      "--http01-self-check-port", String(env.acme.httpPort),
    ]),
    nodeOptions,
  )
  const daemon = spawnMeasured(launch.command, launch.args, join(env.dir, `certops-push-${tag}.log`))
  try {
    const metrics = () => fetch(`http://127.0.0.1:${httpPort}/metrics`).then((response) => response.text())
    await waitFor("certops run answering /readyz", () => fetch(`http://127.0.0.1:${httpPort}/readyz`).then((response) => response.ok), 60_000, daemon)
    // Leading and synced: the README-only commit reached the status branch's follower.
    await waitFor("certops run leading", () => metrics().then((text) => counterTotal(text, "certops_git_last_sync_timestamp_seconds") > 0), 60_000, daemon)

    const clone = workClone(bare)
    for (const [path, content] of Object.entries(pushFiles(env, solver, n, tag))) clone.write(path, content)
    clone.commitAndPush(`${n} certificates`)

    const acmeBefore = counterTotal(await metrics(), "certops_acme_client_requests_total")
    const apiBefore = await apiserverRequestsByResource(env.kube)
    const cpuBefore = cpuSecondsOf(daemon.pid)
    const othersBefore = cpuByCommand(components)
    const payload = JSON.stringify({ ref: "refs/heads/main" })
    const signature = `sha256=${createHmac("sha256", webhookSecret).update(payload).digest("hex")}`
    const start = performance.now()
    const answer = await fetch(`http://127.0.0.1:${webhookPort}/hooks/git`, { method: "POST", body: payload, headers: { "content-type": "application/json", "x-hub-signature-256": signature } })
    if (answer.status !== 202) throw new Error(`the webhook answered ${answer.status}`)
    const ready = await Effect.runPromise(allReady(env, namespace, n, 600_000))
    const seconds = (performance.now() - start) / 1000
    const cpuSeconds = cpuSecondsOf(daemon.pid) - cpuBefore
    const othersAfter = cpuByCommand(components)
    const peakRss = peakRssOf(daemon.pid)
    const api = requestDelta(apiBefore, await apiserverRequestsByResource(env.kube))
    const acme = counterTotal(await metrics(), "certops_acme_client_requests_total") - acmeBefore
    const rate = ready / seconds
    const ofFloor = `${((rate / floor.rate) * 100).toFixed(0)}%`
    const figures = {
      apiPerCert: total(api) / n,
      acmePerCert: acme / n,
    }
    console.log(`  certops ${solver} from one push: ${ready}/${n} Ready in ${seconds.toFixed(1)} s, ${rate.toFixed(2)} certs/s (${ofFloor} of floor)`)
    console.log(`    apiserver requests per certificate (every client): ${[...api].sort((a, b) => b[1] - a[1]).map(([what, count]) => `${what} ${(count / n).toFixed(2)}`).join(", ")}`)
    console.log(`    CPU of the others meanwhile: ${components.map((name) => `${name} ${((othersAfter.get(name) ?? 0) - (othersBefore.get(name) ?? 0)).toFixed(1)} s`).join(", ")}`)
    console.log(`    daemon CPU ${cpuSeconds.toFixed(1)} s (${((cpuSeconds / n) * 1000).toFixed(0)} ms/cert, ${(cpuSeconds / n / floor.cpuPerCert).toFixed(2)} × floor), peak RSS ${mib(peakRss)}`)
    summary(
      "issuance",
      `certops ${solver} from one push (${n} certs)`,
      `${rate.toFixed(2)} certs/s${solver === "HTTP-01" ? `, ${ofFloor} of floor` : ""}, ${figures.apiPerCert.toFixed(1)} API req/cert, ${figures.acmePerCert.toFixed(1)} ACME req/cert, CPU ${cpuSeconds.toFixed(0)} s, peak RSS ${mib(peakRss)}`,
    )
    return {
      run: `certops ${solver} push ×${n}`,
      certificates: `${ready}/${n}`,
      "wall s": seconds.toFixed(1),
      "certs/s": rate.toFixed(2),
      "vs floor": ofFloor,
      "CPU s": cpuSeconds.toFixed(1),
      "peak RSS": mib(peakRss),
      "API req/cert": figures.apiPerCert.toFixed(1),
      "ACME req/cert": figures.acmePerCert.toFixed(1),
    }
  } finally {
    await daemon.stop()
  }
}
