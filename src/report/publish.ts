// One publication of pending changes: read the status branch, build a commit
// on its head without a working directory, push it. When someone else pushed
// in between, the push is refused (never forced) and the whole thing runs
// again on top of their commit.
import { Clock, Effect, Option, Schedule } from "effect"
import type { GitError } from "../git/errors.ts"
import { writeBlob, writeCommit } from "../git/objects.ts"
import type { CommitIdentity } from "../git/own-commits.ts"
import type { Remote } from "../git/remote.ts"
import { editTree } from "../git/tree-edit.ts"
import { refusePrivateKeys, type PrivateKeyRefused } from "./key-guard.ts"
import { underDirectory } from "./layout.ts"
import type { PendingChange } from "./pending.ts"
import { planCommit } from "./plan-commit.ts"
import { readStatusSnapshot, type SnapshotCache } from "./status-snapshot.ts"

export interface StatusTarget {
  readonly remote: Remote
  readonly branch: string
  /** Below which reports live on the branch; "" for its root. */
  readonly directory: string
  readonly identity: CommitIdentity
  readonly cache: SnapshotCache
}

export type PublishError = GitError | PrivateKeyRefused

/**
 * Someone else moved the branch: try again soon, with jitter so that two
 * writers do not keep colliding. Bounded: a branch that keeps moving for this
 * long is left to the reporter's outage retry.
 */
const afterConcurrentPush = Schedule.exponential("50 millis", 1.5).pipe(
  Schedule.jittered,
  Schedule.upTo({ times: 25 }),
  Schedule.setInputType<PublishError>(),
  Schedule.while(({ input }) => input._tag === "GitPushRejected"),
)

const encoder = new TextEncoder()

const commitOnce = Effect.fn("StatusReporter.commit")(function* (
  target: StatusTarget,
  pending: ReadonlyArray<PendingChange>,
): Effect.fn.Return<Option.Option<string>, PublishError> {
  const { remote, branch, directory, identity } = target
  const head = yield* remote.fetch(branch)
  const snapshot = yield* readStatusSnapshot(remote.store, head, directory, target.cache)
  const plan = planCommit(snapshot, pending)
  if (plan === undefined) return Option.none<string>()

  const edits = new Map<string, string | undefined>()
  for (const [file, content] of plan.files) {
    const path = underDirectory(directory, file)
    if (content === undefined) {
      edits.set(path, undefined)
      continue
    }
    yield* refusePrivateKeys(path, content)
    edits.set(path, yield* writeBlob(remote.store, encoder.encode(content)))
  }
  yield* refusePrivateKeys("commit message", plan.message)
  const tree = yield* editTree(remote.store, snapshot.tree, edits)
  const signature = { ...identity, timestamp: Math.floor((yield* Clock.currentTimeMillis) / 1000), timezoneOffset: 0 }
  const commit = yield* writeCommit(remote.store, {
    message: plan.message,
    tree,
    parent: head === undefined ? [] : [head],
    author: signature,
    committer: signature,
  })
  yield* remote.push(branch, head, commit)
  yield* Effect.logInfo("status committed", { commit, subject: plan.message.split("\n")[0] })
  return Option.some(commit)
})

/** The commit pushed; None when the branch already said everything pending. */
export const publish = (
  target: StatusTarget,
  pending: ReadonlyArray<PendingChange>,
): Effect.Effect<Option.Option<string>, PublishError> =>
  commitOnce(target, pending).pipe(
    Effect.tapError((error) =>
      error._tag === "GitPushRejected" ? Effect.logDebug("status branch moved; re-applying on its new head") : Effect.void,
    ),
    Effect.retry(afterConcurrentPush),
  )
