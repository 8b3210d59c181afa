// DNS-01 through bind9 for a wildcard plus its apex, and a name pebble cannot
// validate: the Challenge and Order fail with the server's reason, the
// Certificate backs off with its next attempt in status, and once the cause
// is fixed a new Order issues it.
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Layer, Scope } from "effect"
import { Certificates, Challenges, Events, Issuers, Orders, Secrets } from "../../../src/api/kinds.ts"
import { runIssuance } from "../../../src/controllers/issuance.ts"
import { IssuanceSettings } from "../../../src/settings/issuance-settings.ts"
import { http01ResponderLayer } from "../../../src/solvers/http01/http01-responder.ts"
import { ResourceStore } from "../../../src/store/resource-store.ts"
import { chainVerifies, dnsNamesOf, pebbleRoot, splitPemChain } from "../../support/acme.ts"
import { queryTxt } from "../../support/dns.ts"
import { testEnvironment, uniqueName } from "../../support/env.ts"
import { acmeIssuer, certificateFor, e2eLayer, e2eSettings, eventually, readyCertificate, readyIssuer, rfc2136Solver, tsigSecret } from "../../support/issuance-e2e.ts"
import { createNamespaceNamed } from "../../support/kube.ts"
import { freePort } from "../../env/ports.ts"

const env = testEnvironment()

describe("ACME issuance over DNS-01", () => {
  const namespace = uniqueName("dns01")
  it.live("issues a wildcard and its apex through RFC 2136 updates to bind9, and removes the records", () =>
    Effect.gen(function* () {
      yield* Effect.promise(() => createNamespaceNamed(env, namespace))
      const store = yield* ResourceStore
      yield* runIssuance
      yield* store.create(Secrets, tsigSecret(namespace, env.dns))
      yield* store.create(Issuers, acmeIssuer(env, namespace, "dns", [rfc2136Solver(env.dns)]))
      yield* eventually("the Issuer to be Ready", readyIssuer(namespace, "dns"))
      const base = `${uniqueName("wild")}.${env.dns.zone}`
      yield* store.create(Certificates, certificateFor(namespace, "wildcard", "dns", [`*.${base}`, base]))
      yield* eventually("the Certificate to be Ready", readyCertificate(namespace, "wildcard"), 90)

      const secret = yield* store.get(Secrets, { namespace, name: "wildcard-tls" }, { fresh: true })
      const chain = splitPemChain(Buffer.from(secret.data?.["tls.crt"] ?? "", "base64").toString("utf8"))
      assert.deepStrictEqual(dnsNamesOf(chain[0]!), [`*.${base}`, base].sort())
      assert.isTrue(chainVerifies(chain, yield* Effect.promise(() => pebbleRoot(env.acme))))
      const presented = (yield* store.list(Events, { namespace })).filter((event) => event.reason === "Presented").map((event) => event.message)
      assert.deepStrictEqual(presented, ["Presented challenge using dns-01 challenge mechanism", "Presented challenge using dns-01 challenge mechanism"])
      // Cleaned up: no TXT record left behind.
      assert.deepStrictEqual(yield* Effect.promise(() => queryTxt(env.dns, `_acme-challenge.${base}`)), [])
    }).pipe(Effect.scoped, Effect.provide(e2eLayer(env, e2eSettings(env, { namespace })))),
    120_000,
  )
})

describe("a name the ACME server cannot validate", () => {
  const namespace = uniqueName("blocked")
  // certops' self check passes (it reaches certops' responder on another
  // port), but pebble's validation hits a port nobody answers: as if a
  // firewall dropped the CA's requests.
  it.live("fails Challenge and Order with the server's reason, backs off, and issues with a new Order once fixed", () =>
    Effect.gen(function* () {
      yield* Effect.promise(() => createNamespaceNamed(env, namespace))
      const store = yield* ResourceStore
      yield* runIssuance
      yield* store.create(Issuers, acmeIssuer(env, namespace, "blocked", [{ http01: { ingress: {} } }]))
      yield* eventually("the Issuer to be Ready", readyIssuer(namespace, "blocked"))
      const name = `${uniqueName("blocked")}.${env.dns.zone}`
      yield* store.create(Certificates, certificateFor(namespace, "blocked", "blocked", [name]))

      const failed = yield* eventually(
        "the Certificate to record a failed issuance",
        ResourceStore.use((s) => s.get(Certificates, { namespace, name: "blocked" })).pipe(
          Effect.map((certificate) => ((certificate.status?.failedIssuanceAttempts ?? 0) >= 1 ? certificate : undefined)),
        ),
        90,
      )
      const ready = failed.status?.conditions?.find((condition) => condition.type === "Ready")
      assert.strictEqual(ready?.status, "False")
      assert.isString(failed.status?.lastFailureTime)
      const orders = yield* store.list(Orders, { namespace })
      assert.strictEqual(orders.length, 1)
      assert.strictEqual(orders[0]?.status?.state, "invalid")
      assert.match(orders[0]?.status?.reason ?? "", /connection refused|Connection refused|connect/i)
      const challengeEvents = (yield* store.list(Events, { namespace })).filter((event) => event.involvedObject.kind === "Challenge" && event.reason === "Failed")
      assert.match(challengeEvents[0]?.message ?? "", /^Accepting challenge authorization failed: urn:ietf:params:acme:error:connection/)
      const failedChallenge = (yield* store.list(Challenges, { namespace }))[0]
      assert.strictEqual(failedChallenge?.status?.state, "invalid")
      assert.strictEqual(failedChallenge?.status?.processing, false)
      // The next attempt time is shown while backing off.
      const waiting = yield* eventually(
        "the next attempt time in status",
        ResourceStore.use((s) => s.get(Certificates, { namespace, name: "blocked" })).pipe(
          Effect.map((certificate) => (/Next attempt at \d{4}-/.test(certificate.status?.conditions?.find((c) => c.type === "Ready")?.message ?? "") ? certificate : undefined)),
        ),
      )
      assert.isDefined(waiting)

      // The fix: a responder on the port pebble validates on.
      const scope = yield* Scope.make()
      yield* Layer.build(http01ResponderLayer()).pipe(
        Effect.provideService(IssuanceSettings, e2eSettings(env)),
        Scope.provide(scope),
      )
      const issued = yield* eventually("the Certificate to be Ready after the backoff", readyCertificate(namespace, "blocked"), 90)
      assert.strictEqual(issued.status?.revision, 1)
      // A new Order did it (the failed one goes with its request: revisionHistoryLimit 1).
      const validOrder = (yield* store.list(Orders, { namespace })).find((order) => order.status?.state === "valid")
      assert.isDefined(validOrder)
      assert.notStrictEqual(validOrder?.metadata.name, orders[0]?.metadata.name)
      yield* Scope.close(scope, Exit.void)
    }).pipe(Effect.scoped, Effect.provide(Layer.unwrap(Effect.map(freePort, (port) => e2eLayer(env, e2eSettings(env, { namespace, http01SolverPort: port, http01SelfCheckPort: port })))))),
    180_000,
  )
})
