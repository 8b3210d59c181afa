// The ResourceStore contract: one suite, run unchanged against every backend.
import { assert, describe, layer } from "@effect/vitest"
import { Chunk, Effect, Fiber, Layer, Stream } from "effect"
import * as kinds from "../../src/api/kinds.ts"
import type { KubeObject } from "../../src/api/meta.ts"
import type { ResourceType } from "../../src/api/resource-type.ts"
import { EventRecorder, eventRecorderLayer } from "../../src/store/event-recorder.ts"
import { ResourceStore, type WatchEvent } from "../../src/store/resource-store.ts"

export interface ContractHarness {
  /** A store layer; built once for the suite. */
  readonly layer: Layer.Layer<ResourceStore, unknown>
  /** A namespace that exists in the backend (created by the harness where that matters). */
  readonly namespace: string
  /** How long to wait for a watch event (a real API server is slower than memory). */
  readonly watchTimeout?: string
}

type Certificate = KubeObject & {
  readonly spec: { readonly secretName: string; readonly dnsNames: ReadonlyArray<string>; readonly issuerRef: { readonly name: string } }
  readonly status?: { readonly conditions?: ReadonlyArray<{ readonly type: string; readonly status: string; readonly reason?: string }> }
}

// The contract needs only the fields it writes, so it addresses the kinds
// through its own narrow types rather than the full API types.
const Certificates = kinds.Certificates as unknown as ResourceType<Certificate>
const { ClusterIssuers, Events, Secrets } = kinds

