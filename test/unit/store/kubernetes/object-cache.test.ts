// The informer cache's rules for changes that arrive twice (from certops'
// own write and from the watch) or out of step (a relist after a 410).
import { assert, describe, it } from "@effect/vitest"
import type { KubeObject } from "../../../../src/api/meta.ts"
import { isNewer, makeObjectCache } from "../../../../src/store/kubernetes/object-cache.ts"
import type { Change } from "../../../../src/store/kubernetes/selection.ts"

const object = (name: string, resourceVersion: string, uid = `uid-${name}`, labels: Record<string, string> = {}): KubeObject => ({
  apiVersion: "cert-manager.io/v1",
  kind: "Certificate",
  metadata: { name, namespace: "web", uid, resourceVersion, labels },
})

const key = (name: string) => ({ namespace: "web", name })
const describeChange = (change: Change | undefined) =>
  change === undefined ? "none" : `${change.type} ${change.object.metadata.name}@${change.object.metadata.resourceVersion}`

describe("object cache", () => {
  it("compares resource versions as integers", () => {
    assert.isTrue(isNewer(object("a", "10"), object("a", "9")))
    assert.isFalse(isNewer(object("a", "9"), object("a", "10")))
    assert.isFalse(isNewer(object("a", "10"), object("a", "10")))
    // Not a revision: any difference counts, since reapplying is harmless.
    assert.isTrue(isNewer(object("a", "x"), object("a", "y")))
  })

  it("applies a write at once and ignores the watch's later report of it", () => {
    const cache = makeObjectCache()
    assert.strictEqual(describeChange(cache.upsert(object("a", "5"))), "ADDED a@5")
    assert.strictEqual(describeChange(cache.upsert(object("a", "6"))), "MODIFIED a@6")
    // The watch now delivers both, late.
    assert.strictEqual(describeChange(cache.upsert(object("a", "5"))), "none")
    assert.strictEqual(describeChange(cache.upsert(object("a", "6"))), "none")
    assert.strictEqual(cache.get(key("a"))?.metadata.resourceVersion, "6")
  })

  it("reports a deletion with the object before it", () => {
    const cache = makeObjectCache()
    cache.upsert(object("a", "5"))
    const change = cache.remove(object("a", "7"))
    assert.strictEqual(describeChange(change), "DELETED a@7")
    assert.strictEqual(change?.previous?.metadata.resourceVersion, "5")
    assert.isUndefined(cache.get(key("a")))
    assert.strictEqual(describeChange(cache.remove(object("a", "7"))), "none")
  })

  it("does not let the watch bring back an object certops deleted", () => {
    const cache = makeObjectCache()
    cache.upsert(object("a", "5"))
    cache.deleting(key("a"), "uid-a")
    assert.strictEqual(describeChange(cache.forget(key("a"), "uid-a")), "DELETED a@5")
    // The watch catches up: the creation and an update, then the deletion.
    assert.strictEqual(describeChange(cache.upsert(object("a", "5"))), "none")
    assert.strictEqual(describeChange(cache.upsert(object("a", "6"))), "none")
    assert.strictEqual(describeChange(cache.remove(object("a", "7"))), "none")
    // A new object of the same name is news again.
    assert.strictEqual(describeChange(cache.upsert(object("a", "8", "uid-a2"))), "ADDED a@8")
  })

  it("ignores a deletion of an older object once a newer one of that name is cached", () => {
    const cache = makeObjectCache()
    cache.upsert(object("a", "9", "uid-new"))
    assert.strictEqual(describeChange(cache.remove(object("a", "7", "uid-old"))), "none")
    assert.strictEqual(cache.get(key("a"))?.metadata.uid, "uid-new")
  })

  it("evicts an object certops' write took out of the cache's selection, until newer news", () => {
    const cache = makeObjectCache()
    cache.upsert(object("a", "5"))
    assert.strictEqual(describeChange(cache.evict(object("a", "6"))), "DELETED a@6")
    assert.strictEqual(describeChange(cache.upsert(object("a", "5"))), "none")
    assert.strictEqual(describeChange(cache.upsert(object("a", "6"))), "none")
    // Someone puts it back into the selection later.
    assert.strictEqual(describeChange(cache.upsert(object("a", "9"))), "ADDED a@9")
  })

  it("keeps no record of writes to objects it never held (unmanaged Secrets)", () => {
    const cache = makeObjectCache()
    assert.strictEqual(describeChange(cache.evict(object("a", "6"))), "none")
    assert.strictEqual(describeChange(cache.upsert(object("a", "5"))), "ADDED a@5")
  })

  it("replaces its contents with a relist, keeping writes newer than the list", () => {
    const cache = makeObjectCache()
    cache.upsert(object("kept", "3"))
    cache.upsert(object("changed", "4"))
    cache.upsert(object("gone", "5"))
    cache.upsert(object("written-after-list", "30"))
    const changes = cache.replace([object("kept", "3"), object("changed", "12"), object("new", "15")], "20")
    assert.deepStrictEqual(changes.map(describeChange), ["MODIFIED changed@12", "ADDED new@15", "DELETED gone@5"])
    assert.deepStrictEqual([...cache.values()].map((o) => o.metadata.name).sort(), ["changed", "kept", "new", "written-after-list"])
  })

  it("keeps out of a relist what certops deleted after the list was taken", () => {
    const cache = makeObjectCache()
    cache.upsert(object("a", "5"))
    cache.deleting(key("a"), "uid-a")
    cache.forget(key("a"), "uid-a")
    assert.deepStrictEqual(cache.replace([object("a", "5")], "6").map(describeChange), [])
    assert.isUndefined(cache.get(key("a")))
  })
})
