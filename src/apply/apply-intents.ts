// Applies an accepted intent set to the store: creates and updates what Git
// declares (labelled with where it came from), reverts in-cluster edits of
// managed objects, and prunes what left Git. Rejected intents change nothing:
// an object whose file is broken right now is neither updated nor pruned.
import { createHash } from "node:crypto"
import { Effect } from "effect"
import type { Certificate } from "../api/certificate.ts"
import type { ClusterIssuer, Issuer } from "../api/issuer.ts"
import type { Ingress } from "../api/core.ts"
import { Certificates, ClusterIssuers, Ingresses, Issuers, Secrets } from "../api/kinds.ts"
import type { KubeObject } from "../api/meta.ts"
import type { ResourceType } from "../api/resource-type.ts"
import type { IngressIntent, Intent } from "../intents/intent-set.ts"
import type { Rejection } from "../rules/rejection.ts"
import { EventRecorder } from "../store/event-recorder.ts"
import { keyOf, ResourceStore } from "../store/resource-store.ts"
import { provenance, sourceId, sourceSelector, type SourceIdentity } from "./provenance.ts"

export interface ApplyOptions {
  readonly source: SourceIdentity
  readonly commit: string
  readonly accepted: ReadonlyArray<Intent>
  readonly rejected: ReadonlyArray<Rejection>
  /**
   * Ingresses from Git, where the repository manages them: applied after the
   * Certificates derived from them (so ingress-shim finds those in place),
   * and pruned like the rest. Absent: Ingresses are neither applied nor pruned.
   */
  readonly ingresses?: ReadonlyArray<IngressIntent>
}

export type ApplyAction = "created" | "updated" | "reverted" | "unchanged" | "pruned" | "failed"

export interface ApplyOutcome {
  readonly kind: string
  readonly namespace?: string
  readonly name: string
  readonly action: ApplyAction
  readonly file?: string
  /** Why, when the store refused the object (e.g. its namespace does not exist). */
  readonly error?: string
}

type Applicable = Certificate | Issuer | ClusterIssuer | Ingress

const typeOf = (kind: string): ResourceType<Applicable> =>
  (kind === "Certificate" ? Certificates : kind === "Issuer" ? Issuers : kind === "Ingress" ? Ingresses : ClusterIssuers) as ResourceType<Applicable>

const intentKinds: ReadonlyArray<ResourceType<Applicable>> = [Issuers, ClusterIssuers, Certificates] as ReadonlyArray<ResourceType<Applicable>>

/** The object as Git wants it, with provenance. */
const desired = (intent: Intent | IngressIntent, options: ApplyOptions): Applicable => {
  const resource = intent.resource
  return {
    ...resource,
    metadata: {
      name: resource.metadata.name,
      ...(resource.metadata.namespace === undefined ? {} : { namespace: resource.metadata.namespace }),
      labels: { ...resource.metadata.labels, [provenance.managedLabel]: "true", [provenance.sourceLabel]: sourceId(options.source), [provenance.commitLabel]: options.commit },
      annotations: {
        ...resource.metadata.annotations,
        [provenance.repositoryAnnotation]: options.source.repository,
        [provenance.pathAnnotation]: intent.source.file,
        [provenance.commitAnnotation]: options.commit,
      },
    },
  } as Applicable
}

const volatileLabels = new Set<string>([provenance.commitLabel])
const volatileAnnotations = new Set<string>([provenance.commitAnnotation, provenance.appliedHashAnnotation])

const without = (map: Readonly<Record<string, string>> | undefined, keys: ReadonlySet<string>) =>
  Object.fromEntries(Object.entries(map ?? {}).filter(([key]) => !keys.has(key)))

/**
 * What Git controls on an object — spec, labels, annotations — less the
 * provenance that changes with every commit, hashed. A new commit that leaves
 * an object as it was writes nothing.
 */
const gitHash = (object: KubeObject & { spec?: unknown }) =>
  createHash("sha256")
    .update(canonicalJson({ spec: object.spec, labels: without(object.metadata.labels, volatileLabels), annotations: without(object.metadata.annotations, volatileAnnotations) }))
    .digest("hex")
    .slice(0, 16)

