// The status reporter against a real smart-HTTP server: reports land with the
// right files and messages, survive concurrent pushes without a forced update,
// wait out an outage, and fail typed on bad credentials.
import { execFile } from "node:child_process"
import { mkdtempSync } from "node:fs"
import { createServer, connect, type Socket } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { promisify } from "node:util"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Option, Redacted, Schedule, Scope } from "effect"
import { GitCredentials } from "../../../src/git/credentials.ts"
import { certopsIdentity } from "../../../src/git/own-commits.ts"
import { connectRemote } from "../../../src/git/connect-remote.ts"
import type { Remote } from "../../../src/git/remote.ts"
import { publish } from "../../../src/report/publish.ts"
import { makeStatusReporter, type StatusReporterOptions } from "../../../src/report/status-reporter.ts"
import type { CertificateReport } from "../../../src/report/reports.ts"
import { testEnvironment, uniqueName } from "../../support/env.ts"
import { createBareRepository } from "../../support/git.ts"
import { cliUrl, commit, git, workingClone } from "../git/git-cli.ts"

const env = testEnvironment()
const credentials = GitCredentials.basic(env.git.username, Redacted.make(env.git.password))
const branch = "certops/status"
const stateDir = () => mkdtempSync(join(tmpdir(), "certops-report-"))
const run = promisify(execFile)

const certificate = (name: string, serial: string): CertificateReport => ({
  namespace: "web",
  name,
  secretName: `${name}-tls`,
  ready: "True",
  reason: "Ready",
  serial,
  notAfter: "2027-02-20T12:00:00Z",
  renewalTime: "2027-01-21T12:00:00Z",
  issuer: { kind: "ClusterIssuer", name: "letsencrypt" },
  intentCommit: "1c9e2f0a7b3d4e5f60718293a4b5c6d7e8f90123",
  intentPath: `intents/web/${name}.yaml`,
})

const repository = () => {
  const name = uniqueName("status")
  const bare = createBareRepository(env.git.root, name, { "README.md": "intents\n" })
  // Bare repositories keep no reflog unless told to: the test reads it.
  git(bare, ["config", "core.logAllRefUpdates", "always"])
  return { name, bare, url: `${env.git.url}/${name}.git` }
}

const options = (url: string, overrides: Partial<StatusReporterOptions> = {}): StatusReporterOptions => ({
  repository: { location: url, credentials, stateDir: stateDir(), timeout: "10 seconds" },
  batch: { quiet: "100 millis", max: "1 second" },
  outageBackoff: { min: "100 millis", max: "500 millis" },
  ...overrides,
})

const eventually = <A, E>(check: Effect.Effect<A, E>) =>
  check.pipe(Effect.retry(Schedule.spaced("100 millis").pipe(Schedule.upTo({ duration: "30 seconds" }))))

const allPushed = (pendingCount: Effect.Effect<number>) =>
  eventually(Effect.flatMap(pendingCount, (count) => (count === 0 ? Effect.void : Effect.fail(`${count} pending`))))

const files = (bare: string) => git(bare, ["ls-tree", "-r", "--name-only", branch]).split("\n")

