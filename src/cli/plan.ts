// `certops plan <from> <to>`: what merging would create, re-issue, update,
// prune or deny, between two commits of a local repository.
import * as fs from "node:fs"
import git from "isomorphic-git"
import { Console, Data, Effect, Runtime } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import { buildIntentSet, defaultNamespace, defaultPolicyDirectory } from "../intents/intent-set.ts"
import type { SourceFile } from "../manifests/source-file.ts"
import { readDefaultPolicies } from "../policy/default-policies.ts"
import { plan, renderPlan } from "../plan/plan.ts"

class PlanFailed extends Data.TaggedError("PlanFailed")<{ readonly message: string }> {
  override readonly [Runtime.errorExitCode] = 2
}

/** A branch, tag or (abbreviated) commit id, optionally followed by `~N` first-parent steps. */
const resolveRevision = async (dir: string, revision: string): Promise<string> => {
  const [, name = revision, steps = "0"] = /^(.*?)(?:~(\d*))?$/.exec(revision) ?? []
  let oid = await git.resolveRef({ fs, dir, ref: name }).catch(() => git.expandOid({ fs, dir, oid: name }))
  for (let step = 0; step < Number(steps === "" ? "1" : steps); step++) {
    const parent = (await git.readCommit({ fs, dir, oid })).commit.parent[0]
    if (parent === undefined) throw new Error(`${revision}: ${oid.slice(0, 7)} has no parent`)
    oid = parent
  }
  return oid
}

/** Every file of a commit's tree (symlinks flagged), read with isomorphic-git. */
const filesAt = (dir: string, ref: string) =>
  Effect.tryPromise({
    try: async (): Promise<ReadonlyArray<SourceFile>> => {
      const oid = await resolveRevision(dir, ref)
      const files: Array<SourceFile> = []
      await git.walk({
        fs,
        dir,
        trees: [git.TREE({ ref: oid })],
        map: async (path, [entry]) => {
          if (entry === null || entry === undefined || (await entry.type()) !== "blob") return undefined
          const content = await entry.content()
          files.push({ path, bytes: content ?? new Uint8Array(), ...((await entry.mode()) === 0o120000 ? { symlink: true } : {}) })
          return undefined
        },
      })
      return files
    },
    catch: (error) => new PlanFailed({ message: `cannot read ${ref} in ${dir}: ${error instanceof Error ? error.message : String(error)}` }),
  })

export const planCommand = Command.make(
  "plan",
  {
    from: Argument.String("from").pipe(Argument.withDescription("the base commit or branch")),
    to: Argument.String("to").pipe(Argument.withDescription("the commit or branch to compare")),
    repository: Flag.String("repository").pipe(Flag.withDescription("the local repository"), Flag.withDefault(".")),
    path: Flag.String("path").pipe(Flag.withDescription("the tracked directory in it"), Flag.withDefault("")),
    defaultNamespace: Flag.String("default-namespace").pipe(Flag.withDefault(defaultNamespace)),
    output: Flag.Literals("output", ["text", "json"]).pipe(Flag.withDefault("text")),
  },
  Effect.fn("certops.plan")(function* ({ from, to, repository, path, defaultNamespace: namespace, output }) {
    const defaultPolicies = yield* readDefaultPolicies().pipe(Effect.orElseSucceed(() => []))
    const options = { directory: path, defaultNamespace: namespace, defaultPolicies, policyDirectory: defaultPolicyDirectory }
    const entries = plan(buildIntentSet(yield* filesAt(repository, from), options), buildIntentSet(yield* filesAt(repository, to), options))
    yield* Console.log(output === "json" ? JSON.stringify({ changes: entries }, null, 2) : renderPlan(entries))
  }),
).pipe(Command.withDescription("what merging <to> into <from> would create, re-issue, prune or deny"))
