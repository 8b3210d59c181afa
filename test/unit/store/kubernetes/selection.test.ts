// Selections: which cache can answer a request, and what a filtered watch is told.
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import type { KubeObject } from "../../../../src/api/meta.ts"
import { cacheScopeOf, managedByCertops, managedByLabel } from "../../../../src/store/kubernetes/cache-scope.ts"
import { Certificates, Secrets } from "../../../../src/api/kinds.ts"
import { covers, everything, selectionOf, watchEventFor } from "../../../../src/store/kubernetes/selection.ts"

const object = (labels: Record<string, string>, namespace = "web"): KubeObject => ({
  apiVersion: "v1",
  kind: "Secret",
  metadata: { name: "s", namespace, labels },
})

const select = (labelSelector?: string, namespace?: string) =>
  Effect.runSync(selectionOf({ ...(labelSelector === undefined ? {} : { labelSelector }), ...(namespace === undefined ? {} : { namespace }) }))

describe("selection", () => {
  it("parses a selector once; a malformed one is a defect, as in the other backends", () => {
    assert.deepStrictEqual(select("tier in (web, db)", "web").requirements, [{ op: "in", key: "tier", values: ["web", "db"] }])
    assert.deepStrictEqual(select("  "), everything)
    assert.isTrue(Exit.hasDies(Effect.runSyncExit(selectionOf({ labelSelector: "a in (" }))))
  })

  it("lets the managed-Secret cache answer only requests that select managed Secrets", () => {
    const managed = cacheScopeOf(Secrets)
    assert.isTrue(covers(managed, select(`${managedByLabel}=${managedByCertops}`, "web")))
    assert.isTrue(covers(managed, select(`tier=web,${managedByLabel}==${managedByCertops}`)))
    assert.isFalse(covers(managed, select("tier=web")))
    assert.isFalse(covers(managed, select(`${managedByLabel}!=${managedByCertops}`)))
    assert.isFalse(covers(managed, select(`${managedByLabel} in (${managedByCertops}, other)`)))
    assert.isTrue(covers(cacheScopeOf(Certificates), select("anything=at-all", "any")))
  })

  it("tells a filtered watch about objects entering and leaving its selection", () => {
    const web = select("tier=web", "web")
    const inside = object({ tier: "web" })
    const outside = object({ tier: "db" })
    assert.strictEqual(watchEventFor(web, { type: "ADDED", object: inside })?.type, "ADDED")
    assert.isUndefined(watchEventFor(web, { type: "ADDED", object: outside }))
    assert.strictEqual(watchEventFor(web, { type: "MODIFIED", object: inside, previous: inside })?.type, "MODIFIED")
    assert.strictEqual(watchEventFor(web, { type: "MODIFIED", object: inside, previous: outside })?.type, "ADDED")
    assert.strictEqual(watchEventFor(web, { type: "MODIFIED", object: outside, previous: inside })?.type, "DELETED")
    assert.isUndefined(watchEventFor(web, { type: "MODIFIED", object: outside, previous: outside }))
    // A deletion counts for the watcher who had the object, whatever its final labels.
    assert.strictEqual(watchEventFor(web, { type: "DELETED", object: outside, previous: inside })?.type, "DELETED")
    assert.isUndefined(watchEventFor(web, { type: "DELETED", object: inside, previous: object({ tier: "web" }, "other") }))
  })
})
