// certops' own commits: how they are signed, and how a reader recognises them
// so that a status report committed to the tracked branch never comes back as
// an intent change (DESIGN.md §6: no reconcile loop).
import type { CommitObject } from "isomorphic-git"
import { Effect } from "effect"
import type { GitError } from "./errors.ts"
import { readCommit, type ObjectStore } from "./objects.ts"

export interface CommitIdentity {
  readonly name: string
  readonly email: string
}

/** `.invalid` is reserved (RFC 2606): the address can never belong to a person. */
export const certopsIdentity: CommitIdentity = { name: "certops", email: "certops@certops.invalid" }

export const statusTrailer = "Certops-Status: true"

/** `message` followed by the trailer paragraph that marks a commit as certops' own. */
export const withStatusTrailer = (message: string): string => `${message.trimEnd()}\n\n${statusTrailer}\n`

const lastParagraph = (message: string) => message.trimEnd().split(/\n\s*\n/).at(-1) ?? ""

/** Both the author and the trailer must match: either alone is easy to get by accident. */
export const isOwnCommit = (commit: CommitObject, identity: CommitIdentity): boolean =>
  commit.author.email === identity.email &&
  lastParagraph(commit.message)
    .split("\n")
    .some((line) => line.trim() === statusTrailer)

/**
 * True when every commit reachable from `head` but not from `since` is
 * certops' own. Gives up (false, so the caller diffs) past `limit` commits or
 * when the walk reaches a root without meeting `since` (history rewritten).
 */
export const onlyOwnCommitsSince = Effect.fnUntraced(function* (
  store: ObjectStore,
  since: string,
  head: string,
  identity: CommitIdentity,
  limit = 100,
): Effect.fn.Return<boolean, GitError> {
  const queue = [head]
  const seen = new Set<string>()
  for (let oid = queue.shift(); oid !== undefined; oid = queue.shift()) {
    if (oid === since || seen.has(oid)) continue
    seen.add(oid)
    if (seen.size > limit) return false
    const commit = yield* readCommit(store, oid)
    if (!isOwnCommit(commit, identity) || commit.parent.length === 0) return false
    queue.push(...commit.parent)
  }
  return true
})
