// A Certificate made in the cluster with what no admission policy checks for
// certops (SAN syntax) is refused by the reconciler: Ready=False, reason
// InvalidSpec, the field and why, one Event, no CertificateRequest; fixing
// the spec issues it.
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { CertificateRequests, Certificates, Events } from "../../../src/api/kinds.ts"
import { testEnvironment, uniqueName } from "../../support/env.ts"
import { certificateFor, e2eLayer, e2eSettings, eventually, readyCertificate, readyIssuerIn } from "../../support/issuance-e2e.ts"

const env = testEnvironment()

describe("a Certificate with an invalid SAN, made in the cluster", () => {
  const namespace = uniqueName("invalid")
  it.live("is InvalidSpec with the field, gets no request, and issues once fixed", () =>
    Effect.gen(function* () {
      const store = yield* readyIssuerIn(env, { apiVersion: "cert-manager.io/v1", kind: "Issuer", metadata: { name: "self", namespace }, spec: { selfSigned: {} } })
      const base = certificateFor(namespace, "ips", "self", ["ips.example.test"])
      yield* store.create(Certificates, { ...base, spec: { ...base.spec, ipAddresses: ["10.0.0.1", "10.0.0.300"] } })
      const refused = yield* eventually(
        "InvalidSpec",
        store.get(Certificates, { namespace, name: "ips" }).pipe(
          Effect.map((found) => found.status?.conditions?.find((condition) => condition.type === "Ready" && condition.reason === "InvalidSpec")),
        ),
      )
      assert.strictEqual(refused.status, "False")
      assert.strictEqual(refused.message, 'spec.ipAddresses[1]: "10.0.0.300" is not an IP address')
      const events = (yield* store.list(Events, { namespace })).filter((event) => event.reason === "InvalidSpec")
      assert.deepStrictEqual(events.map((event) => event.message), [refused.message])
      assert.deepStrictEqual(yield* store.list(CertificateRequests, { namespace }), [])

      const current = yield* store.get(Certificates, { namespace, name: "ips" })
      yield* store.update(Certificates, { ...current, spec: { ...current.spec, ipAddresses: ["10.0.0.1"] } })
      yield* eventually("the fixed Certificate to be Ready", readyCertificate(namespace, "ips"), 60)
    }).pipe(Effect.scoped, Effect.provide(e2eLayer(env, e2eSettings(env, { namespace })))),
    90_000,
  )
})
