// The request budget of one certificate, in npm test so that a regression
// shows here and not only in the bench: one name over HTTP-01, on the real
// apiserver and pebble, counting every request certops itself sends (the
// test's own create of the Certificate is left out). The Issuer's account
// registration happens before the count starts.
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { Certificates, Challenges, Issuers, Orders } from "../../../src/api/kinds.ts"
import { AcmeAccounts } from "../../../src/acme/accounts.ts"
import { runIssuance } from "../../../src/controllers/issuance.ts"
import { challengeSolversLayer } from "../../../src/solvers/challenge-solvers.ts"
import { http01ResponderLayer } from "../../../src/solvers/http01/http01-responder.ts"
import { kubernetesStoreFromClient } from "../../../src/store/kubernetes/layer.ts"
import { ResourceStore } from "../../../src/store/resource-store.ts"
import { countingKubeClientLayer, makeRequestTally } from "../../support/counting-kube-client.ts"
import { testEnvironment, uniqueName } from "../../support/env.ts"
import { issuanceLayer } from "../../support/issuance-harness.ts"
import { acmeIssuer, certificateFor, e2eSettings, eventually, readyCertificate, readyIssuer } from "../../support/issuance-e2e.ts"
import { createNamespaceNamed } from "../../support/kube.ts"

const env = testEnvironment()

/**
 * What one certificate may cost. ACME: newOrder, one authorization is in the
 * newOrder answer, challenge accept, one or two authorization polls,
 * finalize, certificate download, plus the nonces the pool cannot supply.
 * apiserver: the objects (next-key Secret, CertificateRequest, Order,
 * Challenge, the TLS Secret), one status write per state change, the
 * deletions that clean up, and the Events the documents show.
 */
const budget = { acme: 10, apiserver: 32, apiserverWithoutEvents: 20, events: 12 }

/** pebble refuses a share of good nonces on purpose (PEBBLE_WFE_NONCEREJECT, 5 % by default): those 400s and their retries are its cost, not certops'. */
const badNonceRejections = (counts: ReadonlyArray<{ readonly status: string; readonly count: number }>) =>
  counts.filter((entry) => entry.status === "400").reduce((sum, entry) => sum + entry.count, 0)

describe("request budget of one certificate (one name, HTTP-01)", () => {
  const namespace = uniqueName("budget")
  const tally = makeRequestTally()
  const layer = issuanceLayer(
    kubernetesStoreFromClient().pipe(Layer.provide(countingKubeClientLayer(env.kube.kubeconfig, tally))),
    e2eSettings(env, { namespace }),
    Layer.mergeAll(challengeSolversLayer, http01ResponderLayer()),
  )

  it.live("stays within its ACME and apiserver budgets", () =>
    Effect.gen(function* () {
      yield* Effect.promise(() => createNamespaceNamed(env, namespace))
      const store = yield* ResourceStore
      const accounts = yield* AcmeAccounts
      yield* runIssuance
      yield* store.create(Issuers, acmeIssuer(env, namespace, "budget-issuer", [{ http01: { ingress: {} } }]))
      yield* eventually("the Issuer to be Ready", readyIssuer(namespace, "budget-issuer"))
      // Let the Issuer's own writes and their echoes settle before counting.
      yield* Effect.sleep("1 second")
      const acmeCount = () => accounts.requestCounts().reduce((sum, entry) => sum + entry.count, 0) - badNonceRejections(accounts.requestCounts())
      const acmeBefore = acmeCount()
      tally.reset()

      yield* store.create(Certificates, certificateFor(namespace, "budget", "budget-issuer", [`${uniqueName("one")}.${env.dns.zone}`]))
      yield* eventually("the Certificate to be Ready", readyCertificate(namespace, "budget"), 90)
      yield* eventually(
        "the Order's Challenges to be cleaned up",
        Effect.map(store.list(Challenges, { namespace }), (challenges) => (challenges.length === 0 ? true : undefined)),
      )
      // Whatever follows Ready (the last writes, their echoes) counts too.
      yield* Effect.sleep("3 seconds")

      const acme = acmeCount() - acmeBefore
      const byResource = new Map(tally.counts)
      byResource.set("POST certificates", (byResource.get("POST certificates") ?? 0) - 1) // the test's own create
      const apiserver = [...byResource.values()].reduce((sum, count) => sum + count, 0)
      const events = byResource.get("POST events") ?? 0
      const breakdown = JSON.stringify(Object.fromEntries([...byResource].filter(([, count]) => count > 0).sort()))
      console.log(`one certificate: ${acme} ACME requests (besides pebble's nonce rejections), ${apiserver} apiserver requests (${events} Events): ${breakdown}`)

      const [order] = yield* store.list(Orders, { namespace })
      assert.strictEqual(order?.status?.state, "valid")
      assert.isAtMost(acme, budget.acme, `ACME requests: ${JSON.stringify(accounts.requestCounts())}`)
      assert.isAtMost(apiserver, budget.apiserver, `apiserver requests: ${breakdown}`)
      assert.isAtMost(apiserver - events, budget.apiserverWithoutEvents, `apiserver requests besides Events: ${breakdown}`)
      assert.isAtMost(events, budget.events, `Events: ${breakdown}`)
      // Nothing re-reads what the watch already delivers.
      assert.strictEqual(byResource.get("GET certificates") ?? 0, 0, breakdown)
      assert.strictEqual(byResource.get("GET orders") ?? 0, 0, breakdown)
      assert.strictEqual(byResource.get("GET certificaterequests") ?? 0, 0, breakdown)
    }).pipe(Effect.scoped, Effect.provide(layer)),
    120_000,
  )
})
