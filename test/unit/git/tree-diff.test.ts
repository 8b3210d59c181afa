// Diffing two commits under a directory, straight from the object store.
import { symlinkSync } from "node:fs"
import { join } from "node:path"
import { execFileSync } from "node:child_process"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { objectStore } from "../../../src/git/objects.ts"
import { pathScope } from "../../../src/git/path-scope.ts"
import { diffCommits, listFiles, type PathChange } from "../../../src/git/tree-diff.ts"
import { commitFiles, git, workingRepository } from "./local-repository.ts"

const lines = (changes: ReadonlyArray<PathChange>) => changes.map(({ change, kind, path }) => `${change} ${kind} ${path}`)

describe("diffCommits", () => {
  it.effect("reports added, modified and deleted files in scope only, in path order", () =>
    Effect.gen(function* () {
      const dir = workingRepository({ "intents/a.yaml": "a", "intents/sub/b.yaml": "b", "intents/c.yaml": "c", "docs/x.md": "x" })
      const before = git(dir, "rev-parse", "HEAD")
      const { commit: after } = commitFiles(dir, { "intents/a.yaml": "a2", "intents/c.yaml": null, "intents/sub/new.yaml": "n", "docs/x.md": "x2" }, "change")
      const store = objectStore(join(dir, ".git"), dir)
      const changes = yield* diffCommits(store, before, after, pathScope("intents"))
      assert.deepStrictEqual(lines(changes), ["modified file intents/a.yaml", "deleted file intents/c.yaml", "added file intents/sub/new.yaml"])
      assert.strictEqual(changes[2]!.oid, git(dir, "rev-parse", `${after}:intents/sub/new.yaml`))
      // The deleted file carries the id it had, so its old content stays readable.
      assert.strictEqual(changes[1]!.oid, git(dir, "rev-parse", `${before}:intents/c.yaml`))
      assert.deepStrictEqual(yield* diffCommits(store, after, after, pathScope("intents")), [])
    }),
  )

  it.effect("tells symlinks apart, also when a file becomes one", () =>
    Effect.gen(function* () {
      const dir = workingRepository({ "intents/a.yaml": "a", "intents/b.yaml": "b" })
      const before = git(dir, "rev-parse", "HEAD")
      execFileSync("rm", [join(dir, "intents/b.yaml")])
      symlinkSync("a.yaml", join(dir, "intents/b.yaml"))
      symlinkSync("/etc/passwd", join(dir, "intents/c.yaml"))
      const { commit: after } = commitFiles(dir, {}, "links")
      const changes = yield* diffCommits(objectStore(join(dir, ".git"), dir), before, after, pathScope("intents"))
      assert.deepStrictEqual(lines(changes), ["modified symlink intents/b.yaml", "added symlink intents/c.yaml"])
    }),
  )

  it.effect("a file replaced by a directory is a delete and adds", () =>
    Effect.gen(function* () {
      const dir = workingRepository({ "intents/web": "a file" })
      const before = git(dir, "rev-parse", "HEAD")
      const { commit: after } = commitFiles(dir, { "intents/web": null, "intents/web/a.yaml": "a" }, "to directory")
      const store = objectStore(join(dir, ".git"), dir)
      assert.deepStrictEqual(lines(yield* diffCommits(store, before, after, pathScope("intents"))), [
        "deleted file intents/web",
        "added file intents/web/a.yaml",
      ])
      assert.deepStrictEqual(lines(yield* diffCommits(store, after, before, pathScope("intents"))), [
        "added file intents/web",
        "deleted file intents/web/a.yaml",
      ])
    }),
  )

  it.effect("without a base every file in scope is added; ignored subtrees never appear", () =>
    Effect.gen(function* () {
      const dir = workingRepository({ "a.yaml": "a", "status/web/x.yaml": "s", "team/b.yaml": "b" })
      const store = objectStore(join(dir, ".git"), dir)
      const head = git(dir, "rev-parse", "HEAD")
      assert.deepStrictEqual(lines(yield* diffCommits(store, undefined, head, pathScope("", ["status"]))), [
        "added file a.yaml",
        "added file team/b.yaml",
      ])
      assert.deepStrictEqual((yield* listFiles(store, head, pathScope("team"))).map((file) => file.path), ["team/b.yaml"])
    }),
  )
})
