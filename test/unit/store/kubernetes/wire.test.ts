// Reading the API server's JSON: list pages, watch lines, DELETE answers.
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { Certificates, Secrets } from "../../../../src/api/kinds.ts"
import { collectionPath, objectPath } from "../../../../src/store/kubernetes/paths.ts"
import { decodeDeleteAnswer, decodeListPage, decodeWatchMessage } from "../../../../src/store/kubernetes/wire.ts"

const item = { metadata: { name: "site", namespace: "web", resourceVersion: "7", managedFields: [{ manager: "kubectl" }] }, spec: { secretName: "site-tls" } }

describe("wire", () => {
  it("builds paths for core and grouped kinds", () => {
    assert.strictEqual(collectionPath(Secrets, "web"), "/api/v1/namespaces/web/secrets")
    assert.strictEqual(collectionPath(Certificates), "/apis/cert-manager.io/v1/certificates")
    assert.strictEqual(objectPath(Certificates, { namespace: "web", name: "site" }, "status"), "/apis/cert-manager.io/v1/namespaces/web/certificates/site/status")
  })

  it.effect("gives list items their apiVersion and kind, without managedFields", () =>
    Effect.gen(function* () {
      const page = yield* decodeListPage(Certificates, { kind: "CertificateList", metadata: { resourceVersion: "9", continue: "" }, items: [item] })
      assert.deepStrictEqual<unknown>(page, {
        resourceVersion: "9",
        items: [{ apiVersion: "cert-manager.io/v1", kind: "Certificate", metadata: { name: "site", namespace: "web", resourceVersion: "7" }, spec: { secretName: "site-tls" } }],
      })
      const next = yield* decodeListPage(Certificates, { metadata: { resourceVersion: "9", continue: "token" }, items: [] })
      assert.strictEqual(next.continue, "token")
    }),
  )

  it.effect("reads watch lines: changes, bookmarks, and an ERROR as a failure", () =>
    Effect.gen(function* () {
      const added = yield* decodeWatchMessage(Certificates, { type: "ADDED", object: item })
      assert.strictEqual(added.type === "ADDED" && added.object.kind, "Certificate")
      const bookmark = yield* decodeWatchMessage(Certificates, { type: "BOOKMARK", object: { kind: "Certificate", metadata: { resourceVersion: "12" } } })
      assert.deepStrictEqual(bookmark, { type: "BOOKMARK", resourceVersion: "12" })
      const expired = yield* decodeWatchMessage(Certificates, { type: "ERROR", object: { kind: "Status", code: 410, reason: "Expired", message: "too old" } }).pipe(Effect.flip)
      assert.deepInclude(expired, { status: 410, reason: "Expired" })
      const garbage = yield* decodeWatchMessage(Certificates, { type: "SOMETHING" }).pipe(Effect.flip)
      assert.strictEqual(garbage.reason, "MalformedResponse")
    }),
  )

  it.effect("tells a finished delete from one waiting on finalizers", () =>
    Effect.gen(function* () {
      const gone = yield* decodeDeleteAnswer(Secrets, { kind: "Status", apiVersion: "v1", status: "Success", details: { name: "s", kind: "secrets", uid: "u1" } })
      assert.deepStrictEqual(gone, { deleted: true, uid: "u1" })
      const lingering = yield* decodeDeleteAnswer(Certificates, { ...item, metadata: { ...item.metadata, uid: "u2", deletionTimestamp: "2026-01-01T00:00:00Z" } })
      assert.isFalse(lingering.deleted)
      const legacy = yield* decodeDeleteAnswer(Certificates, { ...item, metadata: { ...item.metadata, uid: "u3" } })
      assert.deepStrictEqual(legacy, { deleted: true, uid: "u3" })
    }),
  )
})
