// A smart-HTTP(S) remote mirrored into a bare repository under the state
// directory. Only the branches asked for are fetched; nothing is checked out.
import { existsSync } from "node:fs"
import { join } from "node:path"
import { type Duration, Effect } from "effect"
import { attemptLocal, attemptRemote, fs, git } from "./attempt.ts"
import { authorizationHeaders, type GitCredentials } from "./credentials.ts"
import { GitPushRejected, type GitError } from "./errors.ts"
import { hasObject, objectStore } from "./objects.ts"
import type { Remote } from "./remote.ts"

export interface HttpRemoteOptions {
  readonly url: string
  readonly credentials: GitCredentials
  readonly gitdir: string
  readonly timeout: Duration.Input
}

const zeroOid = "0000000000000000000000000000000000000000"

/** The local ref that remembers the branch head last fetched or pushed: the "have" of the next fetch. */
const mirrorRef = (branch: string) => `refs/heads/${branch}`
/** A commit waiting to be pushed lives here, so a failed push never moves the mirror ref. */
const outgoingRef = (branch: string) => `refs/certops/outgoing/${branch}`

/** Errors isomorphic-git raises when the branch moved under a push. */
const rejectionCodes = new Set(["PushRejectedError", "GitPushError", "UserCanceledError"])
const isRejection = (error: unknown) => rejectionCodes.has(String((error as { code?: unknown } | null)?.code))
const rejectionDetail = (error: unknown) =>
  (error as { code?: unknown }).code === "UserCanceledError"
    ? "the branch moved since it was fetched"
    : String((error as { message?: unknown }).message)

export const openHttpRemote = Effect.fnUntraced(function* (options: HttpRemoteOptions): Effect.fn.Return<Remote, GitError> {
  const { url, gitdir, timeout } = options
  const store = objectStore(gitdir, url)
  if (!existsSync(join(gitdir, "HEAD"))) {
    yield* attemptLocal("init", url, async () => {
      await git.init({ fs, gitdir, bare: true })
      // isomorphic-git's fetch needs the refspec an "origin" remote carries. The URL has no credentials.
      await git.addRemote({ fs, gitdir, remote: "origin", url })
    })
  }

  const remoteHead = (branch: string) =>
    attemptRemote("ls-remote", url, timeout, (http) =>
      // Protocol v1: the ref advertisement is one GET; v2 would add a POST.
      git.listServerRefs({ http, url, headers: authorizationHeaders(options.credentials), protocolVersion: 1, prefix: mirrorRef(branch) }),
    ).pipe(Effect.map((refs) => refs.find((ref) => ref.ref === mirrorRef(branch))?.oid))

  const download = (branch: string) =>
    attemptRemote("fetch", url, timeout, (http) =>
      git.fetch({
        fs,
        http,
        gitdir,
        url,
        cache: store.cache,
        ref: mirrorRef(branch),
        singleBranch: true,
        tags: false,
        headers: authorizationHeaders(options.credentials),
      }),
    )

  const remember = (branch: string, oid: string) =>
    attemptLocal("update ref", url, () => git.writeRef({ fs, gitdir, ref: mirrorRef(branch), value: oid, force: true }))

  const fetch = Effect.fn("git.fetch")(function* (branch: string) {
    const head = yield* remoteHead(branch)
    if (head === undefined || (yield* hasObject(store, head))) return head
    const fetched = yield* download(branch)
    // The branch may have moved between the two requests; what was downloaded is what counts.
    const oid = fetched.fetchHead ?? head
    yield* remember(branch, oid)
    return oid
  })

  const push = Effect.fn("git.push")(function* (branch: string, expected: string | undefined, commit: string) {
    yield* attemptLocal("update ref", url, () => git.writeRef({ fs, gitdir, ref: outgoingRef(branch), value: commit, force: true }))
    const outcome = yield* attemptRemote("push", url, timeout, (http, signal) =>
      git
        .push({
          fs,
          http,
          gitdir,
          url,
          signal,
          cache: store.cache,
          ref: outgoingRef(branch),
          remoteRef: mirrorRef(branch),
          headers: authorizationHeaders(options.credentials),
          // Compare-and-swap: push only onto the head this commit was built on.
          onPrePush: ({ remoteRef }) => remoteRef.oid === (expected ?? zeroOid),
        })
        .then(
          () => ({ pushed: true }) as const,
          // A rejection is an answer, not a failure of the call: it leaves here as a value.
          (error: unknown) => (isRejection(error) ? { pushed: false, detail: rejectionDetail(error) } : Promise.reject(error)),
        ),
    )
    if (!outcome.pushed) return yield* new GitPushRejected({ remote: url, branch, detail: outcome.detail })
    yield* remember(branch, commit)
  })

  return { store, fetch, push }
})