let counter = 0
const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${(counter++).toString(36)}`

const certificate = (namespace: string, name = unique("cert"), labels: Record<string, string> = {}): Certificate => ({
  apiVersion: "cert-manager.io/v1",
  kind: "Certificate",
  metadata: { name, namespace, labels },
  spec: { secretName: `${name}-tls`, dnsNames: [`${name}.example.test`], issuerRef: { name: "ca" } },
})

const ready = { conditions: [{ type: "Ready", status: "True", reason: "Ready", message: "issued", lastTransitionTime: "2026-01-01T00:00:00Z" }] }

/** Collects `count` watch events, failing the test if they do not come in time. */
const collect = <A>(stream: Stream.Stream<WatchEvent<A>, unknown>, count: number, timeout: string) =>
  stream.pipe(
    Stream.take(count),
    Stream.runCollect,
    Effect.map((events) => Chunk.toReadonlyArray(Chunk.fromIterable(events))),
    Effect.timeoutOrElse({ duration: timeout as "1 second", orElse: () => Effect.die(new Error(`fewer than ${count} watch events within ${timeout}`)) }),
  )

const summary = (events: ReadonlyArray<WatchEvent<KubeObject>>) => events.map((event) => `${event.type} ${event.object.metadata.name}`)

// Live clock throughout: a real API server and a watch need real time.
export const storeContract = (backend: string, harness: () => ContractHarness) => {
  const { layer: storeLayer, namespace, watchTimeout = "10 seconds" } = harness()
  const fullLayer = Layer.provideMerge(eventRecorderLayer, storeLayer)

  layer(fullLayer, { timeout: "60 seconds", excludeTestServices: true })(`ResourceStore contract: ${backend}`, (it) => {
    describe("create and get", () => {
      it.effect("sets server fields and drops status given on create", () =>
        Effect.gen(function* () {
          const store = yield* ResourceStore
          const stored = yield* store.create(Certificates, { ...certificate(namespace), status: ready })
          assert.match(stored.metadata.uid ?? "", /.+/)
          assert.match(stored.metadata.resourceVersion ?? "", /^\d+$/)
          assert.match(stored.metadata.creationTimestamp ?? "", /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
          assert.strictEqual(stored.metadata.generation, 1)
          assert.isUndefined((stored as Certificate).status)
          const read = (yield* store.get(Certificates, { namespace, name: stored.metadata.name })) as Certificate
          assert.deepStrictEqual(read.spec, (stored as Certificate).spec)
          assert.strictEqual(read.metadata.resourceVersion, stored.metadata.resourceVersion)
        }),
      )

      it.effect("refuses a second object with the same name", () =>
        Effect.gen(function* () {
          const store = yield* ResourceStore
          const object = certificate(namespace)
          yield* store.create(Certificates, object)
          const error = yield* store.create(Certificates, object).pipe(Effect.flip)
          assert.strictEqual(error._tag, "AlreadyExists")
        }),
      )

      it.effect("answers NotFound for a missing object", () =>
        Effect.gen(function* () {
          const store = yield* ResourceStore
          const error = yield* store.get(Certificates, { namespace, name: unique("missing") }).pipe(Effect.flip)
          assert.strictEqual(error._tag, "NotFound")
        }),
      )

      it.effect("refuses a malformed name", () =>
        Effect.gen(function* () {
          const store = yield* ResourceStore
          const error = yield* store.create(Certificates, certificate(namespace, "Not_A_Name")).pipe(Effect.flip)
          assert.strictEqual(error._tag, "Invalid")
        }),
      )
    })

    describe("optimistic concurrency", () => {
      it.effect("update bumps resourceVersion and generation; a stale update is a Conflict", () =>
        Effect.gen(function* () {
          const store = yield* ResourceStore
          const first = (yield* store.create(Certificates, certificate(namespace))) as Certificate
          const changed = { ...first, spec: { ...first.spec, dnsNames: ["changed.example.test"] } }
          const second = (yield* store.update(Certificates, changed)) as Certificate
          assert.notStrictEqual(second.metadata.resourceVersion, first.metadata.resourceVersion)
          assert.strictEqual(second.metadata.generation, 2)
          assert.deepStrictEqual(second.spec.dnsNames, ["changed.example.test"])

          const stale = yield* store.update(Certificates, { ...changed, spec: { ...changed.spec, dnsNames: ["stale.example.test"] } }).pipe(Effect.flip)
          assert.strictEqual(stale._tag, "Conflict")
          const read = (yield* store.get(Certificates, { namespace, name: first.metadata.name })) as Certificate
          assert.deepStrictEqual(read.spec.dnsNames, ["changed.example.test"])
        }),
      )

      it.effect("an update that changes nothing keeps the resourceVersion", () =>
        Effect.gen(function* () {
          const store = yield* ResourceStore
          const first = yield* store.create(Certificates, certificate(namespace))
          const again = yield* store.update(Certificates, first)
          assert.strictEqual(again.metadata.resourceVersion, first.metadata.resourceVersion)
          assert.strictEqual(again.metadata.generation, 1)
        }),
      )

      it.effect("a stale status update and a stale delete are Conflicts", () =>
        Effect.gen(function* () {
          const store = yield* ResourceStore
          const first = (yield* store.create(Certificates, certificate(namespace))) as Certificate
          yield* store.updateStatus(Certificates, { ...first, status: ready })
          const staleStatus = yield* store.updateStatus(Certificates, { ...first, status: { conditions: [] } }).pipe(Effect.flip)
          assert.strictEqual(staleStatus._tag, "Conflict")
          const staleDelete = yield* store
            .delete(Certificates, { namespace, name: first.metadata.name }, { resourceVersion: first.metadata.resourceVersion! })
            .pipe(Effect.flip)
          assert.strictEqual(staleDelete._tag, "Conflict")
        }),
      )
    })

    describe("status subresource", () => {
      it.effect("update ignores status; updateStatus changes only status", () =>
        Effect.gen(function* () {
          const store = yield* ResourceStore
          const first = (yield* store.create(Certificates, certificate(namespace))) as Certificate
          const viaUpdate = (yield* store.update(Certificates, { ...first, metadata: { ...first.metadata, labels: { touched: "yes" } }, status: ready })) as Certificate
          assert.isUndefined(viaUpdate.status)
          assert.strictEqual(viaUpdate.metadata.labels?.["touched"], "yes")

          const withStatus = (yield* store.updateStatus(Certificates, {
            ...viaUpdate,
            spec: { ...viaUpdate.spec, dnsNames: ["ignored.example.test"] },
            status: ready,
          })) as Certificate
          assert.deepStrictEqual(withStatus.status?.conditions?.[0]?.status, "True")
          assert.deepStrictEqual(withStatus.spec.dnsNames, first.spec.dnsNames)
          assert.strictEqual(withStatus.metadata.generation, 1)
        }),
      )
    })

    describe("merge patch", () => {
      it.effect("adds and removes fields; a resourceVersion in the patch is a precondition", () =>
        Effect.gen(function* () {
          const store = yield* ResourceStore
          const first = yield* store.create(Certificates, certificate(namespace, unique("patch"), { keep: "1", drop: "1" }))
          const key = { namespace, name: first.metadata.name }
          const patched = (yield* store.patch(Certificates, key, { metadata: { labels: { drop: null, added: "yes" } }, spec: { secretName: "patched-tls" } })) as Certificate
          assert.deepStrictEqual(patched.metadata.labels, { keep: "1", added: "yes" })
          assert.strictEqual(patched.spec.secretName, "patched-tls")
          assert.deepStrictEqual(patched.spec.issuerRef, { name: "ca" })

          const status = (yield* store.patch(Certificates, key, { status: ready }, { subresource: "status" })) as Certificate
          assert.strictEqual(status.status?.conditions?.[0]?.type, "Ready")

          const stale = yield* store.patch(Certificates, key, { metadata: { resourceVersion: first.metadata.resourceVersion }, spec: { secretName: "x" } }).pipe(Effect.flip)
          assert.strictEqual(stale._tag, "Conflict")
        }),
      )
    })

    describe("delete", () => {
      it.effect("removes the object", () =>
        Effect.gen(function* () {
          const store = yield* ResourceStore
          const first = yield* store.create(Certificates, certificate(namespace))
          yield* store.delete(Certificates, { namespace, name: first.metadata.name })
          const error = yield* store.get(Certificates, { namespace, name: first.metadata.name }).pipe(Effect.flip)
          assert.strictEqual(error._tag, "NotFound")
          const again = yield* store.delete(Certificates, { namespace, name: first.metadata.name }).pipe(Effect.flip)
          assert.strictEqual(again._tag, "NotFound")
        }),
      )
    })

    describe("label selection", () => {
      it.effect("lists by equality and set-based selectors", () =>
        Effect.gen(function* () {
          const store = yield* ResourceStore
          const run = unique("sel")
          yield* store.create(Certificates, certificate(namespace, `${run}-a`, { run, tier: "web" }))
          yield* store.create(Certificates, certificate(namespace, `${run}-b`, { run, tier: "db" }))
          yield* store.create(Certificates, certificate(namespace, `${run}-c`, { run, tier: "web", canary: "true" }))
          const names = (selector: string) =>
            store.list(Certificates, { namespace, labelSelector: `run=${run},${selector}` }).pipe(Effect.map((items) => items.map((item) => item.metadata.name).sort()))
          assert.deepStrictEqual(yield* names("tier=web"), [`${run}-a`, `${run}-c`])
          assert.deepStrictEqual(yield* names("tier!=web"), [`${run}-b`])
          assert.deepStrictEqual(yield* names("tier in (db,cache)"), [`${run}-b`])
          assert.deepStrictEqual(yield* names("tier notin (db)"), [`${run}-a`, `${run}-c`])
          assert.deepStrictEqual(yield* names("canary"), [`${run}-c`])
          assert.deepStrictEqual(yield* names("!canary"), [`${run}-a`, `${run}-b`])
        }),
      )
    })

    describe("watch", () => {
      it.effect("starts with what exists, then delivers changes in order", () =>
        Effect.gen(function* () {
          const store = yield* ResourceStore
          const run = unique("watch")
          const labelSelector = `run=${run}`
          const existing = yield* store.create(Certificates, certificate(namespace, `${run}-0`, { run }))
          const events = yield* Effect.forkChild(collect(store.watch(Certificates, { namespace, labelSelector }), 5, watchTimeout))
          // The watch must be established before the writes; its first event proves it.
          yield* Effect.sleep("500 millis")
          const second = (yield* store.create(Certificates, certificate(namespace, `${run}-1`, { run }))) as Certificate
          yield* store.updateStatus(Certificates, { ...second, status: ready })
          yield* store.delete(Certificates, { namespace, name: existing.metadata.name })
          // Leaving the selection is seen as a deletion.
          yield* store.patch(Certificates, { namespace, name: second.metadata.name }, { metadata: { labels: { run: "elsewhere" } } })
          const seen = yield* Fiber.join(events)
          assert.deepStrictEqual(summary(seen), [
            `ADDED ${run}-0`,
            `ADDED ${run}-1`,
            `MODIFIED ${run}-1`,
            `DELETED ${run}-0`,
            `DELETED ${run}-1`,
          ])
          const versions = seen.slice(1).map((event) => BigInt(event.object.metadata.resourceVersion ?? "0"))
          assert.deepStrictEqual(versions, [...versions].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)))
        }),
        30_000,
      )
    })

    describe("owner references", () => {
      it.effect("are kept on the dependent object", () =>
        Effect.gen(function* () {
          const store = yield* ResourceStore
          const owner = yield* store.create(Certificates, certificate(namespace))
          const secret = yield* store.create(Secrets, {
            apiVersion: "v1" as const,
            kind: "Secret" as const,
            metadata: {
              name: unique("owned"),
              namespace,
              ownerReferences: [{ apiVersion: "cert-manager.io/v1", kind: "Certificate", name: owner.metadata.name, uid: owner.metadata.uid!, controller: true, blockOwnerDeletion: true }],
            },
            type: "kubernetes.io/tls",
            data: { "tls.crt": "", "tls.key": "" },
          })
          const read = yield* store.get(Secrets, { namespace, name: secret.metadata.name })
          assert.strictEqual(read.metadata.ownerReferences?.[0]?.uid, owner.metadata.uid)
          assert.strictEqual(read.metadata.ownerReferences?.[0]?.controller, true)
          assert.strictEqual(read.type, "kubernetes.io/tls")
        }),
      )
    })

    describe("events", () => {
      it.effect("records an event and counts repeats of it", () =>
        Effect.gen(function* () {
          const store = yield* ResourceStore
          const recorder = yield* EventRecorder
          const object = yield* store.create(Certificates, certificate(namespace))
          yield* recorder.record(object, "Normal", "Issuing", "Issuing certificate as Secret does not exist")
          yield* recorder.record(object, "Normal", "Issuing", "Issuing certificate as Secret does not exist")
          yield* recorder.record(object, "Normal", "Issuing", "Issuing certificate as Secret does not exist")
          yield* recorder.record(object, "Warning", "Failed", "The certificate request has failed to complete")
          const events = (yield* store.list(Events, { namespace })).filter((event) => event.involvedObject.uid === object.metadata.uid)
          const byReason = Object.fromEntries(events.map((event) => [event.reason, event]))
          assert.strictEqual(events.length, 2)
          assert.strictEqual(byReason["Issuing"]?.count, 3)
          assert.strictEqual(byReason["Issuing"]?.type, "Normal")
          assert.strictEqual(byReason["Failed"]?.count, 1)
          assert.strictEqual(byReason["Failed"]?.type, "Warning")
          assert.strictEqual(byReason["Failed"]?.involvedObject.kind, "Certificate")
          assert.strictEqual(byReason["Failed"]?.source?.component, "certops")
        }),
      )

      it.effect("puts a cluster-scoped object's events in the default namespace", () =>
        Effect.gen(function* () {
          const store = yield* ResourceStore
          const recorder = yield* EventRecorder
          const issuer = yield* store.create(ClusterIssuers, {
            apiVersion: "cert-manager.io/v1" as const,
            kind: "ClusterIssuer" as const,
            metadata: { name: unique("issuer") },
            spec: { selfSigned: {} },
          })
          yield* recorder.record(issuer, "Normal", "KeyPairVerified", "Signing CA verified")
          const events = yield* store.list(Events, { namespace: "default" })
          const mine = events.filter((event) => event.involvedObject.uid === issuer.metadata.uid)
          assert.strictEqual(mine.length, 1)
          assert.strictEqual(mine[0]?.involvedObject.kind, "ClusterIssuer")
        }),
      )
    })
  })
}
