// certops' own commits are recognised by author and trailer together.
import { join } from "node:path"
import { execFileSync } from "node:child_process"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import type { CommitObject } from "isomorphic-git"
import { objectStore } from "../../../src/git/objects.ts"
import { certopsIdentity, isOwnCommit, onlyOwnCommitsSince, withStatusTrailer } from "../../../src/git/own-commits.ts"
import { commitFiles, git, workingRepository } from "./local-repository.ts"

const commitBy = (email: string, message: string): CommitObject => ({
  message,
  tree: "4b825dc642cb6eb9a060e54bf8d69288fbee4904",
  parent: [],
  author: { name: "x", email, timestamp: 0, timezoneOffset: 0 },
  committer: { name: "x", email, timestamp: 0, timezoneOffset: 0 },
})

describe("own commits", () => {
  it("need certops' author and the trailer in the last paragraph", () => {
    assert.strictEqual(withStatusTrailer("web/a: issued\n\n"), "web/a: issued\n\nCertops-Status: true\n")
    assert.isTrue(isOwnCommit(commitBy(certopsIdentity.email, withStatusTrailer("status: 2 certificates changed\n\na\nb")), certopsIdentity))
    assert.isFalse(isOwnCommit(commitBy("person@example.test", withStatusTrailer("x")), certopsIdentity))
    assert.isFalse(isOwnCommit(commitBy(certopsIdentity.email, "x"), certopsIdentity))
    assert.isFalse(isOwnCommit(commitBy(certopsIdentity.email, "Certops-Status: true\n\nthen a body"), certopsIdentity))
  })

  it.effect("a run of own commits since a base is recognised; one foreign commit in it is enough to say no", () =>
    Effect.gen(function* () {
      const dir = workingRepository({ "a.yaml": "a" })
      const store = objectStore(join(dir, ".git"), dir)
      const base = git(dir, "rev-parse", "HEAD")
      const asCertops = (message: string) => {
        execFileSync("git", ["-C", dir, "-c", "user.name=certops", "-c", `user.email=${certopsIdentity.email}`, "commit", "--quiet", "--allow-empty", "-m", withStatusTrailer(message)])
        return git(dir, "rev-parse", "HEAD")
      }
      asCertops("one")
      const own = asCertops("two")
      assert.isTrue(yield* onlyOwnCommitsSince(store, base, own, certopsIdentity))
      const { commit: foreign } = commitFiles(dir, { "b.yaml": "b" }, "a person")
      const after = asCertops("three")
      assert.isFalse(yield* onlyOwnCommitsSince(store, base, after, certopsIdentity))
      assert.isTrue(yield* onlyOwnCommitsSince(store, foreign, after, certopsIdentity))
      // A base not in the history (rewritten) never counts as "only own".
      assert.isFalse(yield* onlyOwnCommitsSince(store, "0".repeat(40), own, certopsIdentity))
    }),
  )
})
