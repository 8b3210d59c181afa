// A repository on this host, used in place: its own object store is read,
// and a push is a compare-and-swap of the branch ref. Nothing is copied.
import { existsSync } from "node:fs"
import { join } from "node:path"
import { Effect } from "effect"
import { attemptLocal, fs, git } from "./attempt.ts"
import { GitNotFound, GitPushRejected, type GitError } from "./errors.ts"
import { objectStore } from "./objects.ts"
import { compareAndSwapRef } from "./ref-lock.ts"
import type { Remote } from "./remote.ts"

const isGitDirectory = (path: string) => existsSync(join(path, "HEAD")) && existsSync(join(path, "objects"))

export const openLocalRemote = Effect.fnUntraced(function* (path: string): Effect.fn.Return<Remote, GitError> {
  // A working repository keeps its objects in .git; a bare one at the top.
  const gitdir = isGitDirectory(join(path, ".git")) ? join(path, ".git") : path
  if (!isGitDirectory(gitdir)) return yield* new GitNotFound({ operation: "open", remote: path, what: "repository" })
  const store = objectStore(gitdir, path)

  const fetch = (branch: string) =>
    attemptLocal("resolve", path, () => git.resolveRef({ fs, gitdir, ref: `refs/heads/${branch}` })).pipe(
      Effect.map((oid): string | undefined => oid),
      Effect.catchTag("GitNotFound", () => Effect.succeed(undefined)),
    )

  const push = (branch: string, expected: string | undefined, commit: string) =>
    attemptLocal("push", path, () => compareAndSwapRef(gitdir, `refs/heads/${branch}`, expected, commit)).pipe(
      Effect.flatMap((outcome) =>
        outcome === "swapped"
          ? Effect.void
          : Effect.fail(
              new GitPushRejected({
                remote: path,
                branch,
                detail: outcome === "moved" ? "the branch moved since it was read" : `refs/heads/${branch}.lock exists: another writer holds it`,
              }),
            ),
      ),
    )

  return { store, fetch, push }
})
