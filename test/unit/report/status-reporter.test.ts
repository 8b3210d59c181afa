// The reporter against a repository on a local path: reports land as files on
// the status branch, batched into few commits that say what changed.
import { execFileSync } from "node:child_process"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Option, Schedule } from "effect"
import { makeStatusReporter, type StatusReporterOptions } from "../../../src/report/status-reporter.ts"
import { failing, issued, rejected } from "./fixtures.ts"
import { bareRepository, git, stateDirectory } from "../git/local-repository.ts"

const branch = "certops/status"
const commits = (gitdir: string, ref = branch) => Number(git(gitdir, "rev-list", "--count", ref))
const show = (gitdir: string, path: string, ref = branch) => git(gitdir, "show", `${ref}:${path}`)

const reporter = (gitdir: string, options: Partial<StatusReporterOptions> = {}) =>
  makeStatusReporter({ repository: { location: gitdir, stateDir: stateDirectory() }, ...options })

const eventually = <A>(check: Effect.Effect<A, unknown>) =>
  check.pipe(Effect.retry(Schedule.spaced("50 millis").pipe(Schedule.upTo({ duration: "10 seconds" }))))

describe("StatusReporter on a local repository", () => {
  it.live("commits one file per Certificate, the summary and the rejections, signed as certops", () =>
    Effect.gen(function* () {
      const gitdir = bareRepository()
      const status = yield* reporter(gitdir)
      yield* status.report(issued)
      yield* status.report(failing)
      yield* status.rejections([rejected])
      const commit = Option.getOrThrow(yield* status.flush)

      assert.strictEqual(git(gitdir, "rev-parse", branch), commit)
      assert.deepStrictEqual(git(gitdir, "ls-tree", "-r", "--name-only", branch).split("\n"), [
        "STATUS.md",
        "_rejected/intents/web/bad.yaml.yaml",
        "shop/www.yaml",
        "web/example-com.yaml",
      ])
      assert.include(show(gitdir, "web/example-com.yaml"), "serial: 3a5f09c1d2e3f405162738495a6b7c8d")
      assert.include(show(gitdir, "STATUS.md"), "| [web/example-com](web/example-com.yaml) | ✅ True |")
      assert.strictEqual(git(gitdir, "log", "-1", "--format=%an <%ae>", branch), "certops <certops@certops.invalid>")
      assert.strictEqual(
        git(gitdir, "log", "-1", "--format=%B", branch),
        [
          "status: 2 certificates changed, 1 rejected intent changed",
          "",
          "web/example-com: issued serial 3a5f09c1…, valid to 2027-02-20 (intent 1c9e2f0)",
          "shop/www: failed: order is invalid: DNS problem: NXDOMAIN looking up TXT; next try 2026-11-23 11:00 UTC (intent 1c9e2f0)",
          "intents/web/bad.yaml: rejected by policy/allowed-issuers: issuer ClusterIssuer/self-signed is not allowed in namespace web (line 12), and 1 more problem (intent 1c9e2f0)",
          "",
          "Certops-Status: true",
        ].join("\n"),
      )
      assert.strictEqual(yield* status.pendingCount, 0)

      // The same status again costs no commit; a removal and a fixed intent do.
      yield* status.report(issued)
      assert.isTrue(Option.isNone(yield* status.flush))
      yield* status.remove("shop", "www")
      yield* status.rejections([])
      yield* status.flush
      assert.strictEqual(commits(gitdir), 2)
      assert.deepStrictEqual(git(gitdir, "ls-tree", "-r", "--name-only", branch).split("\n"), ["STATUS.md", "web/example-com.yaml"])
      assert.strictEqual(
        git(gitdir, "log", "-1", "--format=%B", branch),
        "status: 1 certificate changed, 1 rejected intent changed\n\nshop/www: removed\nintents/web/bad.yaml: no longer rejected\n\nCertops-Status: true",
      )
    }),
  )

  it.live("batches a burst of reports into one commit once changes stop", () =>
    Effect.gen(function* () {
      const gitdir = bareRepository()
      const status = yield* reporter(gitdir, { batch: { quiet: "300 millis", max: "5 seconds" } })
      for (let index = 0; index < 12; index++) yield* status.report({ ...issued, name: `site-${index}` })
      yield* eventually(Effect.flatMap(status.pendingCount, (count) => (count === 0 ? Effect.void : Effect.fail("pending"))))
      assert.strictEqual(commits(gitdir), 1)
      assert.strictEqual(git(gitdir, "log", "-1", "--format=%s", branch), "status: 12 certificates changed")
    }),
  )

  it.live("keeps reports under a directory of the tracked branch, beside what is already there", () =>
    Effect.gen(function* () {
      const gitdir = bareRepository()
      const work = stateDirectory()
      execFileSync("git", ["clone", "--quiet", gitdir, work])
      execFileSync("sh", ["-c", "echo intents > README.md && git add README.md && git -c user.name=p -c user.email=p@x commit -qm seed && git push -q origin HEAD:main"], { cwd: work })
      const status = yield* reporter(gitdir, { branch: "main", directory: ".certops/status" })
      yield* status.report(issued)
      yield* status.flush
      assert.deepStrictEqual(git(gitdir, "ls-tree", "-r", "--name-only", "main").split("\n"), [
        ".certops/status/STATUS.md",
        ".certops/status/web/example-com.yaml",
        "README.md",
      ])
      assert.strictEqual(commits(gitdir, "main"), 2)
    }),
  )

  it.live("refuses reports whose names are not Kubernetes names, so no path escapes the directory", () =>
    Effect.gen(function* () {
      const status = yield* reporter(bareRepository())
      assert.strictEqual((yield* status.report({ ...issued, name: "../../etc" }).pipe(Effect.flip))._tag, "InvalidReport")
      assert.strictEqual((yield* status.remove("web", "..").pipe(Effect.flip))._tag, "InvalidReport")
      assert.strictEqual((yield* status.rejections([{ ...rejected, file: "../outside.yaml" }]).pipe(Effect.flip))._tag, "InvalidReport")
      assert.strictEqual(yield* status.pendingCount, 0)
    }),
  )
})
