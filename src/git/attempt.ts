// The thin adapter around isomorphic-git: every call runs here, so a timeout
// aborts its HTTP requests and whatever it throws comes out typed.
import * as fs from "node:fs"
import git, { type HttpClient } from "isomorphic-git"
import http from "isomorphic-git/http/node"
import { Duration, Effect } from "effect"
import { classifyGitError } from "./classify-error.ts"
import { GitUnreachable, type GitError } from "./errors.ts"

export { fs, git }

/** Bounds one network operation; isomorphic-git itself waits forever on a silent server. */
export const defaultNetworkTimeout: Duration.Input = "60 seconds"

/** An HTTP client whose requests are aborted with `signal`. */
const abortableHttp = (signal: AbortSignal): HttpClient => ({
  request: (request) => http.request({ ...request, signal }),
})

/** Runs a local isomorphic-git call (objects, refs) with typed errors. */
export const attemptLocal = <A>(operation: string, remote: string, run: () => Promise<A>): Effect.Effect<A, GitError> =>
  Effect.tryPromise({ try: run, catch: (error) => classifyGitError(operation, remote, error) })

/** Runs a network isomorphic-git call with typed errors and a time limit. */
export const attemptRemote = <A>(
  operation: string,
  remote: string,
  timeout: Duration.Input,
  run: (http: HttpClient, signal: AbortSignal) => Promise<A>,
): Effect.Effect<A, GitError> =>
  Effect.tryPromise({
    try: (signal) => run(abortableHttp(signal), signal),
    catch: (error) => classifyGitError(operation, remote, error),
  }).pipe(
    Effect.timeoutOrElse({
      duration: timeout,
      orElse: () =>
        Effect.fail(new GitUnreachable({ operation, remote, detail: `no answer within ${Duration.format(Duration.fromInputUnsafe(timeout))}` })),
    }),
  )
