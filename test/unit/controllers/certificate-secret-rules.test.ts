// Certificate rules around its Secret, on the memory store: a Secret another
// Certificate manages is refused with a condition and an Event; a PKCS#12
// keystore is written when asked for; a deleted Secret is issued again.
import { execFileSync } from "node:child_process"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { Certificates, ClusterIssuers, Events, Secrets } from "../../../src/api/kinds.ts"
import type { Secret } from "../../../src/api/core.ts"
import { memoryStoreLayer } from "../../../src/store/memory.ts"
import { ResourceStore } from "../../../src/store/resource-store.ts"
import { issuanceLayer, startIssuance, testSettings } from "../../support/issuance-harness.ts"
import { eventually } from "../../support/poll.ts"


const selfSigned = { apiVersion: "cert-manager.io/v1" as const, kind: "ClusterIssuer" as const, metadata: { name: "self" }, spec: { selfSigned: {} } }

const certificate = (name: string, secretName: string, extra: object = {}) => ({
  apiVersion: "cert-manager.io/v1" as const,
  kind: "Certificate" as const,
  metadata: { name, namespace: "apps" },
  spec: { secretName, dnsNames: [`${name}.example.test`], issuerRef: { name: "self", kind: "ClusterIssuer" }, ...extra },
})

const ready = (name: string) =>
  ResourceStore.use((store) => store.get(Certificates, { namespace: "apps", name })).pipe(
    Effect.map((c) => (c.status?.conditions?.some((x) => x.type === "Ready" && x.status === "True") ? c : undefined)),
  )


/** What openssl lists of the Secret's keystore.p12, opened with `password`. */
const openedKeystore = (secret: Secret, password: string) => {
  const file = join(mkdtempSync(join(tmpdir(), "certops-p12-")), "keystore.p12")
  writeFileSync(file, Buffer.from(secret.data?.["keystore.p12"] ?? "", "base64"))
  return execFileSync("openssl", ["pkcs12", "-in", file, "-passin", `pass:${password}`, "-nokeys", "-info"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] })
}

describe("a Certificate's Secret", () => {
  it.live("is not taken over from another Certificate", () =>
    Effect.gen(function* () {
      const store = yield* ResourceStore
      yield* startIssuance
      yield* store.create(ClusterIssuers, selfSigned)
      yield* store.create(Certificates, certificate("first", "shared-tls"))
      yield* eventually("the first Certificate", ready("first"))
      const before = yield* store.get(Secrets, { namespace: "apps", name: "shared-tls" })
      yield* store.create(Certificates, certificate("second", "shared-tls"))
      const refused = yield* eventually(
        "the second Certificate to be refused",
        ResourceStore.use((s) => s.get(Certificates, { namespace: "apps", name: "second" })).pipe(
          Effect.map((c) => c.status?.conditions?.find((x) => x.type === "Ready" && x.reason === "SecretInUse")),
        ),
      )
      assert.strictEqual(refused.status, "False")
      assert.include(refused.message ?? "", 'already managed by Certificate "first"')
      const events = (yield* store.list(Events, { namespace: "apps" })).filter((event) => event.involvedObject.name === "second")
      assert.deepStrictEqual(events.map((event) => event.reason), ["SecretInUse"])
      const after = yield* store.get(Secrets, { namespace: "apps", name: "shared-tls" })
      assert.strictEqual(after.metadata.resourceVersion, before.metadata.resourceVersion)
    }).pipe(Effect.scoped, Effect.provide(issuanceLayer(memoryStoreLayer, testSettings()))),
    30_000,
  )

  it.live("carries a PKCS#12 keystore that openssl opens with the password", () =>
    Effect.gen(function* () {
      const store = yield* ResourceStore
      yield* startIssuance
      yield* store.create(ClusterIssuers, selfSigned)
      yield* store.create(Secrets, { apiVersion: "v1", kind: "Secret", metadata: { name: "p12-password", namespace: "apps" }, data: { password: Buffer.from("s3cret").toString("base64") } })
      yield* store.create(
        Certificates,
        certificate("java", "java-tls", { keystores: { pkcs12: { create: true, passwordSecretRef: { name: "p12-password", key: "password" } } } }),
      )
      yield* eventually("the Certificate", ready("java"))
      const secret = yield* store.get(Secrets, { namespace: "apps", name: "java-tls" })
      assert.include(openedKeystore(secret, "s3cret"), "-----BEGIN CERTIFICATE-----")
    }).pipe(Effect.scoped, Effect.provide(issuanceLayer(memoryStoreLayer, testSettings()))),
    30_000,
  )

  it.live("carries a PKCS#12 keystore that openssl opens with a literal password", () =>
    Effect.gen(function* () {
      const store = yield* ResourceStore
      yield* startIssuance
      yield* store.create(ClusterIssuers, selfSigned)
      yield* store.create(Certificates, certificate("literal", "literal-tls", { keystores: { pkcs12: { create: true, password: "changeit" } } }))
      yield* eventually("the Certificate", ready("literal"))
      const secret = yield* store.get(Secrets, { namespace: "apps", name: "literal-tls" })
      assert.include(openedKeystore(secret, "changeit"), "-----BEGIN CERTIFICATE-----")
    }).pipe(Effect.scoped, Effect.provide(issuanceLayer(memoryStoreLayer, testSettings()))),
    30_000,
  )

  it.live("is issued again when someone deletes it", () =>
    Effect.gen(function* () {
      const store = yield* ResourceStore
      yield* startIssuance
      yield* store.create(ClusterIssuers, selfSigned)
      yield* store.create(Certificates, certificate("phoenix", "phoenix-tls"))
      yield* eventually("the first issuance", ready("phoenix"))
      yield* store.delete(Secrets, { namespace: "apps", name: "phoenix-tls" })
      const again = yield* eventually(
        "a second issuance",
        ResourceStore.use((s) => s.get(Certificates, { namespace: "apps", name: "phoenix" })).pipe(Effect.map((c) => ((c.status?.revision ?? 0) >= 2 ? c : undefined))),
      )
      assert.isDefined(again)
      assert.isDefined(yield* store.get(Secrets, { namespace: "apps", name: "phoenix-tls" }))
    }).pipe(Effect.scoped, Effect.provide(issuanceLayer(memoryStoreLayer, testSettings()))),
    30_000,
  )
})
