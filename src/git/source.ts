// The intent source: one branch and one directory of a repository. `sync`
// fetches, and when the branch moved past the last applied commit, hands the
// changed files to the daemon; only once they were applied does the applied
// commit move, so a failed apply is offered again on the next sync.
import { join } from "node:path"
import { Context, Effect, Layer, Option, Ref, Semaphore } from "effect"
import { loadAppliedCommit, saveAppliedCommit, type AppliedFor } from "./applied-commit.ts"
import { GitNotFound, type GitError, type GitLocationInvalid } from "./errors.ts"
import { hasObject, readBlob } from "./objects.ts"
import { certopsIdentity, onlyOwnCommitsSince, type CommitIdentity } from "./own-commits.ts"
import { pathScope } from "./path-scope.ts"
import { connectRemote } from "./connect-remote.ts"
import type { RepositoryOptions } from "./remote.ts"
import { transientRetry } from "./retry.ts"
import { diffCommits, listFiles, type PathChange, type TreeFile } from "./tree-diff.ts"

export interface GitSourceOptions {
  readonly repository: RepositoryOptions
  readonly branch: string
  /** The directory holding the intents; "" or omitted for the whole repository. */
  readonly directory?: string
  /**
   * Other directories whose files the daemon reads too, e.g. the
   * repository's own policies (`.certops/policies`) outside the intent directory.
   */
  readonly include?: ReadonlyArray<string>
  /**
   * Subtrees that are never intents, e.g. the status directory when reports
   * are committed to the tracked branch itself.
   */
  readonly ignore?: ReadonlyArray<string>
  /** Whose commits are certops' own (skipped); certops' default identity when omitted. */
  readonly identity?: CommitIdentity
}

export interface SourceChange {
  /** The head of the branch, applied once `apply` succeeded. */
  readonly commit: string
  /** The commit applied before; undefined on the first sync, when every file counts as added. */
  readonly previous: string | undefined
  /** Files in scope that changed, in path order; paths are repository-relative. */
  readonly changes: ReadonlyArray<PathChange>
}

export interface GitSourceService {
  /**
   * Fetches the branch. When files in scope changed since the applied commit,
   * runs `apply` with the change and then records the new head as applied.
   * None when nothing in scope changed, including when every new commit is
   * certops' own. A poll that finds the branch where it was costs one request.
   */
  readonly sync: <E, R>(
    apply: (change: SourceChange) => Effect.Effect<void, E, R>,
  ) => Effect.Effect<Option.Option<SourceChange>, GitError | E, R>
  /** Every file in scope at `commit`: for a full resync. */
  readonly files: (commit: string) => Effect.Effect<ReadonlyArray<TreeFile>, GitError>
  readonly readBlob: (oid: string) => Effect.Effect<Uint8Array, GitError>
  /** The commit last applied, if any. */
  readonly applied: Effect.Effect<string | undefined>
}

export class GitSource extends Context.Service<GitSource, GitSourceService>()("certops/git/GitSource") {
  static readonly layer = (options: GitSourceOptions): Layer.Layer<GitSource, GitError | GitLocationInvalid> =>
    Layer.effect(GitSource, makeGitSource(options))
}

export const makeGitSource = Effect.fn("GitSource.make")(function* (
  options: GitSourceOptions,
): Effect.fn.Return<GitSourceService, GitError | GitLocationInvalid> {
  const remote = yield* connectRemote(options.repository, "source")
  const { store } = remote
  const scope = pathScope([options.directory ?? "", ...(options.include ?? [])], options.ignore ?? [])
  const identity = options.identity ?? certopsIdentity
  const target: AppliedFor = {
    location: options.repository.location,
    branch: options.branch,
    directories: scope.directories,
    ignore: scope.ignore,
  }
  const appliedPath = join(options.repository.stateDir, "git", `source-${options.branch.replaceAll("/", "_")}.applied.json`)
  const applied = yield* Ref.make(yield* loadAppliedCommit(appliedPath, target))
  // A webhook and the poll timer may ask at once; one sync at a time.
  const lock = yield* Semaphore.make(1)

  const record = (commit: string) =>
    saveAppliedCommit(appliedPath, target, commit).pipe(Effect.andThen(Ref.set(applied, commit)))

  /** The applied commit when its objects are still here; otherwise start over from nothing. */
  const diffBase = Effect.fnUntraced(function* (previous: string | undefined) {
    if (previous === undefined || (yield* hasObject(store, previous))) return previous
    yield* Effect.logWarning("the applied commit is gone from the mirror; every file counts as added, deletions are not known", { previous })
    return undefined
  })

  const sync = <E, R>(apply: (change: SourceChange) => Effect.Effect<void, E, R>) =>
    Effect.gen(function* () {
      const head = yield* remote.fetch(options.branch).pipe(Effect.retry(transientRetry))
      if (head === undefined) {
        return yield* new GitNotFound({ operation: "fetch", remote: store.name, what: `branch ${options.branch}` })
      }
      const previous = yield* Ref.get(applied)
      if (head === previous) return Option.none<SourceChange>()
      if (previous !== undefined && (yield* onlyOwnCommitsSince(store, previous, head, identity))) {
        yield* Effect.logDebug("only certops' own commits since the applied one; nothing to apply")
        yield* record(head)
        return Option.none<SourceChange>()
      }
      const base = yield* diffBase(previous)
      const changes = yield* diffCommits(store, base, head, scope)
      const change: SourceChange = { commit: head, previous: base, changes }
      if (changes.length > 0) {
        yield* Effect.logInfo("intent changes", { commit: head, files: changes.length })
        yield* apply(change)
      }
      yield* record(head)
      return changes.length > 0 ? Option.some(change) : Option.none<SourceChange>()
    }).pipe(
      lock.withPermits(1),
      Effect.withSpan("GitSource.sync"),
      Effect.annotateLogs({ repository: store.name, branch: options.branch }),
    )

  return {
    sync,
    files: (commit) => listFiles(store, commit, scope),
    readBlob: (oid) => readBlob(store, oid),
    applied: Ref.get(applied),
  } satisfies GitSourceService
})
