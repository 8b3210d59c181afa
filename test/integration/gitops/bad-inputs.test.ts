// The bad-input table end to end: the malformed intents of
// test/fixtures/intents/bad (plus a symlink, an oversized and a non-UTF-8
// file made at test time) pushed to the Git server. Every file `certops check`
// rejects gets a rejection report on the status branch with the same rules,
// and the valid documents beside them still issue.
import { execFileSync, spawnSync } from "node:child_process"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect, Redacted } from "effect"
import { parse as parseYaml } from "yaml"
import type { DaemonConfig } from "../../../src/settings/daemon-config.ts"
import { daemonLayer, startDaemon } from "../../../src/daemon/daemon.ts"
import { rejectionFile } from "../../../src/report/layout.ts"
import { binaries } from "../../env/binaries.ts"
import { freePorts } from "../../env/ports.ts"
import { testEnvironment, uniqueName } from "../../support/env.ts"
import { e2eSettings, eventually, readyCertificate } from "../../support/issuance-e2e.ts"
import { createNamespaceNamed } from "../../support/kube.ts"
import { makeBadTree } from "../../unit/intents/fixture-tree.ts"

const env = testEnvironment()
const namespace = uniqueName("bad-inputs")
const repository = uniqueName("bad-intents")
const root = join(import.meta.dirname, "../../..")

// A repository of the bad tree, served by the Git server.
const tree = makeBadTree()
const work = (...args: ReadonlyArray<string>) =>
  execFileSync("git", args, { cwd: tree, encoding: "utf8", env: { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@t.invalid", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@t.invalid" } })
work("init", "--quiet", "--initial-branch=main")
work("add", "--all")
work("commit", "--quiet", "-m", "bad intents")
const bare = join(env.git.root, `${repository}.git`)
execFileSync("git", ["clone", "--quiet", "--bare", tree, bare])
execFileSync("git", ["-C", bare, "config", "http.receivepack", "true"])

/** What `certops check` says about the same tree: file → rules. */
// check exits 1 when anything is rejected, as it should on these files.
const checked = JSON.parse(
  spawnSync(process.execPath, ["bin/certops.js", "check", tree, "--output", "json", "--default-namespace", namespace, "--issuer", "ClusterIssuer/known"], {
    cwd: root,
    encoding: "utf8",
  }).stdout.trim() || "{}",
) as { rejected?: ReadonlyArray<{ file: string; rule: string }> }

const [metricsPort = 0, webhookPort = 0] = await Effect.runPromise(freePorts(2))
const config: DaemonConfig = {
  git: {
    url: `${env.git.url}/${repository}.git`,
    branch: "main",
    path: "",
    username: env.git.username,
    password: Redacted.make(env.git.password),
    pollInterval: "2 seconds",
    statusBranch: "certops/status",
    defaultNamespace: namespace,
  },
  store: { backend: "kubernetes", kubeconfig: env.kube.kubeconfig },
  stateDir: mkdtempSync(join(tmpdir(), "certops-bad-")),
  http: { host: "127.0.0.1", port: metricsPort, webhookPort },
  issuance: e2eSettings(env, { namespace }),
  leaderElection: { namespace, identity: "bad-inputs", leaseDuration: Duration.seconds(6) },
}

const statusFiles = () => {
  try {
    return execFileSync("git", ["-C", bare, "ls-tree", "-r", "--name-only", "certops/status"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim().split("\n")
  } catch {
    return []
  }
}

describe("malformed intents end to end", () => {
  it.live("reports every rejected file with check's rules, and issues the valid documents beside them", () =>
    Effect.gen(function* () {
      const rejected = checked.rejected ?? []
      const files = [...new Set(rejected.map((rejection) => rejection.file))].sort()
      assert.isAtLeast(files.length, 25, "the table has at least 25 malformed files")

      yield* Effect.promise(() => createNamespaceNamed(env, namespace))
      // The issuer the fixtures refer to exists in the cluster, outside Git
      // (made by an admin: the daemon's own store writes only while it leads).
      execFileSync(binaries.kubectl, ["--kubeconfig", env.kube.kubeconfig, "apply", "-f", "-"], {
        input: "apiVersion: cert-manager.io/v1\nkind: ClusterIssuer\nmetadata:\n  name: known\nspec:\n  selfSigned: {}\n",
      })
      yield* startDaemon(config)

      // The valid documents among the bad ones still issue.
      yield* eventually("first-is-fine to be Ready", readyCertificate(namespace, "first-is-fine"), 60)
      yield* eventually("twice to be Ready", readyCertificate(namespace, "twice"), 60)

      // Every file check rejects has its report, with the same rules.
      const expected = files.map(rejectionFile)
      yield* eventually(
        "every rejection report on the status branch",
        Effect.sync(() => {
          const present = new Set(statusFiles())
          return expected.every((file) => present.has(file)) ? true : undefined
        }),
        60,
      )
      for (const file of files) {
        const report = parseYaml(execFileSync("git", ["-C", bare, "show", `certops/status:${rejectionFile(file)}`], { encoding: "utf8" })) as { problems: ReadonlyArray<{ rule: string }> }
        const fromCheck = rejected.filter((rejection) => rejection.file === file).map((rejection) => rejection.rule).sort()
        const fromReport = report.problems.map((problem) => problem.rule).filter((rule) => rule !== "apply-failed").sort()
        assert.deepStrictEqual(fromReport, fromCheck, file)
      }
    }).pipe(Effect.scoped, Effect.provide(daemonLayer(config))),
    180_000,
  )
})
