// The ACME adapter against the real pebble: the whole order flow step by
// step, and errors typed with the server's problem document.
import * as acme from "acme-client"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Schedule, Scope } from "effect"
import { makeAcmeClient, type AcmeClient } from "../../../src/acme/client.ts"
import { startPebble } from "../../env/pebble.ts"
import { makeRunDir } from "../../env/environment.ts"
import { chainVerifies, dnsNamesOf, pebbleRoot, splitPemChain } from "../../support/acme.ts"
import { testEnvironment, uniqueName } from "../../support/env.ts"
import { startHttp01Responder } from "../../support/http01-responder.ts"
import { freePort } from "../../env/ports.ts"

const env = testEnvironment()

const newClient = (directoryUrl = env.acme.directoryUrl, tlsCaPem = env.acme.tlsCaPem, observe?: (operation: string, status: number | "error") => void) =>
  Effect.promise(() => acme.crypto.createPrivateKey()).pipe(
    Effect.map((key) => makeAcmeClient({ directoryUrl, accountKeyPem: key.toString(), caBundlePem: tlsCaPem, ...(observe === undefined ? {} : { observe }) })),
  )

/** Polls until the resource leaves pending/processing; short, as certops' controllers do. */
const settle = <A extends { status: string }>(read: Effect.Effect<A, unknown>) =>
  read.pipe(
    Effect.flatMap((value) => (value.status === "pending" || value.status === "processing" ? Effect.fail("not yet" as const) : Effect.succeed(value))),
    Effect.retry({ schedule: Schedule.spaced("100 millis"), while: (error) => error === "not yet", times: 300 }),
  )

const issue = (client: AcmeClient, names: ReadonlyArray<string>, tokens: Map<string, string>) =>
  Effect.gen(function* () {
    yield* client.registerAccount({ termsOfServiceAgreed: true, email: "ops@certops.test" })
    const order = yield* client.createOrder(names.map((value) => ({ type: "dns" as const, value })))
    assert.strictEqual(order.status, "pending")
    for (const url of order.authorizations) {
      const authorization = yield* client.getAuthorization(url)
      const challenge = authorization.challenges.find((candidate) => candidate.type === "http-01")!
      tokens.set(challenge.token, yield* client.keyAuthorization(challenge))
      yield* client.acceptChallenge(challenge.url)
      const settled = yield* settle(client.getAuthorization(url))
      assert.strictEqual(settled.status, "valid")
    }
    const ready = yield* settle(client.getOrder(order.url))
    assert.strictEqual(ready.status, "ready")
    const [, csr] = yield* Effect.promise(() => acme.crypto.createCsr({ commonName: names[0]!, altNames: [...names] }))
    yield* client.finalizeOrder(ready, csr.toString())
    const valid = yield* settle(client.getOrder(order.url))
    assert.strictEqual(valid.status, "valid")
    return yield* client.downloadCertificate(valid)
  })

describe("ACME client adapter", () => {
  it.live("walks an order from creation to a downloaded chain", () =>
    Effect.gen(function* () {
      const responder = yield* Effect.acquireRelease(Effect.promise(() => startHttp01Responder(env.acme.httpPort)), (r) => Effect.promise(r.close))
      const operations: Array<string> = []
      const client = yield* newClient(undefined, undefined, (operation, status) => operations.push(`${operation} ${status}`))
      const names = [`${uniqueName("acme")}.${env.dns.zone}`, `${uniqueName("acme")}.${env.dns.zone}`].sort()
      const pem = yield* issue(client, names, responder.tokens)
      const chain = splitPemChain(pem)
      assert.deepStrictEqual(dnsNamesOf(chain[0]!), names)
      assert.isTrue(chainVerifies(chain, yield* Effect.promise(() => pebbleRoot(env.acme))))
      // Every request is attributed to the operation that made it.
      for (const operation of ["newAccount", "newOrder", "authorization", "challenge", "finalize", "certificate"]) {
        assert.isTrue(operations.some((entry) => entry.startsWith(`${operation} 2`)), `${operation} in ${operations.join(", ")}`)
      }
    }).pipe(Effect.scoped),
  )

  it.live("types a refusal with the server's status and problem type, not retryable", () =>
    Effect.gen(function* () {
      const client = yield* newClient()
      const error = yield* client.registerAccount({ termsOfServiceAgreed: true, email: "not an email" }).pipe(Effect.flip)
      assert.strictEqual(error.status, 400)
      assert.match(error.problemType ?? "", /^urn:ietf:params:acme:error:/)
      assert.isFalse(error.retryable)
      assert.match(error.message, /^newAccount: 400 urn:ietf:params:acme:error:\w+: /)
    }),
  )

  it.live("types an unreachable server as retryable", () =>
    Effect.gen(function* () {
      const port = yield* freePort
      const client = yield* newClient(`https://127.0.0.1:${port}/dir`)
      const error = yield* client.registerAccount({ termsOfServiceAgreed: true }).pipe(Effect.flip)
      assert.isTrue(error.retryable)
    }),
  )

  it.live("rides out heavy badNonce rejection that acme-client's default of 5 retries would not", () =>
    Effect.gen(function* () {
      // 70 %: six rejections in a row (acme-client's default limit) happen in
      // about one signed request in nine; certops allows many more.
      const scope = yield* Scope.make()
      const pebble = yield* startPebble({
        dir: makeRunDir(),
        httpPort: yield* freePort,
        dnsServer: `${env.dns.host}:${env.dns.port}`,
        nonceRejectPercent: 70,
      }).pipe(Scope.provide(scope))
      let badNonces = 0
      const client = yield* newClient(pebble.directoryUrl, pebble.tlsCaPem, (_operation, status) => void (status === 400 && badNonces++))
      yield* client.registerAccount({ termsOfServiceAgreed: true })
      for (let index = 0; index < 10; index++) {
        const order = yield* client.createOrder([{ type: "dns", value: `${uniqueName("nonce")}.${env.dns.zone}` }])
        assert.strictEqual(order.status, "pending")
      }
      assert.isAbove(badNonces, 10)
      yield* Scope.close(scope, Exit.void)
    }),
  )
})
