// The GitOps loop: sync on every poll tick and every verified push, apply
// what changed, and re-apply the current intents when nothing changed so an
// in-cluster edit is reverted on the next pass.
import { Cause, Duration, Effect, Option, Queue, type Scope } from "effect"
import type { SourceIdentity } from "../apply/provenance.ts"
import { GitSource } from "../git/source.ts"
import type { StatusReporter } from "../report/status-reporter.ts"
import type { EventRecorder } from "../store/event-recorder.ts"
import type { ResourceStore } from "../store/resource-store.ts"
import { makeIntentFiles } from "./intent-files.ts"
import { reconcileIntents, type IntentOptions } from "./reconcile-intents.ts"

export interface GitOpsOptions {
  readonly source: SourceIdentity
  readonly pollInterval: Duration.Input
  readonly intents: IntentOptions
  /** Told about every pass (metrics: last sync, applied commit). */
  readonly onSynced?: (commit: string, at: number) => void
}

export interface GitOpsLoop {
  /** Ask for a sync now (webhook); several requests collapse into one pass. */
  readonly trigger: Effect.Effect<void>
}

export const runGitOps = (options: GitOpsOptions): Effect.Effect<GitOpsLoop, never, GitSource | ResourceStore | EventRecorder | StatusReporter | Scope.Scope> =>
  Effect.gen(function* () {
    const source = yield* GitSource
    const files = makeIntentFiles(source)
    const wake = yield* Queue.sliding<void>(1)
    let lastCommit: string | undefined

    // After a restart the applied commit's files are the base every later diff applies to.
    const applied = yield* source.applied
    if (applied !== undefined) {
      const all = yield* source.files(applied).pipe(Effect.orElseSucceed(() => []))
      yield* files.apply({ commit: applied, previous: undefined, changes: all.map((file) => ({ ...file, change: "added" as const })) }).pipe(Effect.ignore)
      lastCommit = applied
    }

    const pass = Effect.gen(function* () {
      const synced = yield* source.sync((change) =>
        Effect.gen(function* () {
          yield* files.apply(change)
          yield* reconcileIntents(files.snapshot(), options.source, change.commit, options.intents)
        }),
      )
      if (Option.isSome(synced)) lastCommit = synced.value.commit
      // Nothing new in Git: apply again anyway, which writes only where the cluster drifted.
      if (Option.isNone(synced) && lastCommit !== undefined) yield* reconcileIntents(files.snapshot(), options.source, lastCommit, options.intents)
      if (lastCommit !== undefined) options.onSynced?.(lastCommit, Date.now())
    }).pipe(
      Effect.catchCause((cause) =>
        Cause.hasInterruptsOnly(cause) ? Effect.interrupt : Effect.logWarning("gitops: sync failed; will try again", { cause: Cause.pretty(cause) }),
      ),
    )

    const loop = Effect.gen(function* () {
      for (;;) {
        yield* pass
        yield* Effect.race(Queue.take(wake), Effect.sleep(Duration.fromInputUnsafe(options.pollInterval)))
      }
    })
    yield* Effect.forkScoped(loop)
    return { trigger: Queue.offer(wake, undefined).pipe(Effect.asVoid) }
  })
