// The embedded backend: the contract, persistence across restarts, and the
// Secret files a host program reads.
import { mkdtempSync, readFileSync, readdirSync, statSync, existsSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { Certificates, Secrets } from "../../../src/api/kinds.ts"
import { embeddedStoreLayer, makeEmbeddedStore } from "../../../src/store/embedded/embedded-store.ts"
import { storeContract } from "../../support/store-contract.ts"

const stateDir = () => mkdtempSync(join(tmpdir(), "certops-embedded-"))

storeContract("embedded", () => ({ layer: embeddedStoreLayer(stateDir()), namespace: "contract" }))

const certificate = (name: string) => ({
  apiVersion: "cert-manager.io/v1" as const,
  kind: "Certificate" as const,
  metadata: { name, namespace: "web" },
  spec: { secretName: `${name}-tls`, dnsNames: [`${name}.example.test`], issuerRef: { name: "ca" } },
})

const b64 = (text: string) => Buffer.from(text).toString("base64")

describe("embedded store", () => {
  it.effect("keeps objects, versions and status across a restart", () =>
    Effect.gen(function* () {
      const dir = stateDir()
      const first = yield* makeEmbeddedStore(dir)
      const created = yield* first.create(Certificates, certificate("one"))
      const withStatus = yield* first.updateStatus(Certificates, {
        ...created,
        status: { conditions: [{ type: "Ready", status: "True", reason: "Ready" }] },
      })
      const doomed = yield* first.create(Certificates, certificate("two"))
      yield* first.delete(Certificates, { namespace: "web", name: "two" })

      const second = yield* makeEmbeddedStore(dir)
      const read = yield* second.get(Certificates, { namespace: "web", name: "one" })
      assert.deepStrictEqual(read, withStatus)
      assert.strictEqual((yield* second.get(Certificates, { namespace: "web", name: "two" }).pipe(Effect.flip))._tag, "NotFound")
      // Versions continue past the deleted object's, never repeating one.
      const next = yield* second.create(Certificates, certificate("three"))
      assert.isAbove(Number(next.metadata.resourceVersion), Number(doomed.metadata.resourceVersion) + 1)
      // A stale write from before the restart is still a Conflict.
      const stale = yield* second.update(Certificates, created).pipe(Effect.flip)
      assert.strictEqual(stale._tag, "Conflict")
    }),
  )

  it.effect("writes a Secret's data out as files, private ones unreadable to others, and removes them with it", () =>
    Effect.gen(function* () {
      const dir = stateDir()
      const store = yield* makeEmbeddedStore(dir)
      const secret = yield* store.create(Secrets, {
        apiVersion: "v1" as const,
        kind: "Secret" as const,
        metadata: { name: "web-tls", namespace: "web" },
        type: "kubernetes.io/tls",
        data: { "tls.crt": b64("CERT"), "tls.key": b64("KEY"), "ca.crt": b64("CA") },
      })
      const files = join(dir, "secrets", "web", "web-tls")
      assert.strictEqual(readFileSync(join(files, "tls.crt"), "utf8"), "CERT")
      assert.strictEqual(readFileSync(join(files, "tls.key"), "utf8"), "KEY")
      assert.strictEqual(readFileSync(join(files, "ca.crt"), "utf8"), "CA")
      assert.strictEqual(statSync(join(files, "tls.key")).mode & 0o077, 0)

      yield* store.update(Secrets, { ...secret, data: { "tls.crt": b64("CERT2"), "tls.key": b64("KEY2") } })
      assert.strictEqual(readFileSync(join(files, "tls.crt"), "utf8"), "CERT2")
      assert.isFalse(existsSync(join(files, "ca.crt")))

      yield* store.delete(Secrets, { namespace: "web", name: "web-tls" })
      assert.isFalse(existsSync(files))
      assert.deepStrictEqual(readdirSync(join(dir, "objects", "secrets", "web")), [])
    }),
  )
})
