// Which transport reaches a repository: a local path is opened in place, an
// http(s) URL through a mirror of its own under the state directory.
import { createHash } from "node:crypto"
import { join } from "node:path"
import { Effect } from "effect"
import { defaultNetworkTimeout } from "./attempt.ts"
import { GitCredentials } from "./credentials.ts"
import type { GitError, GitLocationInvalid } from "./errors.ts"
import { openHttpRemote } from "./http-remote.ts"
import { openLocalRemote } from "./local-remote.ts"
import { describeLocation, parseLocation, type RepositoryLocation } from "./location.ts"
import type { Remote, RepositoryOptions } from "./remote.ts"

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
