// The intent source against a real smart-HTTP server: it sees pushed commits,
// exactly the files that changed under its directory, and nothing else.
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Option, Redacted } from "effect"
import { GitCredentials } from "../../../src/git/credentials.ts"
import { certopsIdentity, withStatusTrailer } from "../../../src/git/own-commits.ts"
import { makeGitSource, type GitSourceOptions, type GitSourceService, type SourceChange } from "../../../src/git/source.ts"
import { testEnvironment, uniqueName } from "../../support/env.ts"
import { createBareRepository } from "../../support/git.ts"
import { cliUrl, commit, git, push, workingClone } from "./git-cli.ts"

const env = testEnvironment()
const stateDir = () => mkdtempSync(join(tmpdir(), "certops-source-"))
const credentials = GitCredentials.basic(env.git.username, Redacted.make(env.git.password))

const seed = {
  "README.md": "intents for the web team\n",
  "intents/web/a.yaml": "kind: Certificate\nmetadata: {name: a}\n",
  "intents/web/b.yaml": "kind: Certificate\nmetadata: {name: b}\n",
  "other/x.yaml": "kind: Certificate\n",
}

const repository = (files: Record<string, string> = seed) => {
  const name = uniqueName("source")
  createBareRepository(env.git.root, name, files)
  return { name, url: `${env.git.url}/${name}.git`, work: workingClone(cliUrl(env.git, name)) }
}

const source = (url: string, overrides: Partial<GitSourceOptions> = {}) =>
  makeGitSource({ repository: { location: url, credentials, stateDir: stateDir() }, branch: "main", directory: "intents", ...overrides })

const summary = (change: SourceChange) => change.changes.map(({ path, change, kind }) => `${change} ${kind} ${path}`)

/** Runs one sync and returns what it handed to the daemon. */
const syncOnce = (source: GitSourceService) =>
  Effect.gen(function* () {
    const seen: Array<SourceChange> = []
    const result = yield* source.sync((change) => Effect.sync(() => void seen.push(change)))
    assert.strictEqual(seen.length, Option.isSome(result) ? 1 : 0)
    return result
  })

