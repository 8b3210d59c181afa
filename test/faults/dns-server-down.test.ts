// The DNS server of DNS-01 goes away during issuance: a private bind9 (the
// one certops updates, checks propagation against, and pebble resolves with)
// is stopped; the Challenge shows why it cannot go on in status.reason while
// it is down, and once bind9 is back on the same port, with the same zone and
// TSIG key, the Certificate becomes Ready.
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Scope } from "effect"
import { Certificates, Challenges, Issuers, Secrets } from "../../src/api/kinds.ts"
import { runIssuance } from "../../src/controllers/issuance.ts"
import { ResourceStore } from "../../src/store/resource-store.ts"
import { startBind9 } from "../env/bind9.ts"
import { makeRunDir } from "../env/environment.ts"
import { startPebble } from "../env/pebble.ts"
import { freePort } from "../env/ports.ts"
import { testEnvironment, uniqueName } from "../support/env.ts"
import { acmeIssuer, certificateFor, e2eLayer, e2eSettings, eventually, readyCertificate, readyIssuer, rfc2136Solver, tsigSecret } from "../support/issuance-e2e.ts"
import { createNamespaceNamed } from "../support/kube.ts"

const env = testEnvironment()
const dir = makeRunDir()
const dnsPort = await Effect.runPromise(freePort)
const dns = { host: "127.0.0.1", port: dnsPort }

describe("DNS server down during DNS-01", () => {
  const namespace = uniqueName("dnsdown")
  it.live("reports the presentation error while bind9 is down and issues once it is back", () =>
    Effect.gen(function* () {
      const bindScope = yield* Scope.make()
      const bind9 = yield* startBind9({ dir, port: dnsPort }).pipe(Scope.provide(bindScope))
      const { process: _bind, ...dnsServer } = bind9
      const pebble = yield* startPebble({ dir, httpPort: env.acme.httpPort, dnsServer: `${bind9.host}:${bind9.port}` })
      const { process: _pebble, ...acme } = pebble
      const privateEnv = { ...env, acme, dns: dnsServer }

      yield* Effect.promise(() => createNamespaceNamed(env, namespace))
      const store = yield* ResourceStore
      yield* runIssuance
      yield* store.create(Secrets, tsigSecret(namespace, dnsServer))
      yield* store.create(Issuers, acmeIssuer(privateEnv, namespace, "dns", [rfc2136Solver(dnsServer)]))
      yield* eventually("the Issuer to be Ready", readyIssuer(namespace, "dns"))

      // bind9 goes away; then a Certificate asks for a wildcard over DNS-01.
      yield* Scope.close(bindScope, Exit.void)
      const downAt = Date.now()
      const base = `${uniqueName("down")}.${bind9.zone}`
      yield* store.create(Certificates, certificateFor(namespace, "wild", "dns", [`*.${base}`]))
      const reported = yield* eventually(
        "the Challenge to report the DNS server's absence",
        store.list(Challenges, { namespace }).pipe(
          Effect.map((challenges) => challenges.find((challenge) => /^Error presenting challenge: /.test(challenge.status?.reason ?? ""))),
        ),
        60,
      )
      yield* Effect.logInfo(`while down: ${reported.status?.reason}`)
      assert.match(reported.status?.reason ?? "", /refused|timed? ?out|ECONN|unreachable|no answer|closed/i)
      assert.notStrictEqual(reported.status?.state, "invalid")
      // Still down a while later: still no certificate, the Challenge not failed.
      yield* Effect.sleep("10 seconds")
      assert.isUndefined(yield* readyCertificate(namespace, "wild"))
      const stillWaiting = (yield* store.list(Challenges, { namespace }))[0]
      assert.include(["pending", undefined], stillWaiting?.status?.state)
      assert.match(stillWaiting?.status?.reason ?? "", /^Error presenting challenge: /)

      // Back on the same port, same zone, same key.
      yield* startBind9({ dir, port: dnsPort, tsig: bind9.tsig })
      const backAt = Date.now()
      const ready = yield* eventually("the Certificate to be Ready after bind9 returns", readyCertificate(namespace, "wild"), 120)
      yield* Effect.logInfo(`down ${backAt - downAt} ms; Ready ${Date.now() - backAt} ms after bind9 returned`)
      assert.strictEqual(ready.status?.failedIssuanceAttempts ?? 0, 0)
      assert.strictEqual(ready.status?.revision, 1)
    }).pipe(Effect.scoped, Effect.provide(e2eLayer(env, e2eSettings(env, { namespace, selfCheckNameservers: [`${dns.host}:${dns.port}`] })))),
    300_000,
  )
})
