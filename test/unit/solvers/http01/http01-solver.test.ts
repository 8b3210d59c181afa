// The HTTP-01 solver over a memory store: the token index it waits on, the
// solver Ingress it makes and removes, and the responder serving tokens
// over real HTTP on loopback.
import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Layer, Option } from "effect"
import { TestClock } from "effect/testing"
import type { Challenge } from "../../../../src/api/acme-challenge.ts"
import type { Http01IngressSolver } from "../../../../src/api/issuer.ts"
import { Challenges, Ingresses } from "../../../../src/api/kinds.ts"
import { defaultIssuanceSettings, IssuanceSettings, type IssuanceSettings as Settings } from "../../../../src/settings/issuance-settings.ts"
import { challengeSolversLayer } from "../../../../src/solvers/challenge-solvers.ts"
import { dnsTransportLayer } from "../../../../src/solvers/dns01/dns-transport.ts"
import { buildSolverIngress, solverIngressName } from "../../../../src/solvers/http01/http01-ingress.ts"
import { Http01Responder, http01ResponderLayer } from "../../../../src/solvers/http01/http01-responder.ts"
import { makeHttp01Solver } from "../../../../src/solvers/http01/http01-solver.ts"
import { Http01TokenIndex, http01TokenIndexLayer } from "../../../../src/solvers/http01/token-index.ts"
import { memoryStoreLayer } from "../../../../src/store/memory.ts"
import { ResourceStore } from "../../../../src/store/resource-store.ts"
import { challenge } from "../challenges.ts"

const http01 = (ingress: Http01IngressSolver = { ingressClassName: "nginx" }, namespace = "team") =>
  challenge({ type: "HTTP-01", solver: { http01: { ingress } }, namespace, dnsName: "www.example.test" })

const withIngressService: Settings = { ...defaultIssuanceSettings, http01IngressService: { name: "certops-http01", port: 8089 } }

const storeAndIndex = http01TokenIndexLayer.pipe(Layer.provideMerge(memoryStoreLayer))
const solverLayers = Layer.mergeAll(storeAndIndex, dnsTransportLayer())

/** Stores the Challenge (the store gives it its uid) and returns it as stored. */
const stored = (subject: Challenge) => ResourceStore.use((store) => store.create(Challenges, subject))

describe("token index", () => {
  it.effect("serves an HTTP-01 Challenge's key for its token while the Challenge exists", () =>
    Effect.gen(function* () {
      const index = yield* Http01TokenIndex
      const subject = yield* stored(http01())
      yield* index.awaitServed(subject)
      assert.deepStrictEqual(yield* index.lookup(subject.spec.token), Option.some(subject.spec.key))

      yield* ResourceStore.use((store) => store.delete(Challenges, { namespace: "team", name: subject.metadata.name }))
      // Deleting is seen through the same watch; wait for it by polling the index.
      yield* index.lookup(subject.spec.token).pipe(Effect.repeat({ until: Option.isNone }))
    }).pipe(Effect.provide(storeAndIndex)),
  )

  it.effect("leaves DNS-01 Challenges out", () =>
    Effect.gen(function* () {
      const index = yield* Http01TokenIndex
      const dns = yield* stored(challenge({ type: "DNS-01", solver: { dns01: { rfc2136: { nameserver: "192.0.2.1" } } } }))
      const web = yield* stored(http01())
      yield* index.awaitServed(web)
      assert.isTrue(Option.isNone(yield* index.lookup(dns.spec.token)))
    }).pipe(Effect.provide(storeAndIndex)),
  )
})

