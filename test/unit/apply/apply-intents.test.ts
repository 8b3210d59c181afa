// Applying intent sets to the memory store: create, update, drift revert,
// prune (keeping the Secret unless asked), and broken files left alone.
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import type { Certificate } from "../../../src/api/certificate.ts"
import { Certificates, Events, Secrets } from "../../../src/api/kinds.ts"
import { applyIntents } from "../../../src/apply/apply-intents.ts"
import { provenance } from "../../../src/apply/provenance.ts"
import type { Intent } from "../../../src/intents/intent-set.ts"
import { eventRecorderLayer } from "../../../src/store/event-recorder.ts"
import { memoryStoreLayer } from "../../../src/store/memory.ts"
import { ResourceStore } from "../../../src/store/resource-store.ts"

const layer = Layer.provideMerge(eventRecorderLayer, memoryStoreLayer)
const source = { repository: "https://git.example/platform/certs.git", directory: "clusters/prod" }

const certificateIntent = (name: string, dnsName: string, file = `web/${name}.yaml`, annotations?: Record<string, string>): Intent => ({
  resource: {
    apiVersion: "cert-manager.io/v1",
    kind: "Certificate",
    metadata: { name, namespace: "web", ...(annotations === undefined ? {} : { annotations }) },
    spec: { secretName: `${name}-tls`, dnsNames: [dnsName], issuerRef: { name: "ca" } },
  },
  source: { file, documentIndex: 0, line: 1 },
})

const issuerIntent: Intent = {
  resource: { apiVersion: "cert-manager.io/v1", kind: "Issuer", metadata: { name: "ca", namespace: "web" }, spec: { ca: { secretName: "root" } } },
  source: { file: "web/issuer.yaml", documentIndex: 0, line: 1 },
}

const actions = (outcomes: ReadonlyArray<{ kind: string; name: string; action: string }>) => outcomes.map((o) => `${o.action} ${o.kind}/${o.name}`).sort()

