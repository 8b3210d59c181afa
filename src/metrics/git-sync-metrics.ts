// When the GitOps loop last applied the repository, and which commit. The
// age is computed at scrape time so that a stalled loop shows up as a rising
// number, not a frozen one.
import { Clock, Context, Effect, Layer } from "effect"
import type { MetricFamily } from "./exposition.ts"

export interface GitSyncMetricsService {
  /**
   * A pass of the loop applied `commit` (a full SHA) at `at`, in Unix
   * milliseconds as Clock.currentTimeMillis and the loop's onSynced give it.
   */
  readonly recordSync: (commit: string, at: number) => Effect.Effect<void>
  /** Nothing until the first sync: alert on `absent(certops_git_last_sync_timestamp_seconds)`. */
  readonly families: Effect.Effect<ReadonlyArray<MetricFamily>>
}

export class GitSyncMetrics extends Context.Service<GitSyncMetrics, GitSyncMetricsService>()("certops/observability/GitSyncMetrics") {}

interface LastSync {
  readonly commit: string
  readonly atMillis: number
}

export const gitSyncFamilies = (last: LastSync | undefined, nowMillis: number): ReadonlyArray<MetricFamily> => {
  const when = last === undefined ? [] : [{ labels: {}, value: last.atMillis / 1_000 }]
  // A clock step backwards must not make the age negative.
  const age = last === undefined ? [] : [{ labels: {}, value: Math.max(0, nowMillis - last.atMillis) / 1_000 }]
  const commit = last === undefined ? [] : [{ labels: { commit: last.commit }, value: 1 }]
  return [
    { type: "gauge", name: "certops_git_last_sync_timestamp_seconds", help: "When the repository was last synced and applied, as Unix seconds.", samples: when },
    { type: "gauge", name: "certops_git_sync_age_seconds", help: "Seconds since the repository was last synced and applied.", samples: age },
    { type: "gauge", name: "certops_git_last_applied_commit_info", help: "The commit last applied from the repository (always 1).", samples: commit },
  ]
}

export const makeGitSyncMetrics = (): GitSyncMetricsService => {
  let last: LastSync | undefined
  return {
    recordSync: (commit, at) =>
      Effect.sync(() => {
        last = { commit, atMillis: at }
      }),
    families: Effect.map(Clock.currentTimeMillis, (now) => gitSyncFamilies(last, now)),
  }
}

export const gitSyncMetricsLayer = Layer.sync(GitSyncMetrics, makeGitSyncMetrics)
