// A Certificate made in the cluster with what no admission policy checks for
// certops (SAN syntax) is refused by the reconciler: Ready=False, reason
// InvalidSpec, the field and why, one Event, no CertificateRequest; fixing
// the spec issues it.
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import type { Certificate } from "../../../src/api/certificate.ts"
import type { CertificateRequest } from "../../../src/api/certificate-request.ts"
import type { Issuer } from "../../../src/api/issuer.ts"
import { CertificateRequests, Certificates, Events, Issuers, Orders } from "../../../src/api/kinds.ts"
import { creationCases } from "../../support/request-validation-cases.ts"
import { validationCases } from "../../support/validation-cases.ts"
import { testEnvironment, uniqueName } from "../../support/env.ts"
import { acmeIssuer, certificateFor, e2eLayer, e2eSettings, eventually, readyCertificate, readyIssuerIn, rfc2136Solver, tsigSecret } from "../../support/issuance-e2e.ts"

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

describe("cert-manager's rules the API server cannot hold, on objects made in the cluster", () => {
  const namespace = uniqueName("rules")
  const cases = validationCases.filter((entry) => entry.inCluster === "reconciler")
  it.live("make each bad Certificate or issuer InvalidSpec, naming the field, with an Event", () =>
    Effect.gen(function* () {
      const store = yield* readyIssuerIn(env, { apiVersion: "cert-manager.io/v1", kind: "Issuer", metadata: { name: "self", namespace }, spec: { selfSigned: {} } })
      const made = yield* Effect.forEach(cases, ({ bad, refused }) =>
        Effect.gen(function* () {
          const metadata = { ...(bad["metadata"] as { name: string }), namespace }
          if (bad["kind"] === "Certificate") {
            const certificate = bad as unknown as Certificate
            yield* store.create(Certificates, { ...certificate, metadata, spec: { ...certificate.spec, issuerRef: { name: "self" } } })
          } else {
            yield* store.create(Issuers, { ...(bad as unknown as Issuer), kind: "Issuer", metadata })
          }
          return { kind: bad["kind"] as string, name: metadata.name, path: refused.path }
        }),
      )
      for (const { kind, name, path } of made) {
        const conditions = kind === "Certificate"
          ? store.get(Certificates, { namespace, name }).pipe(Effect.map((found) => found.status?.conditions))
          : store.get(Issuers, { namespace, name }).pipe(Effect.map((found) => found.status?.conditions))
        const refused = yield* eventually(
          `${kind} ${name} InvalidSpec`,
          conditions.pipe(Effect.map((all) => all?.find((condition) => condition.type === "Ready" && condition.reason === "InvalidSpec"))),
        )
        assert.strictEqual(refused.status, "False")
        assert.isTrue((refused.message ?? "").startsWith(`${path}: `), `${kind} ${name}: ${refused.message} names ${path}`)
      }
      const events = (yield* store.list(Events, { namespace })).filter((event) => event.reason === "InvalidSpec")
      assert.deepStrictEqual(new Set(events.map((event) => event.involvedObject.name)), new Set(made.map((object) => object.name)))
      assert.deepStrictEqual(yield* store.list(CertificateRequests, { namespace }), [])
    }).pipe(Effect.scoped, Effect.provide(e2eLayer(env, e2eSettings(env, { namespace })))),
    120_000,
  )
})

describe("a CA Certificate made in the cluster for an ACME issuer", () => {
  const namespace = uniqueName("acme-ca")
  it.live("fails its CertificateRequest before any Order: ACME servers issue no CA certificates", () =>
    Effect.gen(function* () {
      const store = yield* readyIssuerIn(env, acmeIssuer(env, namespace, "acme", [rfc2136Solver(env.dns)]), [tsigSecret(namespace, env.dns)])
      const base = certificateFor(namespace, "sub-ca", "acme", ["sub-ca.certops.test"])
      yield* store.create(Certificates, { ...base, spec: { ...base.spec, isCA: true } })
      const failed = yield* eventually(
        "the request to fail",
        store.list(CertificateRequests, { namespace }).pipe(
          Effect.map((requests) => requests.flatMap((request) => request.status?.conditions ?? []).find((condition) => condition.type === "Ready" && condition.reason === "Failed")),
        ),
      )
      assert.include(failed.message ?? "", "ACME issuers cannot issue CA certificates")
      assert.deepStrictEqual(yield* store.list(Orders, { namespace }), [])
    }).pipe(Effect.scoped, Effect.provide(e2eLayer(env, e2eSettings(env, { namespace })))),
    90_000,
  )
})

describe("CertificateRequests made in the cluster that cert-manager's webhook would refuse", () => {
  const namespace = uniqueName("bad-requests")
  const cases = creationCases.filter((entry) => "reconciler" in entry.refused)
  it.live("fail before any Order, Ready=False with InvalidRequest naming spec.request, with an Event", () =>
    Effect.gen(function* () {
      const store = yield* readyIssuerIn(env, acmeIssuer(env, namespace, "acme", [rfc2136Solver(env.dns)]), [tsigSecret(namespace, env.dns)])
      const names = yield* Effect.forEach(cases, ({ bad }) =>
        Effect.gen(function* () {
          const request = bad as unknown as CertificateRequest
          yield* store.create(CertificateRequests, { ...request, metadata: { ...request.metadata, namespace }, spec: { ...request.spec, issuerRef: { name: "acme", kind: "Issuer" } } })
          return request.metadata.name
        }),
      )
      for (const [index, name] of names.entries()) {
        const conditions = yield* eventually(
          `${name} to fail`,
          store.get(CertificateRequests, { namespace, name }).pipe(
            Effect.map((found) => (found.status?.conditions?.some((condition) => condition.type === "Ready" && condition.reason === "Failed") ? found.status.conditions : undefined)),
          ),
        )
        const invalid = conditions.find((condition) => condition.type === "InvalidRequest")
        assert.strictEqual(invalid?.status, "True")
        const refused = cases[index]!.refused
        assert.include(invalid?.message ?? "", "reconciler" in refused ? refused.reconciler : "")
        assert.isTrue((invalid?.message ?? "").startsWith("spec.request: "), invalid?.message)
      }
      const events = (yield* store.list(Events, { namespace })).filter((event) => event.reason === "InvalidSpec")
      assert.deepStrictEqual(new Set(events.map((event) => event.involvedObject.name)), new Set(names))
      assert.deepStrictEqual(yield* store.list(Orders, { namespace }), [])
    }).pipe(Effect.scoped, Effect.provide(e2eLayer(env, e2eSettings(env, { namespace })))),
    90_000,
  )
})