describe("applyIntents", () => {
  it.effect("creates with provenance, updates on a new commit, leaves unchanged objects alone", () =>
    Effect.gen(function* () {
      const store = yield* ResourceStore
      const first = yield* applyIntents({ source, commit: "a".repeat(40), accepted: [issuerIntent, certificateIntent("site", "site.example.com")], rejected: [] })
      assert.deepStrictEqual(actions(first), ["created Certificate/site", "created Issuer/ca"])
      const site = yield* store.get(Certificates, { namespace: "web", name: "site" })
      assert.strictEqual(site.metadata.labels?.[provenance.managedLabel], "true")
      assert.strictEqual(site.metadata.labels?.[provenance.commitLabel], "a".repeat(40))
      assert.strictEqual(site.metadata.annotations?.[provenance.pathAnnotation], "web/site.yaml")
      assert.strictEqual(site.metadata.annotations?.[provenance.repositoryAnnotation], source.repository)

      const second = yield* applyIntents({ source, commit: "b".repeat(40), accepted: [issuerIntent, certificateIntent("site", "www.example.com")], rejected: [] })
      assert.deepStrictEqual(actions(second), ["unchanged Issuer/ca", "updated Certificate/site"])
      const updated = yield* store.get(Certificates, { namespace: "web", name: "site" })
      assert.deepStrictEqual(updated.spec.dnsNames, ["www.example.com"])
      assert.strictEqual(updated.metadata.annotations?.[provenance.commitAnnotation], "b".repeat(40))
      const third = yield* applyIntents({ source, commit: "b".repeat(40), accepted: [issuerIntent, certificateIntent("site", "www.example.com")], rejected: [] })
      assert.deepStrictEqual(actions(third), ["unchanged Certificate/site", "unchanged Issuer/ca"])
    }).pipe(Effect.provide(layer)),
  )

  it.effect("reverts an in-cluster edit of a managed object and says so in an Event", () =>
    Effect.gen(function* () {
      const store = yield* ResourceStore
      const commit = "c".repeat(40)
      yield* applyIntents({ source, commit, accepted: [certificateIntent("site", "site.example.com")], rejected: [] })
      const current = yield* store.get(Certificates, { namespace: "web", name: "site" })
      yield* store.update(Certificates, { ...current, spec: { ...current.spec, dnsNames: ["hijacked.example.org"] } } as Certificate)
      // Also on a later commit that leaves this intent as it was.
      const outcomes = yield* applyIntents({ source, commit: "9".repeat(40), accepted: [certificateIntent("site", "site.example.com")], rejected: [] })
      assert.deepStrictEqual(actions(outcomes), ["reverted Certificate/site"])
      assert.deepStrictEqual((yield* store.get(Certificates, { namespace: "web", name: "site" })).spec.dnsNames, ["site.example.com"])
      const drift = (yield* store.list(Events, { namespace: "web" })).filter((event) => event.reason === "DriftReverted")
      assert.strictEqual(drift.length, 1)
      assert.include(drift[0]?.message ?? "", "web/site.yaml")
    }).pipe(Effect.provide(layer)),
  )

  it.effect("prunes what left Git, keeping the Secret unless the intent asked otherwise", () =>
    Effect.gen(function* () {
      const store = yield* ResourceStore
      yield* applyIntents({
        source,
        commit: "d".repeat(40),
        accepted: [certificateIntent("keep", "keep.example.com"), certificateIntent("purge", "purge.example.com", undefined, { [provenance.deleteSecretOnPrune]: "true" }), certificateIntent("stay", "stay.example.com")],
        rejected: [],
      })
      for (const name of ["keep", "purge"]) {
        yield* store.create(Secrets, { apiVersion: "v1", kind: "Secret", metadata: { name: `${name}-tls`, namespace: "web" }, data: {} })
      }
      const outcomes = yield* applyIntents({ source, commit: "e".repeat(40), accepted: [certificateIntent("stay", "stay.example.com")], rejected: [] })
      assert.deepStrictEqual(actions(outcomes), ["pruned Certificate/keep", "pruned Certificate/purge", "unchanged Certificate/stay"])
      assert.deepStrictEqual((yield* store.list(Certificates, { namespace: "web" })).map((c) => c.metadata.name), ["stay"])
      assert.deepStrictEqual((yield* store.list(Secrets, { namespace: "web" })).map((s) => s.metadata.name), ["keep-tls"])
    }).pipe(Effect.provide(layer)),
  )

  it.effect("neither prunes nor touches an object whose file is broken now, nor objects of another source", () =>
    Effect.gen(function* () {
      const store = yield* ResourceStore
      yield* applyIntents({ source, commit: "f".repeat(40), accepted: [certificateIntent("fragile", "fragile.example.com")], rejected: [] })
      const other = { repository: "https://git.example/other.git", directory: "" }
      yield* applyIntents({ source: other, commit: "1".repeat(40), accepted: [certificateIntent("theirs", "theirs.example.com", "theirs.yaml")], rejected: [] })
      const outcomes = yield* applyIntents({
        source,
        commit: "2".repeat(40),
        accepted: [],
        rejected: [{ file: "web/fragile.yaml", line: 3, rule: "yaml-syntax", message: "bad indentation" }],
      })
      assert.deepStrictEqual(outcomes, [])
      assert.deepStrictEqual((yield* store.list(Certificates, { namespace: "web" })).map((c) => c.metadata.name).sort(), ["fragile", "theirs"])
    }).pipe(Effect.provide(layer)),
  )

  it.effect("goes on with the others when the store refuses one object, and says why", () =>
    Effect.gen(function* () {
      const store = yield* ResourceStore
      const refused = certificateIntent("Not_Valid", "refused.example.com", "web/refused.yaml")
      const outcomes = yield* applyIntents({ source, commit: "3".repeat(40), accepted: [refused, certificateIntent("fine", "fine.example.com")], rejected: [] })
      const failed = outcomes.find((outcome) => outcome.action === "failed")
      assert.strictEqual(failed?.file, "web/refused.yaml")
      assert.match(failed?.error ?? "", /metadata\.name/)
      assert.deepStrictEqual((yield* store.list(Certificates, { namespace: "web" })).map((c) => c.metadata.name), ["fine"])
    }).pipe(Effect.provide(layer)),
  )
})
