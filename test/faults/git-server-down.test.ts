// The Git server goes away for 30 s under the whole daemon: while it is down
// certificates are re-issued (their Secrets deleted) and a new intent is
// committed to the repository behind the server's back. Status reports are
// kept meanwhile and pushed once the server is back on the same port with the
// same repositories; then every report on the status branch matches the
// certificate it describes (Ready, serial of its Secret), none missing.
import { execFileSync } from "node:child_process"
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs"
import { X509Certificate } from "node:crypto"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect, Exit, Redacted, Scope } from "effect"
import { parse as parseYaml } from "yaml"
import { Certificates, Secrets } from "../../src/api/kinds.ts"
import type { DaemonConfig } from "../../src/settings/daemon-config.ts"
import { daemonLayer, startDaemon } from "../../src/daemon/daemon.ts"
import { ResourceStore } from "../../src/store/resource-store.ts"
import { startGitServer } from "../env/git-server.ts"
import { freePorts } from "../env/ports.ts"
import { testEnvironment, uniqueName } from "../support/env.ts"
import { allReady, isReady } from "../support/faults/common.ts"
import { createBareRepository } from "../support/git.ts"
import { e2eSettings, eventually } from "../support/issuance-e2e.ts"
import { createNamespaceNamed } from "../support/kube.ts"

const env = testEnvironment()
const namespace = uniqueName("gitdown")
const repo = "intents"
const issuerName = `selfsigned-${namespace}`
const statusBranch = "certops/status"
const initial = ["alpha", "bravo", "charlie"]
const gitRoot = mkdtempSync(join(tmpdir(), "certops-fault-git-"))
const password = "fault-git-password"

const issuerYaml = `apiVersion: cert-manager.io/v1
kind: ClusterIssuer
metadata:
  name: ${issuerName}
spec:
  selfSigned: {}
`
const certificateYaml = (name: string) => `apiVersion: cert-manager.io/v1
kind: Certificate
metadata:
  name: ${name}
spec:
  secretName: ${name}-tls
  dnsNames:
    - ${name}.example.test
  issuerRef:
    name: ${issuerName}
    kind: ClusterIssuer
`

const bare = createBareRepository(gitRoot, repo, {
  "clusters/test/issuer.yaml": issuerYaml,
  ...Object.fromEntries(initial.map((name) => [`clusters/test/${name}.yaml`, certificateYaml(name)])),
})
const git = (...args: ReadonlyArray<string>) => execFileSync("git", ["-C", bare, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] })
const statusReport = (name: string): Record<string, unknown> | undefined => {
  try {
    return parseYaml(git("show", `${statusBranch}:${namespace}/${name}.yaml`)) as Record<string, unknown>
  } catch {
    return undefined
  }
}
/** A commit on main made on the server's disk, as if pushed while certops could not see it. */
const commitBehindTheServersBack = (path: string, content: string) => {
  const work = mkdtempSync(join(tmpdir(), "certops-fault-work-"))
  const env = { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@certops.invalid", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@certops.invalid" }
  const run = (...args: ReadonlyArray<string>) => execFileSync("git", args, { cwd: work, env, stdio: "ignore" })
  run("clone", "--quiet", "--branch", "main", bare, ".")
  mkdirSync(join(work, "clusters/test"), { recursive: true })
  writeFileSync(join(work, path), content)
  run("add", "--all")
  run("commit", "--quiet", "-m", `add ${path}`)
  run("push", "--quiet", "origin", "main")
  rmSync(work, { recursive: true, force: true })
}

const [gitPort = 0, metricsPort = 0, webhookPort = 0] = await Effect.runPromise(freePorts(3))
const config: DaemonConfig = {
  git: {
    url: `http://127.0.0.1:${gitPort}/${repo}.git`,
    branch: "main",
    path: "clusters/test",
    username: "certops",
    password: Redacted.make(password),
    pollInterval: "2 seconds",
    statusBranch,
    defaultNamespace: namespace,
  },
  store: { backend: "kubernetes", kubeconfig: env.kube.kubeconfig },
  stateDir: mkdtempSync(join(tmpdir(), "certops-daemon-")),
  http: { host: "127.0.0.1", port: metricsPort, webhookPort },
  issuance: e2eSettings(env, { namespace }),
  leaderElection: { namespace, identity: "git-down-test", leaseDuration: Duration.seconds(6) },
}