describe("GitSource", () => {
  it.live("first sync lists every intent; later syncs see exactly the files a pushed commit changed", () =>
    Effect.gen(function* () {
      const repo = repository()
      const intents = yield* source(repo.url)

      const first = Option.getOrThrow(yield* syncOnce(intents))
      assert.isUndefined(first.previous)
      assert.deepStrictEqual(summary(first), ["added file intents/web/a.yaml", "added file intents/web/b.yaml"])

      const pushed = commit(
        repo.work,
        {
          "intents/web/a.yaml": "kind: Certificate\nmetadata: {name: a, namespace: web}\n",
          "intents/web/b.yaml": null,
          "intents/shop/c.yaml": "kind: Certificate\nmetadata: {name: c}\n",
          "intents/web/link.yaml": { symlink: "../../README.md" },
          "README.md": "changed outside the directory\n",
        },
        "rework intents",
      )
      push(repo.work)

      const second = Option.getOrThrow(yield* syncOnce(intents))
      assert.strictEqual(second.commit, pushed)
      assert.strictEqual(second.previous, first.commit)
      assert.deepStrictEqual(summary(second), [
        "added file intents/shop/c.yaml",
        "modified file intents/web/a.yaml",
        "deleted file intents/web/b.yaml",
        "added symlink intents/web/link.yaml",
      ])
      const a = second.changes.find((change) => change.path === "intents/web/a.yaml")!
      assert.strictEqual(new TextDecoder().decode(yield* intents.readBlob(a.oid)), "kind: Certificate\nmetadata: {name: a, namespace: web}\n")
      assert.strictEqual(yield* intents.applied, pushed)
      assert.deepStrictEqual(
        (yield* intents.files(pushed)).map((file) => file.path),
        ["intents/shop/c.yaml", "intents/web/a.yaml", "intents/web/link.yaml"],
      )
    }),
  )

  it.live("a poll with no change reports nothing, also after a restart from the same state directory", () =>
    Effect.gen(function* () {
      const repo = repository()
      const dir = stateDir()
      const options = { repository: { location: repo.url, credentials, stateDir: dir }, branch: "main", directory: "intents" }
      const intents = yield* makeGitSource(options)
      assert.isTrue(Option.isSome(yield* syncOnce(intents)))
      assert.isTrue(Option.isNone(yield* syncOnce(intents)))

      // A commit outside the directory moves the branch but changes no intent.
      commit(repo.work, { "README.md": "only the readme\n" }, "docs")
      push(repo.work)
      assert.isTrue(Option.isNone(yield* syncOnce(intents)))

      const restarted = yield* makeGitSource(options)
      assert.strictEqual(yield* restarted.applied, yield* intents.applied)
      assert.isTrue(Option.isNone(yield* syncOnce(restarted)))
    }),
  )

  it.live("a failed apply leaves the applied commit where it was, so the change is offered again", () =>
    Effect.gen(function* () {
      const repo = repository()
      const intents = yield* source(repo.url)
      yield* syncOnce(intents)
      const before = yield* intents.applied
      commit(repo.work, { "intents/web/a.yaml": "kind: Certificate\n# edited\n" }, "edit a")
      push(repo.work)

      const failed = yield* intents.sync(() => Effect.fail("cluster down" as const)).pipe(Effect.flip)
      assert.strictEqual(failed, "cluster down")
      assert.strictEqual(yield* intents.applied, before)
      const retried = Option.getOrThrow(yield* syncOnce(intents))
      assert.deepStrictEqual(summary(retried), ["modified file intents/web/a.yaml"])
    }),
  )

  it.live("certops' own commits on the tracked branch never come back as intent changes", () =>
    Effect.gen(function* () {
      const repo = repository()
      const intents = yield* source(repo.url, { directory: "", ignore: ["status"] })
      yield* syncOnce(intents)

      // A status commit in the ignored directory: filtered by path.
      commit(repo.work, { "status/web/a.yaml": "ready: True\n" }, withStatusTrailer("web/a: issued"), certopsIdentity)
      // One that touches the tracked directory: recognised by author and trailer.
      commit(repo.work, { "intents/web/a.yaml": "kind: Certificate\n# by certops\n" }, withStatusTrailer("status"), certopsIdentity)
      push(repo.work)
      assert.isTrue(Option.isNone(yield* syncOnce(intents)))

      // The trailer alone, from someone else, is not enough.
      commit(repo.work, { "intents/web/b.yaml": "kind: Certificate\n# by a person\n" }, withStatusTrailer("sneaky"))
      push(repo.work)
      const change = Option.getOrThrow(yield* syncOnce(intents))
      assert.deepStrictEqual(summary(change), ["modified file intents/web/b.yaml"])
    }),
  )

  it.live("reads a repository on a local path in place", () =>
    Effect.gen(function* () {
      const repo = repository()
      const intents = yield* makeGitSource({ repository: { location: repo.work, stateDir: stateDir() }, branch: "main", directory: "intents" })
      const first = Option.getOrThrow(yield* syncOnce(intents))
      assert.strictEqual(first.changes.length, 2)
      commit(repo.work, { "intents/web/z.yaml": "kind: Certificate\n" }, "local change")
      const second = Option.getOrThrow(yield* syncOnce(intents))
      assert.deepStrictEqual(summary(second), ["added file intents/web/z.yaml"])
      assert.strictEqual(second.commit, git(repo.work, ["rev-parse", "HEAD"]))
    }),
  )

  it.live("fails typed: wrong credentials, missing repository, missing branch", () =>
    Effect.gen(function* () {
      const repo = repository()
      const wrong = yield* makeGitSource({
        repository: { location: repo.url, credentials: GitCredentials.basic(env.git.username, Redacted.make("wrong")), stateDir: stateDir() },
        branch: "main",
      })
      const denied = yield* wrong.sync(() => Effect.void).pipe(Effect.flip)
      assert.strictEqual(denied._tag, "GitAuthFailed")
      assert.notInclude(denied.message, "wrong")

      const missing = yield* source(`${env.git.url}/${uniqueName("absent")}.git`)
      assert.strictEqual((yield* missing.sync(() => Effect.void).pipe(Effect.flip))._tag, "GitNotFound")

      const noBranch = yield* source(repo.url, { branch: "release" })
      const error = yield* noBranch.sync(() => Effect.void).pipe(Effect.flip)
      assert.strictEqual(error._tag, "GitNotFound")
      assert.include(error.message, "branch release")
    }),
  )
})