describe("present and cleanUp", () => {
  it.effect("waits for the index, then makes the solver Ingress owned by the Challenge", () =>
    Effect.gen(function* () {
      const solver = yield* makeHttp01Solver
      const subject = yield* stored(http01({ class: "nginx-legacy" }))
      yield* solver.present(subject)

      const ingress = yield* ResourceStore.use((store) => store.get(Ingresses, { namespace: "team", name: solverIngressName(subject) }))
      assert.match(ingress.metadata.name, /^cm-acme-http-solver-[0-9a-f]{10}$/)
      assert.deepStrictEqual(ingress.metadata.ownerReferences, [
        { apiVersion: "acme.cert-manager.io/v1", kind: "Challenge", name: subject.metadata.name, uid: subject.metadata.uid!, controller: true, blockOwnerDeletion: true },
      ])
      assert.deepStrictEqual(ingress.metadata.annotations, {
        "nginx.ingress.kubernetes.io/whitelist-source-range": "0.0.0.0/0,::/0",
        "kubernetes.io/ingress.class": "nginx-legacy",
      })
      assert.strictEqual(ingress.metadata.labels?.["acme.cert-manager.io/http01-solver"], "true")
      assert.deepStrictEqual(ingress.spec, {
        rules: [
          {
            host: "www.example.test",
            http: {
              paths: [
                {
                  path: `/.well-known/acme-challenge/${subject.spec.token}`,
                  pathType: "Exact",
                  backend: { service: { name: "certops-http01", port: { number: 8089 } } },
                },
              ],
            },
          },
        ],
      })

      // Present again changes nothing; cleanUp removes the Ingress, twice is fine.
      yield* solver.present(subject)
      yield* solver.cleanUp(subject)
      yield* solver.cleanUp(subject)
      const left = yield* ResourceStore.use((store) => store.list(Ingresses, { namespace: "team" }))
      assert.strictEqual(left.length, 0)
    }).pipe(Effect.provideService(IssuanceSettings, withIngressService), Effect.provide(solverLayers)),
  )

  it("names the Ingress class with ingressClassName, and gives an IP address no host", () => {
    const subject = { ...http01({ ingressClassName: "traefik" }), metadata: { name: "c", namespace: "team", uid: "u-1" } }
    const ingress = buildSolverIngress({ ...subject, spec: { ...subject.spec, dnsName: "192.0.2.7" } }, { name: "svc", port: 80 })
    assert.strictEqual(ingress.spec?.ingressClassName, "traefik")
    assert.notProperty(ingress.metadata.annotations, "kubernetes.io/ingress.class")
    assert.notProperty(ingress.spec?.rules?.[0], "host")
  })

  it.effect("makes no Ingress without an Ingress service (no cluster)", () =>
    Effect.gen(function* () {
      const solver = yield* makeHttp01Solver
      const subject = yield* stored(http01())
      yield* solver.present(subject)
      yield* solver.cleanUp(subject)
      const ingresses = yield* ResourceStore.use((store) => store.list(Ingresses))
      assert.strictEqual(ingresses.length, 0)
    }).pipe(Effect.provide(solverLayers)),
  )

  it.effect("edits a named Ingress in place, and says so retryably when it does not exist yet", () =>
    Effect.gen(function* () {
      const solver = yield* makeHttp01Solver
      const subject = yield* stored(http01({ name: "my-site" }))
      const missing = yield* Effect.flip(solver.present(subject))
      assert.strictEqual(missing.retryable, true)
      assert.match(missing.detail, /the Ingress "my-site" to edit in place \(http01\.ingress\.name\) does not exist in namespace team/)
      const store = yield* ResourceStore
      const site = { apiVersion: "networking.k8s.io/v1" as const, kind: "Ingress" as const, metadata: { name: "my-site", namespace: "team" }, spec: { rules: [{ host: "other.example.com", http: { paths: [{ path: "/", pathType: "Prefix" as const, backend: { service: { name: "web", port: { number: 80 } } } }] } }] } }
      yield* store.create(Ingresses, site)
      yield* solver.present(subject)
      const edited = yield* store.get(Ingresses, { namespace: "team", name: "my-site" })
      assert.strictEqual(edited.spec?.rules?.length, 2)
      assert.include(JSON.stringify(edited.spec), "/.well-known/acme-challenge/")
      yield* solver.cleanUp(subject)
      assert.deepStrictEqual((yield* store.get(Ingresses, { namespace: "team", name: "my-site" })).spec, site.spec)
      // No solver Ingress of its own.
      assert.strictEqual((yield* store.list(Ingresses, { namespace: "team" })).length, 1)
    }).pipe(Effect.provideService(IssuanceSettings, withIngressService), Effect.provide(solverLayers)),
  )

  it.effect("gives up retryably when the Challenge never reaches the index", () =>
    Effect.gen(function* () {
      const solver = yield* makeHttp01Solver
      const fiber = yield* Effect.forkChild(Effect.flip(solver.present(http01())))
      yield* TestClock.adjust("31 seconds")
      const error = yield* Fiber.join(fiber)
      assert.strictEqual(error.retryable, true)
      assert.match(error.detail, /does not serve token "token-[^"]+" after 30 seconds/)
    }).pipe(Effect.provide(solverLayers)),
  )
})

describe("responder", () => {
  const responderLayer = http01ResponderLayer().pipe(
    Layer.provideMerge(memoryStoreLayer),
    Layer.provide(Layer.succeed(IssuanceSettings, { ...defaultIssuanceSettings, http01SolverPort: 0 })),
  )

  const get = (port: number, path: string, method = "GET") =>
    Effect.promise(async () => {
      const response = await fetch(`http://127.0.0.1:${port}${path}`, { method })
      return { status: response.status, body: await response.text() }
    })

  it.live("answers a stored Challenge's token with its key, and 404 to everything else", () =>
    Effect.gen(function* () {
      const { port } = yield* Http01Responder
      const subject = yield* stored(http01())
      const path = `/.well-known/acme-challenge/${subject.spec.token}`
      const served = yield* get(port, path).pipe(Effect.repeat({ until: (response) => response.status === 200, times: 50 }))
      assert.deepStrictEqual(served, { status: 200, body: subject.spec.key })
      assert.strictEqual((yield* get(port, `${path}?probe=1`)).status, 200)

      assert.strictEqual((yield* get(port, "/.well-known/acme-challenge/unknown-token")).status, 404)
      assert.strictEqual((yield* get(port, `${path}/more`)).status, 404)
      assert.strictEqual((yield* get(port, "/")).status, 404)
      assert.strictEqual((yield* get(port, path, "POST")).status, 404)
    }).pipe(Effect.provide(responderLayer)),
  )
})

describe("layers", () => {
  it.effect("the solvers and the responder share one Challenge watch", () =>
    Effect.gen(function* () {
      let watches = 0
      const countingStore = Layer.effect(
        ResourceStore,
        Effect.map(ResourceStore, (store) =>
          ResourceStore.of({
            ...store,
            watch: (type, options) => {
              watches++
              return store.watch(type, options)
            },
          }),
        ),
      ).pipe(Layer.provide(memoryStoreLayer))
      const app = Layer.mergeAll(challengeSolversLayer, http01ResponderLayer()).pipe(
        Layer.provide(countingStore),
        Layer.provide(Layer.succeed(IssuanceSettings, { ...defaultIssuanceSettings, http01SolverPort: 0 })),
      )
      yield* Effect.scoped(Layer.build(app))
      assert.strictEqual(watches, 1)
    }),
  )
})
