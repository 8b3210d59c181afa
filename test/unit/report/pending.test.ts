// Pending changes: newest per Certificate wins, a push clears only what it
// published, and the journal on disk survives a crash mid-write.
import { appendFileSync, mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { pendingChanges, withChange, withoutPublished, type Pending } from "../../../src/report/pending.ts"
import { appendPendingEntry, loadPendingJournal, openJournalWriter, rewritePendingJournal } from "../../../src/report/pending-journal.ts"
import { failing, issued } from "./fixtures.ts"

const journalPath = () => join(mkdtempSync(join(tmpdir(), "certops-journal-")), "report", "pending.jsonl")

describe("pending changes", () => {
  it("keeps the newest change per Certificate, in the order they came", () => {
    let pending: Pending = new Map()
    pending = withChange(pending, { seq: 0, change: { _tag: "Report", report: issued } })
    pending = withChange(pending, { seq: 1, change: { _tag: "Report", report: failing } })
    pending = withChange(pending, { seq: 2, change: { _tag: "Removal", namespace: "web", name: "example-com" } })
    assert.deepStrictEqual(pendingChanges(pending).map((change) => change._tag), ["Report", "Removal"])
  })

  it("a push clears what it published, not what replaced it meanwhile", () => {
    const published = withChange(new Map(), { seq: 0, change: { _tag: "Report", report: issued } })
    const newer = withChange(published, { seq: 1, change: { _tag: "Report", report: { ...issued, reason: "Renewing" } } })
    const both = withChange(newer, { seq: 2, change: { _tag: "Report", report: failing } })
    assert.deepStrictEqual([...withoutPublished(both, published).values()].map((entry) => entry.seq), [1, 2])
    assert.strictEqual(withoutPublished(published, published).size, 0)
  })
})

describe("pending journal", () => {
  it.effect("reads back what was appended; a rewrite leaves only what is left", () =>
    Effect.gen(function* () {
      const path = journalPath()
      assert.strictEqual((yield* loadPendingJournal(path)).pending.size, 0)
      yield* appendPendingEntry(path, { seq: 0, change: { _tag: "Report", report: issued } })
      yield* appendPendingEntry(path, { seq: 1, change: { _tag: "Report", report: failing } })
      yield* appendPendingEntry(path, { seq: 2, change: { _tag: "Report", report: { ...issued, reason: "Renewing" } } })
      const loaded = yield* loadPendingJournal(path)
      assert.strictEqual(loaded.nextSeq, 3)
      assert.deepStrictEqual([...loaded.pending.values()].map((entry) => entry.seq), [2, 1])

      yield* rewritePendingJournal(path, withoutPublished(loaded.pending, new Map([...loaded.pending].filter(([, entry]) => entry.seq === 2))))
      assert.deepStrictEqual([...(yield* loadPendingJournal(path)).pending.values()].map((entry) => entry.seq), [1])
    }),
  )

  it.effect("skips a line torn by a crash and keeps the rest", () =>
    Effect.gen(function* () {
      const path = journalPath()
      yield* appendPendingEntry(path, { seq: 0, change: { _tag: "Report", report: issued } })
      appendFileSync(path, '{"seq":1,"change":{"_tag":"Rep')
      const loaded = yield* loadPendingJournal(path)
      assert.strictEqual(loaded.pending.size, 1)
      assert.strictEqual(loaded.nextSeq, 1)
      // Loading compacted the file, so the next append is a line of its own.
      yield* appendPendingEntry(path, { seq: 1, change: { _tag: "Report", report: failing } })
      assert.strictEqual(readFileSync(path, "utf8").split("\n").filter((line) => line !== "").length, 2)
      assert.strictEqual((yield* loadPendingJournal(path)).pending.size, 2)
    }),
  )

  it.effect("a writer kept open appends, and after a rewrite appends to the new file", () =>
    Effect.gen(function* () {
      const path = journalPath()
      const writer = yield* openJournalWriter(path)
      yield* writer.append({ seq: 0, change: { _tag: "Report", report: issued } })
      yield* writer.append({ seq: 1, change: { _tag: "Report", report: failing } })
      const loaded = yield* loadPendingJournal(path)
      assert.strictEqual(loaded.pending.size, 2)
      yield* writer.rewrite(withoutPublished(loaded.pending, new Map([...loaded.pending].filter(([, entry]) => entry.seq === 0))))
      yield* writer.append({ seq: 2, change: { _tag: "Report", report: { ...issued, reason: "Renewing" } } })
      assert.deepStrictEqual([...(yield* loadPendingJournal(path)).pending.values()].map((entry) => entry.seq).sort(), [1, 2])
    }).pipe(Effect.scoped),
  )
})
