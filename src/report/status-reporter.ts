// The StatusReporter service: the daemon hands it plain reports; it keeps
// them (in memory and on disk), batches them into few commits on the status
// branch, and keeps trying through Git outages until every one is pushed.
import { join } from "node:path"
import { Context, Duration, Effect, Layer, Option, Queue, Ref, Schedule, Schema, Semaphore } from "effect"
import type { GitError, GitLocationInvalid } from "../git/errors.ts"
import { certopsIdentity, type CommitIdentity } from "../git/own-commits.ts"
import { normalizePath } from "../git/path-scope.ts"
import { connectRemote } from "../git/connect-remote.ts"
import type { RepositoryOptions } from "../git/remote.ts"
import { awaitBatch, defaultBatchWindow, type BatchWindow } from "./batch-window.ts"
import { refusePrivateKeysIn, type PrivateKeyRefused } from "./key-guard.ts"
import { pendingChanges, withChange, withoutPublished, type Pending, type PendingChange } from "./pending.ts"
import { loadPendingJournal, openJournalWriter, type PendingJournalFailed } from "./pending-journal.ts"
import { publish, type PublishError, type StatusTarget } from "./publish.ts"
import { CertificateName, CertificateReport, RejectionReport, certificateKey } from "./reports.ts"
import type { SnapshotCache } from "./status-snapshot.ts"

export const defaultStatusBranch = "certops/status"

export interface StatusReporterOptions {
  readonly repository: RepositoryOptions
  /** `certops/status` by default. */
  readonly branch?: string
  /**
   * Where reports live on the branch; the branch root by default. With
   * `branch` set to the tracked branch this keeps reports beside the intents
   * (give the same directory to GitSource's `ignore`).
   */
  readonly directory?: string
  readonly identity?: CommitIdentity
  readonly batch?: BatchWindow
  /** Retry spacing while Git cannot be reached: doubling from `min` up to `max` (1 s to 1 min by default). */
  readonly outageBackoff?: { readonly min: Duration.Input; readonly max: Duration.Input }
}

/** A report that does not decode (bad namespace, name or path). */
export class InvalidReport extends Schema.TaggedError<InvalidReport>()("InvalidReport", {
  subject: Schema.String,
  detail: Schema.String,
}) {
  override get message() {
    return `status report for ${this.subject} is invalid: ${this.detail}`
  }
}

export type ReportRefused = InvalidReport | PrivateKeyRefused | PendingJournalFailed

export interface StatusReporterService {
  /** The latest status of one Certificate; replaces an older one not yet pushed. */
  readonly report: (report: CertificateReport) => Effect.Effect<void, ReportRefused>
  /** The Certificate is gone: its file goes too. */
  readonly remove: (namespace: string, name: string) => Effect.Effect<void, ReportRefused>
  /** Every rejected intent file of the latest intent commit; files not listed are no longer rejected. */
  readonly rejections: (rejections: ReadonlyArray<RejectionReport>) => Effect.Effect<void, ReportRefused>
  /** Publishes what is pending now, without waiting for the batch window. The commit pushed, if any. */
  readonly flush: Effect.Effect<Option.Option<string>, PublishError | PendingJournalFailed>
  /** How many changes wait to be pushed. */
  readonly pendingCount: Effect.Effect<number>
}

export class StatusReporter extends Context.Service<StatusReporter, StatusReporterService>()("certops/report/StatusReporter") {
  static readonly layer = (
    options: StatusReporterOptions,
  ): Layer.Layer<StatusReporter, GitError | GitLocationInvalid | PendingJournalFailed> =>
    Layer.effect(StatusReporter, makeStatusReporter(options))
}

const outageRetry = (backoff: { readonly min: Duration.Input; readonly max: Duration.Input }) =>
  Schedule.min([Schedule.exponential(backoff.min), Schedule.spaced(backoff.max)]).pipe(Schedule.jittered)

