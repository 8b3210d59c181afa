// The challenge scheduler under load, judged from the watch stream of
// Challenges (what any client sees), not from logs: with a limit of 5 and
// 40 challenges over 10 shared names, never more than 5 processing and never
// two for one (name, type).
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Scope, Stream } from "effect"
import { Certificates, Challenges, Issuers } from "../../../src/api/kinds.ts"
import { runIssuance } from "../../../src/controllers/issuance.ts"
import { ResourceStore } from "../../../src/store/resource-store.ts"
import { makeRunDir } from "../../env/environment.ts"
import { startPebble, type Pebble } from "../../env/pebble.ts"
import { freePort } from "../../env/ports.ts"
import { testEnvironment, uniqueName } from "../../support/env.ts"
import { acmeIssuer, certificateFor, e2eLayer, e2eSettings, eventually } from "../../support/issuance-e2e.ts"
import { createNamespaceNamed } from "../../support/kube.ts"

const env = testEnvironment()

describe("challenge scheduling", () => {
  it.live("keeps 40 challenges over 10 names within 5 at once and one per (name, type)", () =>
    Effect.gen(function* () {
      const port = yield* freePort
      // A pebble of its own that reuses no authorization, so every name is challenged every time.
      const pebbleScope = yield* Scope.make()
      const pebble: Pebble = yield* startPebble({ dir: makeRunDir(), httpPort: port, dnsServer: `${env.dns.host}:${env.dns.port}`, authzReusePercent: 0 }).pipe(
        Scope.provide(pebbleScope),
      )
      const local = { ...env, acme: { ...env.acme, directoryUrl: pebble.directoryUrl, tlsCaPem: pebble.tlsCaPem, httpPort: port } }
      const namespace = uniqueName("scheduler")
      const layer = e2eLayer(local, e2eSettings(local, { namespace, maxConcurrentChallenges: 5 }))

      yield* Effect.gen(function* () {
        const store = yield* ResourceStore
        yield* Effect.promise(() => createNamespaceNamed(env, namespace))
        const running = new Map<string, string>()
        let peak = 0
        const violations: Array<string> = []
        const challengesSeen = new Set<string>()
        const watcher = yield* Effect.forkChild(
          store.watch(Challenges, { namespace }).pipe(
            Stream.runForEach((event) =>
              Effect.sync(() => {
                const { name } = event.object.metadata
                challengesSeen.add(name)
                const processing = event.type !== "DELETED" && event.object.status?.processing === true
                if (processing) running.set(name, `${event.object.spec.type} ${event.object.spec.dnsName}`)
                else running.delete(name)
                peak = Math.max(peak, running.size)
                if (running.size > 5) violations.push(`${running.size} processing at once`)
                const keys = [...running.values()]
                if (new Set(keys).size !== keys.length) violations.push(`two at once for one name: ${keys.join(", ")}`)
              }),
            ),
          ),
        )
        yield* runIssuance
        yield* store.create(Issuers, acmeIssuer(local, namespace, "acme", [{ http01: { ingress: {} } }]))
        const names = Array.from({ length: 10 }, (_, index) => `${uniqueName(`n${index}`)}.${env.dns.zone}`)
        for (let index = 0; index < 20; index++) {
          yield* store.create(Certificates, certificateFor(namespace, `c${index}`, "acme", [names[index % 10]!, names[(index + 1) % 10]!]))
        }
        yield* eventually(
          "all 20 certificates to be Ready",
          ResourceStore.use((s) => s.list(Certificates, { namespace })).pipe(
            Effect.map((all) => (all.filter((c) => c.status?.conditions?.some((x) => x.type === "Ready" && x.status === "True")).length === 20 ? all : undefined)),
          ),
          180,
        )
        yield* Fiber.interrupt(watcher)
        assert.deepStrictEqual(violations, [])
        assert.strictEqual(challengesSeen.size, 40)
        // Held to the limit; and 40 challenges for 10 names did queue up behind it.
        assert.isAtMost(peak, 5)
        assert.isAtLeast(peak, 2)
      }).pipe(Effect.scoped, Effect.provide(layer))
      yield* Scope.close(pebbleScope, Exit.void)
    }),
    240_000,
  )
})

