// ACME server answering 429 (rateLimited, Retry-After: 2) to every third
// newOrder and finalize, and a burst of 503s (Retry-After: 1) on order polls
// and challenge acceptance, through a TLS proxy in front of pebble: every
// Certificate still becomes Ready, no Order fails for it, and certops never
// comes back to an endpoint before the Retry-After it was given.
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { Certificates, Issuers } from "../../src/api/kinds.ts"
import { runIssuance } from "../../src/controllers/issuance.ts"
import { ResourceStore } from "../../src/store/resource-store.ts"
import { testEnvironment, uniqueName } from "../support/env.ts"
import { startAcmeProxy, type FaultRule, type RecordedRequest } from "../support/faults/acme-proxy.ts"
import { allReady, notReadySummary, recordOrderStates } from "../support/faults/common.ts"
import { acmeIssuer, certificateFor, e2eLayer, e2eSettings, eventually, readyIssuer } from "../support/issuance-e2e.ts"
import { createNamespaceNamed } from "../support/kube.ts"

const env = testEnvironment()
const certificates = 6

const rule: FaultRule = ({ endpoint, method, seen }) => {
  if (method !== "POST") return undefined
  if (endpoint === "newOrder" && seen % 3 === 1) return { status: 429, retryAfterSeconds: 2 }
  if (endpoint === "finalize" && seen % 3 === 1) return { status: 429, retryAfterSeconds: 2 }
  // A burst of outages on order polls and challenge acceptance.
  if (endpoint === "order" && seen >= 3 && seen <= 8) return { status: 503, retryAfterSeconds: 1 }
  if (endpoint === "challenge" && seen >= 2 && seen <= 3) return { status: 503, retryAfterSeconds: 1 }
  return undefined
}

describe("ACME 429 and 503", () => {
  let recorded: ReadonlyArray<RecordedRequest> | undefined
  const namespace = uniqueName("ratelimit")
  it.live(`issues ${certificates} certificates through rate limits and outages, no Order failed`, () =>
    Effect.gen(function* () {
      yield* Effect.promise(() => createNamespaceNamed(env, namespace))
      const proxy = yield* startAcmeProxy(env.acme, rule)
      const proxied = { ...env, acme: { ...env.acme, directoryUrl: proxy.directoryUrl, tlsCaPem: proxy.tlsCaPem } }
      const store = yield* ResourceStore
      const orders = yield* recordOrderStates(namespace)
      yield* runIssuance
      yield* store.create(Issuers, acmeIssuer(proxied, namespace, "acme", [{ http01: { ingress: {} } }]))
      yield* eventually("the Issuer to be Ready", readyIssuer(namespace, "acme"))
      for (let index = 0; index < certificates; index++) {
        yield* store.create(Certificates, certificateFor(namespace, `site-${index}`, "acme", [`${uniqueName(`rl${index}`)}.${env.dns.zone}`]))
      }
      const started = Date.now()
      const ready = yield* allReady(namespace, certificates, 150).pipe(
        Effect.tapCause(() => notReadySummary(namespace).pipe(Effect.flatMap((summary) => Effect.logError(`not Ready:\n${summary}`)))),
      )
      yield* Effect.logInfo(`${certificates} certificates Ready in ${Date.now() - started} ms`)
      yield* orders.stop

      // The faults did happen, and on the endpoints meant.
      const injected = proxy.requests.filter((request) => request.injected !== undefined)
      const count = (endpoint: string, status: number) => injected.filter((request) => request.endpoint === endpoint && request.status === status).length
      assert.isAtLeast(count("newOrder", 429), 2, "newOrder rate limited")
      assert.isAtLeast(count("finalize", 429), 2, "finalize rate limited")
      assert.isAtLeast(count("order", 503), 3, "order polls unavailable")
      assert.isAtLeast(count("challenge", 503), 1, "challenge acceptance unavailable")

      // No Order failed because of them; no Certificate counted a failure.
      const failedStates = orders.states.filter((entry) => entry.state === "errored" || entry.state === "invalid")
      assert.deepStrictEqual(failedStates, [], JSON.stringify(failedStates))
      for (const certificate of ready) assert.strictEqual(certificate.status?.failedIssuanceAttempts ?? 0, 0, certificate.metadata.name)

      recorded = proxy.requests
    }).pipe(Effect.scoped, Effect.provide(e2eLayer(env, e2eSettings(env, { namespace })))),
    240_000,
  )

  // Retry-After honoured: the next request to the same endpoint (for the
  // same order) waited at least that long.
  it.live("never comes back to an endpoint before the Retry-After it was given", () =>
    Effect.gen(function* () {
      const requests = recorded
      assert.isDefined(requests, "the issuance above ran")
      if (requests === undefined) return
      const gaps: Array<string> = []
      let followed = 0
      for (const [index, fault] of requests.entries()) {
        if (fault.injected?.retryAfterSeconds === undefined) continue
        // The proxy records forwarded requests when answered: order by arrival,
        // and count only requests that arrived after the fault was answered.
        const next = requests
          .filter((request, other) => other !== index && request.key === fault.key && request.method === fault.method && request.at >= fault.at)
          .sort((a, b) => a.at - b.at)[0]
        if (next === undefined) continue
        followed++
        const waited = next.at - fault.at
        if (waited < fault.injected.retryAfterSeconds * 1_000) gaps.push(`${fault.key} ${fault.status}: retried after ${waited} ms < ${fault.injected.retryAfterSeconds} s`)
      }
      assert.isAtLeast(followed, 6, "faulted requests were retried")
      assert.deepStrictEqual(gaps, [], gaps.join("\n"))
    }),
  )
})
