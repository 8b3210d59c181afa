// Moving a branch of a local repository as git does: lock, compare, rename.
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { compareAndSwapRef } from "../../../src/git/ref-lock.ts"
import { git, workingRepository } from "./local-repository.ts"

describe("compareAndSwapRef", () => {
  it.effect("moves the ref only from the expected value, and never while another writer holds the lock", () =>
    Effect.promise(async () => {
      const dir = workingRepository({ "a.yaml": "a" })
      const gitdir = join(dir, ".git")
      const head = git(dir, "rev-parse", "HEAD")
      git(dir, "pack-refs", "--all")
      const ref = "refs/heads/certops/status"

      assert.strictEqual(await compareAndSwapRef(gitdir, ref, head, head), "moved")
      assert.strictEqual(await compareAndSwapRef(gitdir, ref, undefined, head), "swapped")
      assert.strictEqual(git(dir, "rev-parse", "certops/status"), head)
      assert.strictEqual(await compareAndSwapRef(gitdir, ref, undefined, head), "moved")

      // main is only in packed-refs now: still compared correctly.
      assert.strictEqual(await compareAndSwapRef(gitdir, "refs/heads/main", "0".repeat(40), head), "moved")
      assert.strictEqual(await compareAndSwapRef(gitdir, "refs/heads/main", head, head), "swapped")

      writeFileSync(join(gitdir, `${ref}.lock`), "")
      assert.strictEqual(await compareAndSwapRef(gitdir, ref, head, head), "locked")
    }),
  )

  it.effect("of many concurrent writers from one value, exactly one wins", () =>
    Effect.promise(async () => {
      const dir = workingRepository({ "a.yaml": "a" })
      const head = git(dir, "rev-parse", "HEAD")
      const outcomes = await Promise.all(Array.from({ length: 8 }, () => compareAndSwapRef(join(dir, ".git"), "refs/heads/race", undefined, head)))
      assert.strictEqual(outcomes.filter((outcome) => outcome === "swapped").length, 1)
    }),
  )
})
