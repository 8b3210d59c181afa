// Reading and writing Git objects straight from an object store: no working
// directory, no index. Everything certops reads or commits goes through here.
import type { CommitObject, TreeEntry } from "isomorphic-git"
import { Effect } from "effect"
import { attemptLocal, fs, git } from "./attempt.ts"
import type { GitError } from "./errors.ts"

export interface ObjectStore {
  readonly gitdir: string
  /** For errors: the repository this store mirrors. */
  readonly name: string
  /**
   * isomorphic-git's pack cache. Without it every object read parses the pack
   * index again, which dominates the cost of a diff over thousands of files.
   */
  readonly cache: object
}

export const objectStore = (gitdir: string, name: string): ObjectStore => ({ gitdir, name, cache: {} })

/** The tree of a repository with no files. Git knows it without storing it. */
export const emptyTree = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"

export const hasObject = (store: ObjectStore, oid: string): Effect.Effect<boolean, GitError> =>
  attemptLocal("read object", store.name, () =>
    git.readObject({ fs, gitdir: store.gitdir, oid, format: "deflated", cache: store.cache }),
  ).pipe(
    Effect.as(true),
    Effect.catchTag("GitNotFound", () => Effect.succeed(false)),
  )

export const readBlob = (store: ObjectStore, oid: string): Effect.Effect<Uint8Array, GitError> =>
  attemptLocal("read blob", store.name, () => git.readBlob({ fs, gitdir: store.gitdir, oid, cache: store.cache })).pipe(
    Effect.map((result) => result.blob),
  )

export const readCommit = (store: ObjectStore, oid: string): Effect.Effect<CommitObject, GitError> =>
  attemptLocal("read commit", store.name, () => git.readCommit({ fs, gitdir: store.gitdir, oid, cache: store.cache })).pipe(
    Effect.map((result) => result.commit),
  )

export const readTree = (store: ObjectStore, oid: string): Effect.Effect<ReadonlyArray<TreeEntry>, GitError> =>
  oid === emptyTree
    ? Effect.succeed([])
    : attemptLocal("read tree", store.name, () => git.readTree({ fs, gitdir: store.gitdir, oid, cache: store.cache })).pipe(
        Effect.map((result) => result.tree),
      )

export const writeBlob = (store: ObjectStore, blob: Uint8Array): Effect.Effect<string, GitError> =>
  attemptLocal("write blob", store.name, () => git.writeBlob({ fs, gitdir: store.gitdir, blob }))

export const writeTree = (store: ObjectStore, tree: ReadonlyArray<TreeEntry>): Effect.Effect<string, GitError> =>
  attemptLocal("write tree", store.name, () => git.writeTree({ fs, gitdir: store.gitdir, tree: [...tree] }))

export const writeCommit = (store: ObjectStore, commit: CommitObject): Effect.Effect<string, GitError> =>
  attemptLocal("write commit", store.name, () => git.writeCommit({ fs, gitdir: store.gitdir, commit }))
