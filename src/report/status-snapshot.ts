// What the status branch holds at one commit: every report file, parsed.
// Parsing is cached by blob id, so re-reading the branch after a push (or
// after someone else's push) only parses the files that changed.
import { Effect, Option } from "effect"
import type { GitError } from "../git/errors.ts"
import { readBlob, readCommit, type ObjectStore } from "../git/objects.ts"
import { pathScope } from "../git/path-scope.ts"
import { listFiles } from "../git/tree-diff.ts"
import { classifyStatusFile } from "./layout.ts"
import { parseCertificateReport, parseRejectionReport } from "./render-reports.ts"
import { certificateKey, type CertificateReport, type RejectionReport } from "./reports.ts"

export interface StoredReport<A> {
  /** The file as it is on the branch. */
  readonly text: string
  /** Undefined when the file does not parse (edited by hand): it is rewritten, not trusted. */
  readonly report: A | undefined
}

export interface StatusSnapshot {
  /** The branch head read; undefined when the branch does not exist yet. */
  readonly head: string | undefined
  /** The root tree of `head`. */
  readonly tree: string | undefined
  /** By `namespace/name`. */
  readonly certificates: ReadonlyMap<string, StoredReport<CertificateReport>>
  /** By intent file path. */
  readonly rejections: ReadonlyMap<string, StoredReport<RejectionReport>>
  readonly summary: string | undefined
}

type Parsed =
  | { readonly _tag: "Certificate"; readonly key: string; readonly stored: StoredReport<CertificateReport> }
  | { readonly _tag: "Rejection"; readonly file: string; readonly stored: StoredReport<RejectionReport> }
  | { readonly _tag: "Summary"; readonly text: string }

/** Parsed files by path and blob id (undefined: not a report file); owned by one reporter. */
export type SnapshotCache = Map<string, Parsed | undefined>

const stored = <A>(text: string, report: Option.Option<A>): StoredReport<A> => ({ text, report: Option.getOrUndefined(report) })

const parseFile = (path: string, text: string): Parsed | undefined => {
  const file = classifyStatusFile(path)
  switch (file._tag) {
    case "Summary":
      return { _tag: "Summary", text }
    case "Certificate": {
      const report = parseCertificateReport(text)
      // A file whose content names another Certificate is not that Certificate's report.
      const matches = Option.filter(report, (parsed) => certificateKey(parsed) === certificateKey(file))
      return { _tag: "Certificate", key: certificateKey(file), stored: stored(text, matches) }
    }
    case "Rejection":
      return { _tag: "Rejection", file: file.intentPath, stored: stored(text, parseRejectionReport(text)) }
    case "Other":
      return undefined
  }
}

export const readStatusSnapshot = Effect.fn("StatusReporter.readBranch")(function* (
  store: ObjectStore,
  head: string | undefined,
  directory: string,
  cache: SnapshotCache,
): Effect.fn.Return<StatusSnapshot, GitError> {
  const certificates = new Map<string, StoredReport<CertificateReport>>()
  const rejections = new Map<string, StoredReport<RejectionReport>>()
  let summary: string | undefined
  if (head === undefined) return { head, tree: undefined, certificates, rejections, summary }

  const tree = (yield* readCommit(store, head)).tree
  const prefix = directory === "" ? "" : `${directory}/`
  const seen = new Set<string>()
  for (const file of yield* listFiles(store, head, pathScope(directory))) {
    if (file.kind !== "file") continue
    const key = `${file.path}\0${file.oid}`
    seen.add(key)
    if (!cache.has(key)) {
      const text = new TextDecoder().decode(yield* readBlob(store, file.oid))
      cache.set(key, parseFile(file.path.slice(prefix.length), text))
    }
    const parsed = cache.get(key)
    if (parsed?._tag === "Certificate") certificates.set(parsed.key, parsed.stored)
    else if (parsed?._tag === "Rejection") rejections.set(parsed.file, parsed.stored)
    else if (parsed?._tag === "Summary") summary = parsed.text
  }
  // Forget files that are gone, so the cache stays the size of the branch.
  for (const key of cache.keys()) if (!seen.has(key)) cache.delete(key)
  return { head, tree, certificates, rejections, summary }
})
