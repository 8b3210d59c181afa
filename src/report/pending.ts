// Changes the reporter accepted but has not pushed yet. The newest change per
// Certificate wins; each carries a sequence number so that a push clears only
// what it actually published, never a newer change that arrived meanwhile.
import { Schema } from "effect"
import { CertificateName, CertificateReport, RejectionReport, certificateKey } from "./reports.ts"

export const PendingChange = Schema.Union([
  Schema.TaggedStruct("Report", { report: CertificateReport }),
  Schema.TaggedStruct("Removal", CertificateName.fields),
  /** The complete set of rejected intent files: files missing from it are no longer rejected. */
  Schema.TaggedStruct("Rejections", { rejections: Schema.Array(RejectionReport) }),
])
export type PendingChange = typeof PendingChange.Type

export const PendingEntry = Schema.Struct({ seq: Schema.Int, change: PendingChange })
export type PendingEntry = typeof PendingEntry.Type

/** Keyed by what the change is about; see `pendingKey`. */
export type Pending = ReadonlyMap<string, PendingEntry>

export const pendingKey = (change: PendingChange): string => {
  switch (change._tag) {
    case "Report":
      return `certificate ${certificateKey(change.report)}`
    case "Removal":
      return `certificate ${certificateKey(change)}`
    case "Rejections":
      return "rejections"
  }
}

export const withChange = (pending: Pending, entry: PendingEntry): Pending =>
  new Map(pending).set(pendingKey(entry.change), entry)

/** What is left once `published` is on the branch: entries replaced since stay. */
export const withoutPublished = (pending: Pending, published: Pending): Pending =>
  new Map([...pending].filter(([key, entry]) => published.get(key)?.seq !== entry.seq))

/** In the order they were made, so a commit message lists them that way. */
export const pendingChanges = (pending: Pending): ReadonlyArray<PendingChange> =>
  [...pending.values()].sort((a, b) => a.seq - b.seq).map((entry) => entry.change)
