// Committing without a working directory: a new tree from an old one plus edits.
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { objectStore, writeBlob, writeCommit } from "../../../src/git/objects.ts"
import { editTree } from "../../../src/git/tree-edit.ts"
import { bareRepository, git } from "./local-repository.ts"

const listing = (gitdir: string, tree: string) => git(gitdir, "ls-tree", "-r", tree).split("\n").filter((line) => line !== "")

describe("editTree", () => {
  it.effect("adds, replaces and removes files at any depth, keeping the rest, in a tree git accepts", () =>
    Effect.gen(function* () {
      const gitdir = bareRepository()
      const store = objectStore(gitdir, gitdir)
      const blob = (text: string) => writeBlob(store, new TextEncoder().encode(text))
      const first = yield* editTree(
        store,
        undefined,
        new Map([
          ["README.md", yield* blob("readme")],
          ["web/a.yaml", yield* blob("a")],
          ["web/b.yaml", yield* blob("b")],
          ["shop/deep/c.yaml", yield* blob("c")],
        ]),
      )
      const second = yield* editTree(
        store,
        first,
        new Map<string, string | undefined>([
          ["web/a.yaml", yield* blob("a2")],
          ["shop/deep/c.yaml", undefined],
          ["web.yaml", yield* blob("beside the directory")],
          ["README.md/nothing", undefined],
        ]),
      )
      assert.deepStrictEqual(
        listing(gitdir, second).map((line) => line.split("\t")[1]),
        ["README.md", "web.yaml", "web/a.yaml", "web/b.yaml"],
      )
      assert.strictEqual(git(gitdir, "cat-file", "-p", `${second}:web/a.yaml`), "a2")
      // Unchanged subtrees are shared, not rewritten.
      assert.strictEqual(git(gitdir, "rev-parse", `${first}:README.md`), git(gitdir, "rev-parse", `${second}:README.md`))

      const commit = yield* writeCommit(store, {
        message: "test\n",
        tree: second,
        parent: [],
        author: { name: "t", email: "t@example.test", timestamp: 0, timezoneOffset: 0 },
        committer: { name: "t", email: "t@example.test", timestamp: 0, timezoneOffset: 0 },
      })
      git(gitdir, "fsck", "--strict", "--no-dangling", commit)
    }),
  )

  it.effect("a directory left empty disappears; nothing left is the empty tree", () =>
    Effect.gen(function* () {
      const gitdir = bareRepository()
      const store = objectStore(gitdir, gitdir)
      const tree = yield* editTree(store, undefined, new Map([["a/b/c.yaml", yield* writeBlob(store, new Uint8Array([1]))]]))
      const emptied = yield* editTree(store, tree, new Map([["a/b/c.yaml", undefined]]))
      assert.strictEqual(emptied, "4b825dc642cb6eb9a060e54bf8d69288fbee4904")
      assert.strictEqual(git(gitdir, "cat-file", "-t", emptied), "tree")
    }),
  )
})