const serialOf = (name: string) =>
  ResourceStore.use((store) => store.get(Secrets, { namespace, name: `${name}-tls` }, { fresh: true })).pipe(
    Effect.map((secret) => new X509Certificate(Buffer.from(secret.data?.["tls.crt"] ?? "", "base64")).serialNumber.toLowerCase().replace(/^0+/, "")),
  )

/** Every Certificate's report matches it: Ready and the serial of its Secret. Returns the mismatches. */
const mismatches = Effect.gen(function* () {
  const certificates = yield* ResourceStore.use((store) => store.list(Certificates, { namespace }))
  const wrong: Array<string> = []
  for (const certificate of certificates) {
    const name = certificate.metadata.name
    const report = statusReport(name)
    const serial = yield* serialOf(name).pipe(Effect.orElseSucceed(() => "(no secret)"))
    if (report === undefined) wrong.push(`${name}: no report`)
    else if (report["ready"] !== (isReady(certificate) ? "True" : "False") || report["serial"] !== serial)
      wrong.push(`${name}: report ready=${String(report["ready"])} serial=${String(report["serial"])}, certificate ready=${isReady(certificate)} serial=${serial}`)
  }
  return wrong
})

describe("Git server down for 30 s", () => {
  it.live("keeps status reports and pushes them once the server is back; nothing lost", () =>
    Effect.gen(function* () {
      yield* Effect.promise(() => createNamespaceNamed(env, namespace))
      const store = yield* ResourceStore
      const serverScope = yield* Scope.make()
      yield* startGitServer({ root: gitRoot, username: "certops", password, port: gitPort }).pipe(Scope.provide(serverScope))
      yield* startDaemon(config)

      yield* allReady(namespace, initial.length, 90)
      yield* eventually("reports of the first certificates", mismatches.pipe(Effect.map((wrong) => (wrong.length === 0 ? wrong : undefined))), 60)
      const before = Object.fromEntries(initial.map((name) => [name, statusReport(name)?.["serial"]]))

      // The server goes away.
      yield* Scope.close(serverScope, Exit.void)
      const downAt = Date.now()
      const headBefore = git("rev-parse", statusBranch).trim()
      // Work goes on in the cluster: every certificate re-issued.
      for (const name of initial) yield* store.delete(Secrets, { namespace, name: `${name}-tls` })
      yield* eventually(
        "re-issued certificates while Git is down",
        Effect.gen(function* () {
          const serials = yield* Effect.forEach(initial, (name) => serialOf(name).pipe(Effect.orElseSucceed(() => undefined)))
          return serials.every((serial, index) => serial !== undefined && serial !== before[initial[index]!]) ? serials : undefined
        }),
        25,
      )
      // And an intent the daemon cannot fetch yet.
      commitBehindTheServersBack("clusters/test/delta.yaml", certificateYaml("delta"))
      yield* Effect.sleep(Duration.millis(Math.max(0, 30_000 - (Date.now() - downAt))))
      // Nothing could have been pushed; the reports describe the old serials.
      assert.strictEqual(git("rev-parse", statusBranch).trim(), headBefore)
      assert.isAbove((yield* mismatches).length, 0, "reports are behind while Git is down")

      // Back on the same port with the same repositories.
      const backAt = Date.now()
      yield* startGitServer({ root: gitRoot, username: "certops", password, port: gitPort })
      yield* allReady(namespace, initial.length + 1, 90)
      const settled = yield* eventually(
        "every report to match its certificate",
        mismatches.pipe(Effect.map((wrong) => (wrong.length === 0 ? wrong : undefined))),
        120,
      ).pipe(Effect.catchDefect((defect) => Effect.flatMap(mismatches, (wrong) => Effect.die(new Error(`${String(defect)}\n${wrong.join("\n")}`)))))
      assert.deepStrictEqual(settled, [])
      yield* Effect.logInfo(`status caught up ${Date.now() - backAt} ms after the Git server returned`)
      // Four reports, each the re-issued serial; the status branch moved on by fast-forward.
      const reported = git("ls-tree", "-r", "--name-only", statusBranch).split("\n").filter((path) => path.startsWith(`${namespace}/`))
      assert.deepStrictEqual(reported.sort(), ["alpha", "bravo", "charlie", "delta"].map((name) => `${namespace}/${name}.yaml`))
      git("merge-base", "--is-ancestor", headBefore, statusBranch)
    }).pipe(Effect.scoped, Effect.provide(daemonLayer(config))),
    300_000,
  )
})
