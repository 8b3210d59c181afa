// DNS-01 for real zones, end to end through bind9 and pebble: a CNAME from
// `_acme-challenge.<name>` into a second zone is followed (cnameStrategy
// Follow), a CNAME loop is a clear error on the Challenge, and a recursive
// resolver that lags makes the self check wait, naming that resolver and what
// it saw, until the record shows there.
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import type { AcmeChallengeSolver } from "../../../src/api/issuer.ts"
import { Certificates, Challenges, Events } from "../../../src/api/kinds.ts"
import { nsupdate, queryTxt } from "../../support/dns.ts"
import { laggingNameserver } from "../../support/dns-viewpoints.ts"
import { testEnvironment, uniqueName } from "../../support/env.ts"
import { acmeIssuer, certificateFor, e2eLayer, e2eSettings, eventually, readyCertificate, readyIssuerIn, rfc2136Solver, tsigSecret } from "../../support/issuance-e2e.ts"

const env = testEnvironment()

const rfc2136 = (cnameStrategy?: "Follow") => rfc2136Solver(env.dns, cnameStrategy)

/** A namespace with bind9's TSIG Secret and a Ready ACME Issuer named "dns" using solver. */
const setUp = (namespace: string, solver: AcmeChallengeSolver) => readyIssuerIn(env, acmeIssuer(env, namespace, "dns", [solver]), [tsigSecret(namespace, env.dns)])

const addCname = (name: string, target: string) =>
  Effect.promise(() => nsupdate(env.dns, [`update add ${name}. 5 CNAME ${target}.`])).pipe(
    Effect.tap((result) => Effect.sync(() => assert.isTrue(result.ok, result.output))),
  )

describe("DNS-01 into a delegated zone (cnameStrategy: Follow)", () => {
  const namespace = uniqueName("cname")
  it.live("writes the TXT record where the CNAME points, in the second bind9 zone, and issues", () =>
    Effect.gen(function* () {
      const store = yield* setUp(namespace, rfc2136("Follow"))
      const name = `${uniqueName("follow")}.${env.dns.zone}`
      const target = `_acme-challenge.${name.replace(`.${env.dns.zone}`, "")}.${env.dns.secondZone}`
      yield* addCname(`_acme-challenge.${name}`, target)
      yield* store.create(Certificates, certificateFor(namespace, "follow", "dns", [name]))

      // The record appears at the CNAME's target, holding the Challenge's key.
      const challenge = yield* eventually("the Challenge", store.list(Challenges, { namespace }).pipe(Effect.map((all) => all[0])))
      yield* eventually(
        "the TXT record at the delegated name",
        Effect.promise(() => queryTxt({ ...env.dns, zone: env.dns.secondZone }, target)).pipe(
          Effect.map((values) => (values.includes(challenge.spec.key) ? values : undefined)),
        ),
        30,
      )
      yield* eventually("the Certificate to be Ready", readyCertificate(namespace, "follow"), 90)
      assert.deepStrictEqual(yield* Effect.promise(() => queryTxt(env.dns, target)), [])
    }).pipe(Effect.scoped, Effect.provide(e2eLayer(env, e2eSettings(env, { namespace })))),
    120_000,
  )
})

describe("a CNAME loop", () => {
  const namespace = uniqueName("loop")
  it.live("is named on the Challenge and in an Event, with the whole chain", () =>
    Effect.gen(function* () {
      const store = yield* setUp(namespace, rfc2136("Follow"))
      const name = `${uniqueName("loop")}.${env.dns.zone}`
      const first = `${uniqueName("a")}.${env.dns.zone}`
      const second = `${uniqueName("b")}.${env.dns.zone}`
      yield* addCname(`_acme-challenge.${name}`, first)
      yield* addCname(first, second)
      yield* addCname(second, first)
      yield* store.create(Certificates, certificateFor(namespace, "loop", "dns", [name]))

      const expected = `CNAME loop: _acme-challenge.${name}. → ${first}. → ${second}. → ${first}.`
      const challenge = yield* eventually(
        "the Challenge to name the loop",
        store.list(Challenges, { namespace }).pipe(Effect.map((all) => all.find((one) => (one.status?.reason ?? "").includes(expected)))),
        30,
      )
      assert.strictEqual(challenge.status?.reason, `Error presenting challenge: ${expected}`)
      const events = (yield* store.list(Events, { namespace })).filter((event) => event.reason === "PresentError")
      assert.include(events[0]?.message ?? "", expected)
    }).pipe(Effect.scoped, Effect.provide(e2eLayer(env, e2eSettings(env, { namespace })))),
    60_000,
  )
})

describe("a recursive resolver that lags", () => {
  const namespace = uniqueName("lag")
  it.live("keeps the Challenge waiting with that resolver's name and what it saw, then issues", () =>
    Effect.gen(function* () {
      const lagging = yield* laggingNameserver(env.dns, 4_000)
      const resolver = `127.0.0.1:${lagging.port}`
      return yield* Effect.gen(function* () {
        const store = yield* setUp(namespace, rfc2136())
        const name = `${uniqueName("lag")}.${env.dns.zone}`
        yield* store.create(Certificates, certificateFor(namespace, "lag", "dns", [name]))
        const waiting = yield* eventually(
          "the Challenge to wait on the lagging resolver",
          store.list(Challenges, { namespace }).pipe(Effect.map((all) => all.find((one) => (one.status?.reason ?? "").includes(resolver)))),
          30,
        )
        assert.strictEqual(
          waiting.status?.reason,
          `Waiting for dns-01 challenge propagation: DNS record for "${name}" not yet propagated: ${resolver} has no TXT record at _acme-challenge.${name}.`,
        )
        // bind9 had the record all along: only the resolver was behind.
        assert.include(yield* Effect.promise(() => queryTxt(env.dns, `_acme-challenge.${name}`)), waiting.spec.key)
        yield* eventually("the Certificate to be Ready", readyCertificate(namespace, "lag"), 90)
        assert.isAbove(lagging.lagged(), 0)
      }).pipe(
        Effect.provide(
          e2eLayer(env, e2eSettings(env, { namespace, selfCheckNameservers: [resolver], selfCheckRecursiveOnly: true })),
        ),
      )
    }).pipe(Effect.scoped),
    120_000,
  )
})
