// The last intent commit the daemon applied, kept under the state directory
// so that a restart diffs from there instead of starting over.
import { readFile } from "node:fs/promises"
import { Effect, Schema } from "effect"
import { writeFileAtomic } from "../store/embedded/atomic-files.ts"
import { GitFailed } from "./errors.ts"

/** What the commit was applied for: a different branch or directory invalidates it. */
const AppliedCommit = Schema.Struct({
  location: Schema.String,
  branch: Schema.String,
  directories: Schema.Array(Schema.String),
  ignore: Schema.Array(Schema.String),
  commit: Schema.String,
})
type AppliedCommit = typeof AppliedCommit.Type

export type AppliedFor = Omit<AppliedCommit, "commit">

const sameTarget = (a: AppliedFor, b: AppliedFor) =>
  a.location === b.location &&
  a.branch === b.branch &&
  a.directories.join("\n") === b.directories.join("\n") &&
  a.ignore.join("\n") === b.ignore.join("\n")

export const loadAppliedCommit = (path: string, target: AppliedFor): Effect.Effect<string | undefined> =>
  Effect.tryPromise(() => readFile(path, "utf8")).pipe(
    Effect.flatMap((text) => Schema.decodeUnknownEffect(Schema.fromJsonString(AppliedCommit))(text)),
    Effect.map((saved) => (sameTarget(saved, target) ? saved.commit : undefined)),
    // Missing or unreadable: start over, which costs one full listing.
    Effect.orElseSucceed(() => undefined),
  )

export const saveAppliedCommit = (path: string, target: AppliedFor, commit: string): Effect.Effect<void, GitFailed> =>
  Effect.tryPromise({
    try: () => writeFileAtomic(path, `${JSON.stringify({ ...target, commit } satisfies AppliedCommit)}\n`),
    catch: (error) => new GitFailed({ operation: "record applied commit", remote: target.location, detail: String(error) }),
  })