/** What every report goes through before it is kept anywhere: its schema, then the key guard. */
const admitted = <A>(schema: Schema.Decoder<A>, subject: string, value: unknown): Effect.Effect<A, InvalidReport | PrivateKeyRefused> =>
  Schema.decodeUnknownEffect(schema)(value).pipe(
    Effect.mapError((error) => new InvalidReport({ subject, detail: error.message })),
    Effect.tap((decoded) => refusePrivateKeysIn(subject, decoded)),
  )

export const makeStatusReporter = Effect.fn("StatusReporter.make")(function* (options: StatusReporterOptions) {
  const remote = yield* connectRemote(options.repository, "status")
  const target: StatusTarget = {
    remote,
    branch: options.branch ?? defaultStatusBranch,
    directory: normalizePath(options.directory ?? ""),
    identity: options.identity ?? certopsIdentity,
    cache: new Map() satisfies SnapshotCache,
  }
  const journal = join(options.repository.stateDir, "report", "pending.jsonl")
  const loaded = yield* loadPendingJournal(journal)
  const writer = yield* openJournalWriter(journal)
  const pending = yield* Ref.make<Pending>(loaded.pending)
  const nextSeq = yield* Ref.make(loaded.nextSeq)
  // Journal and memory change together; one publication at a time.
  const journalLock = yield* Semaphore.make(1)
  const publishLock = yield* Semaphore.make(1)
  const signals = yield* Queue.sliding<void>(1)

  const accept = (change: PendingChange) =>
    Effect.gen(function* () {
      const entry = { seq: yield* Ref.getAndUpdate(nextSeq, (seq) => seq + 1), change }
      yield* writer.append(entry)
      yield* Ref.update(pending, (current) => withChange(current, entry))
    }).pipe(journalLock.withPermits(1), Effect.andThen(Queue.offer(signals, undefined)), Effect.asVoid)

  const publishPending = Effect.gen(function* () {
    const batch = yield* Ref.get(pending)
    if (batch.size === 0) return Option.none<string>()
    const commit = yield* publish(target, pendingChanges(batch))
    yield* Effect.gen(function* () {
      const left = withoutPublished(yield* Ref.get(pending), batch)
      yield* writer.rewrite(left)
      yield* Ref.set(pending, left)
    }).pipe(journalLock.withPermits(1))
    return commit
  }).pipe(publishLock.withPermits(1), Effect.annotateLogs({ branch: target.branch }))

  const publishUntilDone = publishPending.pipe(
    Effect.tapError((error) =>
      Effect.gen(function* () {
        const waiting = (yield* Ref.get(pending)).size
        yield* Effect.logWarning(`status not pushed, ${waiting} change(s) kept for the next try: ${error.message}`)
      }),
    ),
    Effect.retry(outageRetry(options.outageBackoff ?? { min: "1 second", max: "1 minute" })),
  )

  const publishLoop = awaitBatch(signals, options.batch ?? defaultBatchWindow).pipe(Effect.andThen(publishUntilDone), Effect.forever)
  yield* Effect.forkScoped(publishLoop)
  // Left over from before a restart: push as soon as Git answers.
  if (loaded.pending.size > 0) yield* Queue.offer(signals, undefined)

  return {
    report: (report) =>
      admitted(CertificateReport, certificateKey(report), report).pipe(
        Effect.flatMap((decoded) => accept({ _tag: "Report", report: decoded })),
      ),
    remove: (namespace, name) =>
      admitted(CertificateName, `${namespace}/${name}`, { namespace, name }).pipe(
        Effect.flatMap((decoded) => accept({ _tag: "Removal", ...decoded })),
      ),
    rejections: (rejections) =>
      admitted(Schema.Array(RejectionReport), "rejected intents", rejections).pipe(
        Effect.flatMap((decoded) => accept({ _tag: "Rejections", rejections: decoded })),
      ),
    flush: publishPending,
    pendingCount: Effect.map(Ref.get(pending), (current) => current.size),
  } satisfies StatusReporterService
})
