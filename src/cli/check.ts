// `certops check [path]`: validates a working tree as the daemon would a
// commit (schemas, cross-references, policies) and prints every problem as
// `file:line: rule: message`, or a JSON report for CI. Exits 1 when anything
// is rejected, so it can gate a pull request.
import { Console, Data, Effect, Option, Result, Runtime } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import { keyOfResource } from "../intents/identity.ts"
import { buildIntentSet, defaultNamespace, defaultPolicyDirectory, type IntentSet } from "../intents/intent-set.ts"
import { parseIssuerKey } from "../intents/issuer-references.ts"
import { formatRejection, formatWarning } from "../rules/rejection.ts"
import { readWorkingTree } from "../manifests/working-tree.ts"
import { readDefaultPolicies } from "../policy/default-policies.ts"

/** Ends the command with exit code 1; the problems are already printed. */
class CheckFailed extends Data.TaggedError("CheckFailed")<{ readonly problems: number }> {
  override readonly [Runtime.errorExitCode] = 1
  override readonly [Runtime.errorReported] = false
}

/** The `--output json` document: stable field names for CI to read. */
export const checkReport = (set: IntentSet) => ({
  ok: set.rejected.length === 0,
  accepted: set.accepted.map(({ resource, source }) => ({ ...keyOfResource(resource), ...source })),
  rejected: set.rejected,
  warnings: set.warnings,
})

const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? "" : "s"}`

export const renderText = (set: IntentSet): string => {
  const files = new Set(set.rejected.map((rejection) => rejection.file)).size
  const warned = set.warnings.length === 0 ? "" : `, ${plural(set.warnings.length, "warning")}`
  const summary =
    set.rejected.length === 0
      ? `${plural(set.accepted.length, "intent")} accepted, no problems${warned}`
      : `${plural(set.accepted.length, "intent")} accepted, ${plural(set.rejected.length, "problem")} in ${plural(files, "file")}${warned}`
  return [...set.rejected.map(formatRejection), ...set.warnings.map(formatWarning), summary].join("\n")
}

const knownIssuer = Flag.String("issuer").pipe(
  Flag.withDescription("an issuer that exists in the cluster: ClusterIssuer/<name> or Issuer/<namespace>/<name> (repeatable)"),
  Flag.filterMap(
    (text) => Result.getSuccess(parseIssuerKey(text)),
    (text) => Result.getFailure(parseIssuerKey(text)).pipe(Option.getOrElse(() => text)),
  ),
  Flag.atLeast(0),
)

export const check = Command.make(
  "check",
  {
    path: Argument.Directory("path", { mustExist: true }).pipe(
      Argument.withDescription("the working tree to check (the tracked directory)"),
      Argument.withDefault("."),
    ),
    output: Flag.Literals("output", ["text", "json"]).pipe(Flag.withDescription("text, or a JSON report for CI"), Flag.withDefault("text")),
    defaultNamespace: Flag.String("default-namespace").pipe(
      Flag.withDescription("namespace for intents that name none"),
      Flag.withDefault(defaultNamespace),
    ),
    policyDir: Flag.String("policy-dir").pipe(
      Flag.withDescription("the repository's own policy files, relative to path"),
      Flag.withDefault(defaultPolicyDirectory),
    ),
    issuers: knownIssuer,
  },
  Effect.fn("check")(function* ({ path, output, defaultNamespace, policyDir, issuers }) {
    const files = yield* readWorkingTree(path)
    const defaultPolicies = yield* readDefaultPolicies()
    const set = buildIntentSet(files, { policyDirectory: policyDir, defaultPolicies, defaultNamespace, knownIssuers: issuers })
    yield* Console.log(output === "json" ? JSON.stringify(checkReport(set), null, 2) : renderText(set))
    if (set.rejected.length > 0) return yield* new CheckFailed({ problems: set.rejected.length })
  }),
).pipe(Command.withDescription("Validate intents and policies in a working tree, as the daemon would a commit"))
