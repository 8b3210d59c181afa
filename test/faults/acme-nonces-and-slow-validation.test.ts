// A private pebble that rejects 30 % of valid nonces as badNonce and sleeps
// at random (up to 3 s) before each validation: 10 certificates all become
// Ready, with no Order failed, and pebble did reject nonces meanwhile.
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { Certificates, Issuers } from "../../src/api/kinds.ts"
import { runIssuance } from "../../src/controllers/issuance.ts"
import { ResourceStore } from "../../src/store/resource-store.ts"
import { makeRunDir } from "../env/environment.ts"
import { startPebble } from "../env/pebble.ts"
import { testEnvironment, uniqueName } from "../support/env.ts"
import { startAcmeProxy } from "../support/faults/acme-proxy.ts"
import { allReady, notReadySummary, pebbleOrderCount, recordOrderStates } from "../support/faults/common.ts"
import { acmeIssuer, certificateFor, e2eLayer, e2eSettings, eventually, readyIssuer } from "../support/issuance-e2e.ts"
import { createNamespaceNamed } from "../support/kube.ts"

const env = testEnvironment()
const certificates = 10

describe("badNonce at 30 % and slow validations", () => {
  const namespace = uniqueName("nonces")
  it.live(`issues ${certificates} certificates`, () =>
    Effect.gen(function* () {
      const dir = makeRunDir()
      const pebble = yield* startPebble({
        dir,
        httpPort: env.acme.httpPort,
        dnsServer: `${env.dns.host}:${env.dns.port}`,
        nonceRejectPercent: 30,
        validationSleep: true,
        validationSleepSeconds: 3,
      })
      const { process: _process, ...acme } = pebble
      // A pass-through proxy, to count pebble's badNonce answers.
      const proxy = yield* startAcmeProxy(acme, () => undefined)
      const privateEnv = { ...env, acme: { ...acme, directoryUrl: proxy.directoryUrl, tlsCaPem: proxy.tlsCaPem } }
      yield* Effect.promise(() => createNamespaceNamed(env, namespace))
      const store = yield* ResourceStore
      const orders = yield* recordOrderStates(namespace)
      yield* runIssuance
      yield* store.create(Issuers, acmeIssuer(privateEnv, namespace, "acme", [{ http01: { ingress: {} } }]))
      yield* eventually("the Issuer to be Ready", readyIssuer(namespace, "acme"))
      for (let index = 0; index < certificates; index++) {
        yield* store.create(Certificates, certificateFor(namespace, `site-${index}`, "acme", [`${uniqueName(`nonce${index}`)}.${env.dns.zone}`]))
      }
      const started = Date.now()
      const ready = yield* allReady(namespace, certificates, 240).pipe(
        Effect.tapCause(() => notReadySummary(namespace).pipe(Effect.flatMap((summary) => Effect.logError(`not Ready:\n${summary}`)))),
      )
      yield* Effect.logInfo(`${certificates} certificates Ready in ${Date.now() - started} ms`)
      yield* orders.stop
      const failedStates = orders.states.filter((entry) => entry.state === "errored" || entry.state === "invalid")
      assert.deepStrictEqual(failedStates, [], JSON.stringify(failedStates))
      for (const certificate of ready) assert.strictEqual(certificate.status?.failedIssuanceAttempts ?? 0, 0, certificate.metadata.name)
      // One ACME order per certificate: a badNonce never made a second one.
      const log = join(dir, "pebble.log")
      assert.strictEqual(pebbleOrderCount(log), certificates)
      // The faults happened: nonces rejected (seen on the wire), validations slept (pebble's log).
      const badNonces = proxy.requests.filter((request) => request.problemType === "urn:ietf:params:acme:error:badNonce").length
      const posts = proxy.requests.filter((request) => request.method === "POST").length
      yield* Effect.logInfo(`${badNonces} badNonce answers to ${posts} POSTs`)
      assert.isAtLeast(badNonces, Math.floor(posts * 0.1), `${badNonces} badNonce of ${posts} POSTs`)
      assert.match(readFileSync(log, "utf8"), /Sleeping for [1-9]/, "validations slept")
    }).pipe(Effect.scoped, Effect.provide(e2eLayer(env, e2eSettings(env, { namespace })))),
    300_000,
  )
})
