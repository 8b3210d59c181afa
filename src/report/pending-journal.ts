// Pending changes on disk, so that a crash or a long Git outage loses nothing:
// each accepted change is appended as one JSON line and synced before the
// reporter acknowledges it; after a push the file is rewritten, atomically, to
// what is still pending. A line torn by a crash mid-append is skipped.
import { mkdir, open, readFile, type FileHandle } from "node:fs/promises"
import { dirname } from "node:path"
import { Effect, Option, Schema, type Scope } from "effect"
import { writeFileAtomic } from "../store/embedded/atomic-files.ts"
import { PendingEntry, withChange, type Pending } from "./pending.ts"

export class PendingJournalFailed extends Schema.TaggedError<PendingJournalFailed>()("PendingJournalFailed", {
  operation: Schema.String,
  path: Schema.String,
  detail: Schema.String,
}) {
  override get message() {
    return `pending status reports: ${this.operation} ${this.path}: ${this.detail}`
  }
}

const decodeLine = Schema.decodeUnknownOption(Schema.fromJsonString(PendingEntry))
const encodeEntry = Schema.encodeSync(PendingEntry)
const line = (entry: PendingEntry) => `${JSON.stringify(encodeEntry(entry))}\n`

const attempt = <A>(operation: string, path: string, run: () => Promise<A>) =>
  Effect.tryPromise({ try: run, catch: (error) => new PendingJournalFailed({ operation, path, detail: String(error) }) })

const readLines = (path: string) =>
  attempt("read", path, async () => {
    try {
      return (await readFile(path, "utf8")).split("\n")
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return []
      throw error
    }
  })

export interface LoadedJournal {
  readonly pending: Pending
  /** The next sequence number to hand out: above every one on disk. */
  readonly nextSeq: number
}

/** Reads the journal and rewrites it compacted, ready for appends. */
export const loadPendingJournal = Effect.fnUntraced(function* (path: string): Effect.fn.Return<LoadedJournal, PendingJournalFailed> {
  let pending: Pending = new Map()
  let nextSeq = 0
  for (const text of yield* readLines(path)) {
    if (text.trim() === "") continue
    const entry = decodeLine(text)
    if (Option.isNone(entry)) {
      yield* Effect.logWarning("skipping an unreadable pending status line", { path })
      continue
    }
    pending = withChange(pending, entry.value)
    nextSeq = Math.max(nextSeq, entry.value.seq + 1)
  }
  // Compacted at once: a torn last line must not swallow the next append.
  yield* rewritePendingJournal(path, pending)
  return { pending, nextSeq }
})

export const appendPendingEntry = (path: string, entry: PendingEntry): Effect.Effect<void, PendingJournalFailed> =>
  attempt("append", path, async () => {
    await mkdir(dirname(path), { recursive: true })
    const handle = await open(path, "a", 0o600)
    try {
      await handle.appendFile(line(entry))
      await handle.datasync()
    } finally {
      await handle.close()
    }
  })

export const rewritePendingJournal = (path: string, pending: Pending): Effect.Effect<void, PendingJournalFailed> =>
  attempt("rewrite", path, () =>
    writeFileAtomic(path, [...pending.values()].sort((a, b) => a.seq - b.seq).map(line).join(""), 0o600),
  )

export interface JournalWriter {
  readonly append: (entry: PendingEntry) => Effect.Effect<void, PendingJournalFailed>
  readonly rewrite: (pending: Pending) => Effect.Effect<void, PendingJournalFailed>
}

/**
 * The journal kept open between appends: opening, creating the directory and
 * closing for every report was most of what a report cost. A rewrite
 * replaces the file, so the next append opens the new one. The caller
 * serializes appends and rewrites.
 */
export const openJournalWriter = (path: string): Effect.Effect<JournalWriter, never, Scope.Scope> =>
  Effect.gen(function* () {
    let handle: FileHandle | undefined
    const close = () =>
      attempt("close", path, async () => {
        const open = handle
        handle = undefined
        await open?.close()
      })
    yield* Effect.addFinalizer(() => close().pipe(Effect.ignore))
    return {
      append: (entry) =>
        attempt("append", path, async () => {
          if (handle === undefined) {
            await mkdir(dirname(path), { recursive: true })
            handle = await open(path, "a", 0o600)
          }
          await handle.appendFile(line(entry))
          await handle.datasync()
        }),
      rewrite: (pending) => close().pipe(Effect.andThen(rewritePendingJournal(path, pending))),
    }
  })
