// The observability server's answers when the store fails: a 503 that says
// why, for the scraper and for the kubelet alike. (The happy paths run
// against the real apiserver in test/integration/observability.)
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { AcmeAccounts } from "../../../src/acme/accounts.ts"
import { observabilityServerLayer } from "../../../src/observability/http.ts"
import { metricsLayer } from "../../../src/observability/metrics.ts"
import { StoreUnavailable } from "../../../src/store/errors.ts"
import { ResourceStore } from "../../../src/store/resource-store.ts"
import { makeTableStore } from "../../../src/store/table-store.ts"
import { freePort } from "../../env/ports.ts"

const unreachable = new StoreUnavailable({ operation: "list", detail: "API server unreachable: connect ECONNREFUSED", retryable: true })
const failingStore = Layer.effect(
  ResourceStore,
  Effect.map(makeTableStore(), (store) => ({ ...store, list: () => Effect.fail(unreachable) })),
)
const noAcme = Layer.succeed(AcmeAccounts, AcmeAccounts.of({ clientFor: () => Effect.die("unused"), client: () => assert.fail("no ACME here"), requestCounts: () => [] }))

const get = (port: number, path: string) =>
  Effect.promise(async () => {
    const response = await fetch(`http://127.0.0.1:${port}${path}`)
    return { status: response.status, body: await response.text() }
  })

describe("the observability server when the store fails", () => {
  it.live("answers 503 with the reason on /metrics and /readyz, and stays live", () =>
    Effect.gen(function* () {
      const port = yield* freePort
      yield* Effect.gen(function* () {
        assert.deepStrictEqual(yield* get(port, "/metrics"), { status: 503, body: "metrics unavailable: store list failed: API server unreachable: connect ECONNREFUSED\n" })
        assert.deepStrictEqual(yield* get(port, "/readyz"), {
          status: 503,
          body: "[-]store failed: store list failed: API server unreachable: connect ECONNREFUSED\nreadyz check failed\n",
        })
        assert.deepStrictEqual(yield* get(port, "/livez"), { status: 200, body: "ok" })
      }).pipe(Effect.provide(observabilityServerLayer({ port })))
    }).pipe(Effect.provide(Layer.mergeAll(failingStore, noAcme, metricsLayer))),
  )
})
