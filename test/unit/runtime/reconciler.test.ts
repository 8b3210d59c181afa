// The per-object reconciler runtime over the memory store.
import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect } from "effect"
import { Certificates, Secrets } from "../../../src/api/kinds.ts"
import type { Certificate } from "../../../src/api/certificate.ts"
import { done, requeueAfter, runReconciler, type ReconcileResult } from "../../../src/runtime/reconciler.ts"
import { memoryStoreLayer } from "../../../src/store/memory.ts"
import { ResourceStore } from "../../../src/store/resource-store.ts"

const certificate = (name: string, secretName = `${name}-tls`): Certificate => ({
  apiVersion: "cert-manager.io/v1",
  kind: "Certificate",
  metadata: { name, namespace: "web" },
  spec: { secretName, dnsNames: [`${name}.example.test`], issuerRef: { name: "ca" } },
})

/** Waits (real time) until `check` holds, for at most two seconds. */
const eventually = (check: () => boolean, what: string) =>
  Effect.gen(function* () {
    for (let attempt = 0; attempt < 200; attempt++) {
      if (check()) return
      yield* Effect.sleep("10 millis")
    }
    assert.fail(`timed out waiting until ${what}`)
  })

const testLayer = memoryStoreLayer

describe("runReconciler", () => {
  it.live("reconciles each object, again on change, and stops when it is deleted", () =>
    Effect.gen(function* () {
      const store = yield* ResourceStore
      const seen: Array<string> = []
      yield* runReconciler({
        name: "test",
        type: Certificates,
        reconcile: (object) => Effect.sync(() => void seen.push(`${object.metadata.name}@${object.spec.secretName}`)).pipe(Effect.as(done)),
      })
      const a = yield* store.create(Certificates, certificate("a"))
      yield* store.create(Certificates, certificate("b"))
      yield* eventually(() => seen.includes("a@a-tls") && seen.includes("b@b-tls"), "both are reconciled")
      yield* store.update(Certificates, { ...a, spec: { ...a.spec, secretName: "a-new" } })
      yield* eventually(() => seen.includes("a@a-new"), "the change is reconciled")
      yield* store.delete(Certificates, { namespace: "web", name: "a" })
      const before = seen.length
      yield* Effect.sleep("100 millis")
      assert.strictEqual(seen.length, before)
    }).pipe(Effect.scoped, Effect.provide(testLayer)),
  )

  it.live("retries a failing object with backoff while the others carry on, and a change ends the backoff", () =>
    Effect.gen(function* () {
      const store = yield* ResourceStore
      const attempts = new Map<string, number>()
      yield* runReconciler({
        name: "test",
        type: Certificates,
        backoff: (failures) => (failures === 1 ? Duration.millis(20) : Duration.hours(1)),
        reconcile: (object) =>
          Effect.gen(function* () {
            const name = object.metadata.name
            attempts.set(name, (attempts.get(name) ?? 0) + 1)
            if (object.spec.secretName === "broken") return yield* Effect.fail("bad spec")
            if (object.spec.secretName === "throws") throw new Error("a bug")
            return done
          }),
      })
      const broken = yield* store.create(Certificates, certificate("broken", "broken"))
      yield* store.create(Certificates, certificate("buggy", "throws"))
      yield* store.create(Certificates, certificate("fine"))
      yield* eventually(() => (attempts.get("broken") ?? 0) >= 2 && (attempts.get("buggy") ?? 0) >= 2, "both failing objects retried")
      assert.strictEqual(attempts.get("fine"), 1)
      // Now in a one-hour backoff: a fix must not wait for it.
      yield* Effect.sleep("50 millis")
      const stuck = attempts.get("broken")!
      yield* store.update(Certificates, { ...broken, spec: { ...broken.spec, secretName: "fixed" } })
      yield* eventually(() => attempts.get("broken") === stuck + 1, "the fix is reconciled at once")
    }).pipe(Effect.scoped, Effect.provide(testLayer)),
  )

  it.live("reconciles again after requeueAfter with no change", () =>
    Effect.gen(function* () {
      const store = yield* ResourceStore
      let passes = 0
      yield* runReconciler({
        name: "test",
        type: Certificates,
        reconcile: (): Effect.Effect<ReconcileResult> => Effect.sync(() => ++passes).pipe(Effect.as(requeueAfter("30 millis"))),
      })
      yield* store.create(Certificates, certificate("renewing"))
      yield* eventually(() => passes >= 3, "three passes")
    }).pipe(Effect.scoped, Effect.provide(testLayer)),
  )

  it.live("wakes the owner when a secondary object changes", () =>
    Effect.gen(function* () {
      const store = yield* ResourceStore
      const seen: Array<string> = []
      yield* runReconciler({
        name: "test",
        type: Certificates,
        secondaries: [
          {
            type: Secrets,
            toPrimary: (secret) => {
              const owner = secret.metadata.annotations?.["cert-manager.io/certificate-name"]
              return owner === undefined ? [] : [{ namespace: secret.metadata.namespace!, name: owner }]
            },
          },
        ],
        reconcile: (object) => Effect.sync(() => void seen.push(object.metadata.name)).pipe(Effect.as(done)),
      })
      yield* store.create(Certificates, certificate("owner"))
      yield* eventually(() => seen.length === 1, "the first pass")
      yield* store.create(Secrets, {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "owner-tls", namespace: "web", annotations: { "cert-manager.io/certificate-name": "owner" } },
      })
      yield* eventually(() => seen.length === 2, "the Secret wakes its Certificate")
    }).pipe(Effect.scoped, Effect.provide(testLayer)),
  )

  it.live("reconciles at most maxConcurrentReconciles objects at once, and every one of them", () =>
    Effect.gen(function* () {
      const store = yield* ResourceStore
      let running = 0
      let most = 0
      const finished = new Set<string>()
      yield* runReconciler(
        {
          name: "test",
          type: Certificates,
          reconcile: (object) =>
            Effect.gen(function* () {
              running++
              most = Math.max(most, running)
              yield* Effect.sleep("20 millis")
              running--
              finished.add(object.metadata.name)
              return done
            }),
        },
        { maxConcurrentReconciles: 3 },
      )
      for (let index = 0; index < 30; index++) yield* store.create(Certificates, certificate(`c${index}`))
      yield* eventually(() => finished.size === 30, "all 30 are reconciled")
      assert.strictEqual(most, 3)
    }).pipe(Effect.scoped, Effect.provide(testLayer)),
  )
})
