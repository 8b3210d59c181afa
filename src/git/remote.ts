// A repository certops reads from and pushes to, whatever the transport: the
// object store it mirrors into, and three moves (fetch, push, where is it).
import { createHash } from "node:crypto"
import { join } from "node:path"
import { type Duration, Effect } from "effect"
import { defaultNetworkTimeout } from "./attempt.ts"
import { GitCredentials } from "./credentials.ts"
import type { GitError, GitLocationInvalid } from "./errors.ts"
import { openHttpRemote } from "./http-remote.ts"
import { openLocalRemote } from "./local-remote.ts"
import { describeLocation, parseLocation, type RepositoryLocation } from "./location.ts"
import type { ObjectStore } from "./objects.ts"

export interface Remote {
  /** Objects are read from and written to here. */
  readonly store: ObjectStore
  /**
   * Makes the branch's head and everything it reaches readable from `store`
   * and returns it; undefined when the branch does not exist. When the head is
   * already there this is a single round trip that downloads nothing.
   */
  readonly fetch: (branch: string) => Effect.Effect<string | undefined, GitError>
  /**
   * Moves `branch` from `expected` (undefined: the branch must not exist) to
   * `commit`, whose objects are in `store`. Fails with GitPushRejected when the
   * branch is no longer at `expected`. Never forced.
   */
  readonly push: (branch: string, expected: string | undefined, commit: string) => Effect.Effect<void, GitError>
}

/** Which repository, and how to reach it: shared by the intent source and the status reporter. */
export interface RepositoryOptions {
  /** An http(s) URL (no credentials in it) or a path on this host. */
  readonly location: string
  /** Anonymous when omitted; ignored for local paths. */
  readonly credentials?: GitCredentials
  /** The daemon's state directory; HTTP mirrors live under `<stateDir>/git/`. */
  readonly stateDir: string
  /** Bounds each network operation; 60 s when omitted. */
  readonly timeout?: Duration.Input
}

/** `<stateDir>/git/<purpose>-<hash of the URL>.git`: a new URL never reuses an old mirror. */
const mirrorDirectory = (stateDir: string, purpose: string, location: RepositoryLocation): string =>
  join(stateDir, "git", `${purpose}-${createHash("sha256").update(describeLocation(location)).digest("hex").slice(0, 12)}.git`)

/**
 * Opens the repository for one purpose. The purpose names the mirror, so that
 * the intent source and the status reporter never write into one object
 * store at the same time.
 */
export const connectRemote = (
  repository: RepositoryOptions,
  purpose: string,
): Effect.Effect<Remote, GitError | GitLocationInvalid> =>
  Effect.flatMap(parseLocation(repository.location), (location) =>
    location._tag === "Local"
      ? openLocalRemote(location.path)
      : openHttpRemote({
          url: location.url,
          credentials: repository.credentials ?? GitCredentials.anonymous,
          gitdir: mirrorDirectory(repository.stateDir, purpose, location),
          timeout: repository.timeout ?? defaultNetworkTimeout,
        }),
  )