describe("StatusReporter over smart HTTP", () => {
  it.live("status reports land on the status branch with the right files and message", () =>
    Effect.gen(function* () {
      const repo = repository()
      const status = yield* makeStatusReporter(options(repo.url))
      yield* status.report(certificate("example-com", "3a5f09c1d2e3f405"))
      const { serial: _, ...pendingApi } = certificate("api", "77")
      yield* status.report({ ...pendingApi, ready: "False", reason: "Issuing", message: "Issuing certificate as Secret does not exist" })
      yield* allPushed(status.pendingCount)

      assert.deepStrictEqual(files(repo.bare), ["STATUS.md", "web/api.yaml", "web/example-com.yaml"])
      assert.strictEqual(git(repo.bare, ["rev-list", "--count", branch]), "1")
      assert.strictEqual(
        git(repo.bare, ["log", "-1", "--format=%B", branch]),
        [
          "status: 2 certificates changed",
          "",
          "web/example-com: issued serial 3a5f09c1…, valid to 2027-02-20 (intent 1c9e2f0)",
          "web/api: not ready: Issuing: Issuing certificate as Secret does not exist (intent 1c9e2f0)",
          "",
          "Certops-Status: true",
        ].join("\n"),
      )
      // The tracked branch is untouched.
      assert.strictEqual(git(repo.bare, ["rev-list", "--count", "main"]), "1")
    }),
  )

  it.live("20 foreign pushes while the reporter writes: every report lands, and every update is a fast-forward", () =>
    Effect.gen(function* () {
      const repo = repository()
      const status = yield* makeStatusReporter(options(repo.url, { batch: { quiet: "20 millis", max: "100 millis" } }))
      yield* status.report(certificate("site-0", "00"))
      yield* allPushed(status.pendingCount)

      const work = workingClone(cliUrl(env.git, repo.name), branch)
      const foreignPushes = Effect.promise(async () => {
        for (let index = 1; index <= 20; index++) {
          commit(work, { [`notes/${index}.md`]: `note ${index}\n` }, `note ${index}`)
          // A person's push: on rejection, rebase onto what certops pushed and try again.
          for (;;) {
            try {
              await run("git", ["-C", work, "push", "--quiet", "origin", `HEAD:${branch}`])
              break
            } catch {
              await run("git", ["-C", work, "pull", "--quiet", "--rebase", "origin", branch])
            }
          }
        }
      })
      const reports = Effect.forEach(
        Array.from({ length: 40 }, (_, index) => index + 1),
        (index) => status.report(certificate(`site-${index}`, index.toString(16).padStart(2, "0"))).pipe(Effect.andThen(Effect.sleep("15 millis"))),
      )
      yield* Effect.all([foreignPushes, reports], { concurrency: "unbounded" })
      yield* allPushed(status.pendingCount)

      const landed = files(repo.bare)
      for (let index = 0; index <= 40; index++) assert.include(landed, `web/site-${index}.yaml`)
      for (let index = 1; index <= 20; index++) assert.include(landed, `notes/${index}.md`)
      assert.include(git(repo.bare, ["show", `${branch}:web/site-40.yaml`]), "serial: \"28\"")

      // Every update of the branch on the server moved it forward: each old value is an ancestor of the next.
      const history = git(repo.bare, ["reflog", "show", "--format=%H", branch]).split("\n").reverse()
      assert.isAtLeast(history.length, 21)
      for (let index = 1; index < history.length; index++) {
        git(repo.bare, ["merge-base", "--is-ancestor", history[index - 1]!, history[index]!])
      }
      assert.notMatch(git(repo.bare, ["reflog", "show", "--format=%gs", branch]), /forced/)
      // certops built on people's commits rather than around them.
      const authors = new Map(git(repo.bare, ["log", "--format=%H %ae", branch]).split("\n").map((line) => line.split(" ") as [string, string]))
      const parents = git(repo.bare, ["log", "--format=%H %P", "--author=certops@certops.invalid", branch]).split("\n")
      assert.isTrue(parents.some((line) => authors.get(line.split(" ")[1] ?? "") === "person@example.test"))
    }),
  )

  it.live("a push refused because someone else pushed first is re-applied on their commit, never forced", () =>
    Effect.gen(function* () {
      const repo = repository()
      const work = workingClone(cliUrl(env.git, repo.name), "main")
      git(work, ["push", "--quiet", "origin", `HEAD:${branch}`])
      const remote = yield* connectRemote({ location: repo.url, credentials, stateDir: stateDir() }, "status")
      // Each of the first three pushes loses the race to a person's push.
      let races = 0
      const racing: Remote = {
        ...remote,
        push: (name, expected, commitId) =>
          Effect.suspend(() => {
            if (races < 3) {
              races += 1
              git(work, ["pull", "--quiet", "--rebase", "origin", branch])
              commit(work, { [`notes/race-${races}.md`]: "a person was faster\n" }, `race ${races}`)
              git(work, ["push", "--quiet", "origin", `HEAD:${branch}`])
            }
            return remote.push(name, expected, commitId)
          }),
      }
      const target = { remote: racing, branch, directory: "", identity: certopsIdentity, cache: new Map() }
      const pushed = Option.getOrThrow(yield* publish(target, [{ _tag: "Report", report: certificate("raced", "0d") }]))

      assert.strictEqual(races, 3)
      assert.strictEqual(git(repo.bare, ["rev-parse", branch]), pushed)
      // Built on the last person's commit: nothing of theirs was overwritten.
      assert.strictEqual(git(repo.bare, ["log", "-1", "--format=%s", `${pushed}^`]), "race 3")
      assert.includeMembers(files(repo.bare), ["notes/race-1.md", "notes/race-2.md", "notes/race-3.md", "web/raced.yaml"])
    }),
  )

  it.live("keeps reports while the server cannot be reached and pushes them once it answers", () =>
    Effect.gen(function* () {
      const repo = repository()
      const upstream = new URL(env.git.url)
      const port = yield* freePort
      const status = yield* makeStatusReporter(options(`http://127.0.0.1:${port}/${repo.name}.git`))
      yield* status.report(certificate("during-outage", "0a"))

      const refused = yield* status.flush.pipe(Effect.flip)
      assert.strictEqual(refused._tag, "GitUnreachable")
      yield* Effect.sleep("500 millis")
      assert.strictEqual(yield* status.pendingCount, 1)

      // The server comes back on the same address.
      yield* Effect.acquireRelease(
        Effect.promise(() => forward(port, Number(upstream.port))),
        (server) => Effect.promise(server.close),
      )
      yield* allPushed(status.pendingCount)
      assert.include(files(repo.bare), "web/during-outage.yaml")
    }),
  )

  it.live("a restart picks up reports a previous run could not push", () =>
    Effect.gen(function* () {
      const repo = repository()
      const dir = stateDir()
      const port = yield* freePort
      const first = yield* Scope.make()
      const unreachable = `http://127.0.0.1:${port}/${repo.name}.git`
      const down = yield* makeStatusReporter(options(unreachable, { repository: { location: unreachable, credentials, stateDir: dir } })).pipe(
        Scope.provide(first),
      )
      yield* down.report(certificate("before-crash", "0b"))
      yield* Scope.close(first, Exit.void)

      const up = yield* makeStatusReporter(options(repo.url, { repository: { location: repo.url, credentials, stateDir: dir } }))
      assert.strictEqual(yield* up.pendingCount, 1)
      yield* allPushed(up.pendingCount)
      assert.include(files(repo.bare), "web/before-crash.yaml")
    }),
  )

  it.live("wrong credentials fail with a typed auth error and keep the report", () =>
    Effect.gen(function* () {
      const repo = repository()
      const status = yield* makeStatusReporter(
        options(repo.url, { repository: { location: repo.url, credentials: GitCredentials.token(Redacted.make("not-the-token")), stateDir: stateDir() } }),
      )
      yield* status.report(certificate("denied", "0c"))
      const error = yield* status.flush.pipe(Effect.flip)
      assert.strictEqual(error._tag, "GitAuthFailed")
      assert.notInclude(error.message, "not-the-token")
      assert.strictEqual(yield* status.pendingCount, 1)
    }),
  )
})

/** A port nothing listens on (yet). */
const freePort = Effect.promise(
  () =>
    new Promise<number>((resolve) => {
      const server = createServer()
      server.listen(0, "127.0.0.1", () => {
        const address = server.address()
        server.close(() => resolve(typeof address === "object" && address !== null ? address.port : 0))
      })
    }),
)

/** A TCP forwarder on `port` to the Git server: the server "coming back". Closing it cuts kept-alive connections. */
const forward = (port: number, target: number) =>
  new Promise<{ readonly close: () => Promise<void> }>((resolve) => {
    const sockets = new Set<Socket>()
    const server = createServer((client) => {
      const upstream = connect(target, "127.0.0.1")
      for (const socket of [client, upstream]) {
        sockets.add(socket)
        socket.on("close", () => sockets.delete(socket))
        socket.on("error", () => undefined)
      }
      client.pipe(upstream).pipe(client)
    })
    const close = () =>
      new Promise<void>((done) => {
        server.close(() => done())
        for (const socket of sockets) socket.destroy()
      })
    server.listen(port, "127.0.0.1", () => resolve({ close }))
  })
