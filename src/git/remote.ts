// A repository certops reads from and pushes to, whatever the transport: the
// object store it mirrors into, and two moves (fetch, push). The transports
// implement it; connect-remote.ts picks one for a location.
import type { Duration, Effect } from "effect"
import type { GitCredentials } from "./credentials.ts"
import type { GitError } from "./errors.ts"
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