const canonicalJson = (value: unknown): string =>
  Array.isArray(value)
    ? `[${value.map(canonicalJson).join(",")}]`
    : typeof value === "object" && value !== null
      ? `{${Object.keys(value).sort().filter((key) => (value as Record<string, unknown>)[key] !== undefined).map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`).join(",")}}`
      : JSON.stringify(value)

const describe = (object: KubeObject) => `${object.kind} ${object.metadata.namespace === undefined ? "" : `${object.metadata.namespace}/`}${object.metadata.name}`

export const applyIntents = (options: ApplyOptions) =>
  Effect.gen(function* () {
    const store = yield* ResourceStore
    const events = yield* EventRecorder
    const outcomes: Array<ApplyOutcome> = []
    const record = (object: KubeObject, action: ApplyAction, file?: string) =>
      outcomes.push({
        kind: object.kind,
        name: object.metadata.name,
        action,
        ...(object.metadata.namespace === undefined ? {} : { namespace: object.metadata.namespace }),
        ...(file === undefined ? {} : { file }),
      })
    const short = options.commit.slice(0, 7)

    // Issuers first, so that Certificates find them; Ingresses last, so that ingress-shim finds their Certificates.
    const rank = (intent: Intent | IngressIntent) => (intent.resource.kind === "Ingress" ? 2 : intent.resource.kind === "Certificate" ? 1 : 0)
    const ordered = [...options.accepted, ...(options.ingresses ?? [])].sort((left, right) => rank(left) - rank(right))
    const wanted = new Set<string>()
    const applyOne = (intent: Intent | IngressIntent, declared: Applicable) =>
      Effect.gen(function* () {
        const targetHash = gitHash(declared)
        const target = { ...declared, metadata: { ...declared.metadata, annotations: { ...declared.metadata.annotations, [provenance.appliedHashAnnotation]: targetHash } } } as Applicable
        const type = typeOf(target.kind)
        const existing = yield* store.get(type, keyOf(target)).pipe(Effect.option)
        if (existing._tag === "None") {
          const created = yield* store.create(type, target)
          yield* events.record(created, "Normal", "Applied", `Created from ${intent.source.file} at commit ${short}`)
          record(created, "created", intent.source.file)
          return
        }
        const current = existing.value
        if (gitHash(current) === targetHash) {
          record(current, "unchanged", intent.source.file)
          return
        }
        // Git still declares what was applied last, yet the object differs: someone edited it in the cluster.
        const drifted = current.metadata.annotations?.[provenance.appliedHashAnnotation] === targetHash
        const updated = yield* store.update(type, { ...target, metadata: { ...current.metadata, labels: target.metadata.labels ?? {}, annotations: target.metadata.annotations ?? {} } })
        if (drifted) {
          yield* events.record(updated, "Warning", "DriftReverted", `Reverted an in-cluster edit to match ${intent.source.file} at commit ${short}`)
          record(updated, "reverted", intent.source.file)
        } else {
          yield* events.record(updated, "Normal", "Applied", `Updated from ${intent.source.file} at commit ${short}`)
          record(updated, "updated", intent.source.file)
        }
      })
    for (const intent of ordered) {
      const declared = desired(intent, options)
      wanted.add(`${declared.kind}/${declared.metadata.namespace ?? ""}/${declared.metadata.name}`)
      // One object the store refuses (a missing namespace, say) must not stop the others.
      yield* applyOne(intent, declared).pipe(
        Effect.catch((error: { readonly message: string }) =>
          Effect.sync(() =>
            outcomes.push({
              kind: declared.kind,
              name: declared.metadata.name,
              action: "failed",
              file: intent.source.file,
              error: error.message,
              ...(declared.metadata.namespace === undefined ? {} : { namespace: declared.metadata.namespace }),
            }),
          ),
        ),
      )
    }

    // Prune what this source applied before and Git no longer declares, unless its file is broken right now.
    const brokenFiles = new Set(options.rejected.map((rejection) => rejection.file))
    const rejectedKeys = new Set(options.rejected.map((rejection) => `${rejection.kind ?? ""}/${rejection.namespace ?? ""}/${rejection.name ?? ""}`))
    for (const type of options.ingresses === undefined ? intentKinds : [...intentKinds, Ingresses as ResourceType<Applicable>]) {
      const managed = yield* store.list(type, { labelSelector: sourceSelector(options.source) })
      for (const object of managed) {
        const key = `${object.kind}/${object.metadata.namespace ?? ""}/${object.metadata.name}`
        if (wanted.has(key) || rejectedKeys.has(key) || brokenFiles.has(object.metadata.annotations?.[provenance.pathAnnotation] ?? "")) continue
        yield* store.delete(type, keyOf(object)).pipe(Effect.catchTag("NotFound", () => Effect.void))
        if (object.kind === "Certificate" && object.metadata.annotations?.[provenance.deleteSecretOnPrune] === "true") {
          const secretName = (object as Certificate).spec.secretName
          yield* store.delete(Secrets, { namespace: object.metadata.namespace ?? "", name: secretName }).pipe(Effect.catchTag("NotFound", () => Effect.void))
        }
        yield* Effect.logInfo("pruned", { object: describe(object), commit: short })
        record(object, "pruned")
      }
    }
    return outcomes
  })
