// The files of the tracked directory as last synced, kept in memory so that a
// new commit costs only the blobs that changed (the tree diff names them).
import { Effect } from "effect"
import type { GitSourceService, SourceChange } from "../git/source.ts"
import type { SourceFile } from "../manifests/source-file.ts"

export interface IntentFiles {
  readonly apply: (change: SourceChange) => Effect.Effect<void, unknown>
  readonly snapshot: () => ReadonlyArray<SourceFile>
}

export const makeIntentFiles = (source: GitSourceService): IntentFiles => {
  const files = new Map<string, SourceFile>()
  return {
    apply: (change) =>
      Effect.gen(function* () {
        if (change.previous === undefined) files.clear()
        for (const entry of change.changes) {
          if (entry.change === "deleted" || entry.kind === "submodule") {
            files.delete(entry.path)
            continue
          }
          const bytes = yield* source.readBlob(entry.oid)
          files.set(entry.path, { path: entry.path, bytes, ...(entry.kind === "symlink" ? { symlink: true } : {}) })
        }
      }),
    snapshot: () => [...files.values()],
  }
}
