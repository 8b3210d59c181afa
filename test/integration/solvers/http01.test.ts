// certops' HTTP-01 responder and self check on loopback, names resolved by the
// test bind9, and a pebble of this file's own validating against the
// responder (the shared pebble's HTTP-01 port belongs to other tests).
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import type { Challenge } from "../../../src/api/acme-challenge.ts"
import { Challenges } from "../../../src/api/kinds.ts"
import { defaultIssuanceSettings, IssuanceSettings } from "../../../src/settings/issuance-settings.ts"
import { challengeSolversLayer } from "../../../src/solvers/challenge-solvers.ts"
import { http01ResponderLayer } from "../../../src/solvers/http01/http01-responder.ts"
import { ChallengeSolvers } from "../../../src/solvers/solver.ts"
import { memoryStoreLayer } from "../../../src/store/memory.ts"
import { ResourceStore } from "../../../src/store/resource-store.ts"
import { makeRunDir } from "../../env/environment.ts"
import { startPebble } from "../../env/pebble.ts"
import { freePort } from "../../env/ports.ts"
import { testEnvironment, uniqueName } from "../../support/env.ts"
import { challengeFor, newAcmeClient, openChallenge, settledAuthorization } from "./acme-walk.ts"

const { dns } = testEnvironment()

/** The solvers and the responder on port, self checks resolving names at bind9, all over one memory store. */
const solversOn = (port: number) =>
  Layer.mergeAll(challengeSolversLayer, http01ResponderLayer()).pipe(
    Layer.provideMerge(memoryStoreLayer),
    Layer.provide(
      Layer.succeed(IssuanceSettings, {
        ...defaultIssuanceSettings,
        http01SolverPort: port,
        http01SelfCheckPort: port,
        selfCheckNameservers: [`${dns.host}:${dns.port}`],
      }),
    ),
  )

const http01 = (opened: { authorizationUrl: string; url: string; token: string; key: string }, dnsName: string): Challenge =>
  challengeFor(opened, { dnsName, type: "HTTP-01", solver: { http01: { ingress: {} } }, issuerRef: { name: "acme" } }, "team", uniqueName("challenge"))

const storeChallenge = (challenge: Challenge) => ResourceStore.use((store) => store.create(Challenges, challenge))

describe("HTTP-01 solver on loopback", () => {
  it.live("serves a stored Challenge's token over HTTP, and the self check passes through bind9", () =>
    Effect.gen(function* () {
      const port = yield* freePort
      yield* Effect.gen(function* () {
        const solvers = yield* ChallengeSolvers
        const dnsName = `${uniqueName("web")}.${dns.zone}`
        const subject = yield* storeChallenge(
          http01({ authorizationUrl: "https://acme.test/authz/1", url: "https://acme.test/chall/1", token: uniqueName("token"), key: uniqueName("key") }, dnsName),
        )

        yield* solvers.http01.present(subject)
        const served = yield* Effect.promise(() => fetch(`http://127.0.0.1:${port}/.well-known/acme-challenge/${subject.spec.token}`))
        assert.strictEqual(served.status, 200)
        assert.strictEqual(yield* Effect.promise(() => served.text()), subject.spec.key)
        assert.deepStrictEqual(yield* solvers.http01.selfCheck(subject), { ok: true })

        const unknown = { ...subject, spec: { ...subject.spec, token: "not-a-stored-token" } }
        assert.deepStrictEqual(yield* solvers.http01.selfCheck(unknown), { ok: false, detail: "wrong status code '404', expected '200'" })
        const unresolvable = { ...subject, spec: { ...subject.spec, dnsName: "www.elsewhere.test" } }
        const failed = yield* solvers.http01.selfCheck(unresolvable)
        assert.isFalse(failed.ok)
        assert.match(failed.ok ? "" : failed.detail, /^failed to perform self check GET request 'http:\/\/www\.elsewhere\.test:\d+\/\.well-known\/acme-challenge\/.+': Get ".+": dial tcp: lookup www\.elsewhere\.test on 127\.0\.0\.1:\d+: no such host$/)
        yield* solvers.http01.cleanUp(subject)
      }).pipe(Effect.provide(solversOn(port)))
    }),
  )

  it.live("presents an HTTP-01 challenge that pebble validates against the responder", () =>
    Effect.gen(function* () {
      const port = yield* freePort
      const pebble = yield* startPebble({ dir: makeRunDir(), httpPort: port, dnsServer: `${dns.host}:${dns.port}` })
      const client = yield* newAcmeClient(pebble)
      const dnsName = `${uniqueName("http01")}.${dns.zone}`
      const subject = http01(yield* openChallenge(client, dnsName, "http-01"), dnsName)

      yield* Effect.gen(function* () {
        const solvers = yield* ChallengeSolvers
        yield* storeChallenge(subject)
        yield* solvers.http01.present(subject)
        assert.deepStrictEqual(yield* solvers.http01.selfCheck(subject), { ok: true })
        yield* client.acceptChallenge(subject.spec.url)
        const authorization = yield* settledAuthorization(client, subject.spec.authorizationURL)
        assert.strictEqual(authorization.status, "valid")
        yield* solvers.http01.cleanUp(subject)
      }).pipe(Effect.provide(solversOn(port)))
    }),
  )
})
