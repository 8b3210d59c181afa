// What a poll of the intent source costs, against the test smart-HTTP server
// and against a local path, for repositories of 1k and 10k intent files.
// Prints figures; asserts nothing. Run: node test/bench/git-poll.bench.ts
import { execFileSync } from "node:child_process"
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { createServer, request, type Server } from "node:http"
import { cpus, tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Option, Redacted, References } from "effect"
import { GitCredentials } from "../../src/git/credentials.ts"
import { makeGitSource } from "../../src/git/source.ts"
import { startGitServer } from "../env/git-server.ts"
import { summary } from "./common.ts"

const sizes = [1_000, 10_000]
const polls = 20
const changes = 5

const git = (cwd: string, ...args: ReadonlyArray<string>) =>
  execFileSync("git", ["-c", "user.name=bench", "-c", "user.email=bench@example.test", ...args], { cwd, encoding: "utf8" }).trim()

/** `intents/ns-XX/cert-YYYYY.yaml`, 100 files per directory, like a team-per-namespace layout. */
const seedRepository = (root: string, name: string, files: number) => {
  const work = mkdtempSync(join(tmpdir(), "certops-bench-work-"))
  git(work, "init", "--quiet", "--initial-branch=main")
  for (let index = 0; index < files; index++) {
    const dir = join(work, "intents", `ns-${String(Math.floor(index / 100)).padStart(3, "0")}`)
    if (index % 100 === 0) mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, `cert-${String(index).padStart(5, "0")}.yaml`), `kind: Certificate\nmetadata: {name: cert-${index}}\n`)
  }
  git(work, "add", "--all")
  git(work, "commit", "--quiet", "-m", "seed")
  const bare = join(root, `${name}.git`)
  git(root, "clone", "--quiet", "--bare", work, bare)
  git(bare, "config", "http.receivepack", "true")
  git(work, "remote", "add", "bare", bare)
  return { work, bare }
}

/** A counting reverse proxy in front of the Git server: how many requests and bytes a poll costs. */
const countingProxy = (target: string) =>
  new Promise<{ readonly url: string; readonly server: Server; readonly counts: Counts }>((resolve) => {
    const counts: Counts = { requests: 0, bytes: 0 }
    const upstream = new URL(target)
    const server = createServer((incoming, outgoing) => {
      counts.requests += 1
      const forwarded = request(
        { host: upstream.hostname, port: upstream.port, path: incoming.url, method: incoming.method, headers: incoming.headers },
        (response) => {
          outgoing.writeHead(response.statusCode ?? 502, response.headers)
          response.on("data", (chunk: Buffer) => (counts.bytes += chunk.length))
          response.pipe(outgoing)
        },
      )
      incoming.pipe(forwarded)
    })
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      resolve({ url: `http://127.0.0.1:${typeof address === "object" && address !== null ? address.port : 0}`, server, counts })
    })
  })

const median = (values: ReadonlyArray<number>) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN
const ms = (value: number) => `${value.toFixed(1)} ms`

interface Counts {
  requests: number
  bytes: number
}

/** Starts counting; the returned function says what `runs` runs cost since. */
const traffic = (counts: Counts | undefined) => {
  const start = { ...(counts ?? { requests: 0, bytes: 0 }) }
  return (runs: number) =>
    counts === undefined
      ? "—"
      : `${(counts.requests - start.requests) / runs} req, ${Math.round((counts.bytes - start.bytes) / runs)} B down`
}

const timed = <A, E>(effect: Effect.Effect<A, E>) =>
  Effect.gen(function* () {
    const start = performance.now()
    const value = yield* effect
    return { value, millis: performance.now() - start }
  })

const measure = (label: string, location: string, credentials: GitCredentials, push: (index: number) => void, counts?: Counts) =>
  Effect.gen(function* () {
    const stateDir = mkdtempSync(join(tmpdir(), "certops-bench-state-"))
    const source = yield* makeGitSource({ repository: { location, credentials, stateDir }, branch: "main", directory: "intents" })
    const apply = () => Effect.void

    const first = yield* timed(source.sync(apply))
    const listed = Option.match(first.value, { onNone: () => 0, onSome: (change) => change.changes.length })

    const noChange: Array<number> = []
    const noChangeCounter = traffic(counts)
    for (let index = 0; index < polls; index++) {
      const poll = yield* timed(source.sync(apply))
      if (Option.isSome(poll.value)) throw new Error("a poll without a change reported one")
      noChange.push(poll.millis)
    }
    const noChangeTraffic = noChangeCounter(polls)

    const oneFile: Array<number> = []
    let oneFileTraffic = ""
    for (let index = 0; index < changes; index++) {
      push(index)
      const measured = traffic(counts)
      const poll = yield* timed(source.sync(apply))
      const changed = Option.match(poll.value, { onNone: () => 0, onSome: (change) => change.changes.length })
      if (changed !== 1) throw new Error(`expected one changed file, got ${changed}`)
      oneFile.push(poll.millis)
      oneFileTraffic = measured(1)
    }
    rmSync(stateDir, { recursive: true, force: true })
    return {
      label,
      first: `${ms(first.millis)} (${listed} files)`,
      noChange: ms(median(noChange)),
      noChangeTraffic,
      oneFile: ms(median(oneFile)),
      oneFileTraffic,
    }
  })

const program = Effect.gen(function* () {
  const root = mkdtempSync(join(tmpdir(), "certops-bench-git-"))
  const server = yield* startGitServer({ root, username: "bench", password: "bench-password" })
  const proxy = yield* Effect.acquireRelease(
    Effect.promise(() => countingProxy(server.url)),
    ({ server: proxyServer }) => Effect.sync(() => proxyServer.close()),
  )
  const credentials = GitCredentials.basic(server.username, Redacted.make(server.password))
  const rows = []
  for (const size of sizes) {
    const name = `bench-${size}`
    const { work, bare } = seedRepository(root, name, size)
    const change = (remote: string) => (index: number) => {
      writeFileSync(join(work, "intents", "ns-000", "cert-00000.yaml"), `kind: Certificate\nmetadata: {name: cert-0, revision: ${remote}-${index}}\n`)
      git(work, "commit", "--quiet", "-am", `change ${index}`)
      git(work, "push", "--quiet", "bare", "HEAD:main")
    }
    rows.push(yield* measure(`${size} files, HTTP`, `${proxy.url}/${name}.git`, credentials, change("http"), proxy.counts))
    rows.push(yield* measure(`${size} files, local path`, bare, GitCredentials.anonymous, change("local")))
  }
  console.log(`\ngit poll benchmark — ${cpus().length} CPUs (${cpus()[0]?.model ?? "unknown"}), Node ${process.version}`)
  console.log(`medians of ${polls} no-change polls and ${changes} one-file changes; HTTP through a counting proxy\n`)
  console.table(
    rows.map((row) => ({
      repository: row.label,
      "first sync (clone + list)": row.first,
      "no-change poll": row.noChange,
      "  HTTP per poll": row.noChangeTraffic,
      "one-file change": row.oneFile,
      "  HTTP per change": row.oneFileTraffic,
    })),
  )
  for (const row of rows) summary("git-poll", row.label, `no-change poll ${row.noChange}, one-file change ${row.oneFile}`)
})

await Effect.runPromise(program.pipe(Effect.scoped, Effect.provideService(References.MinimumLogLevel, "Warn")))
