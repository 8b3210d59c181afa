// The ChallengeSolvers service: HTTP-01 through certops' own responder (and
// an Ingress in a cluster), DNS-01 over RFC 2136.
//
// The HTTP-01 responder is a layer of its own (http01ResponderLayer): it binds
// a port and belongs on every replica, while the solvers run where Challenges
// are processed. Both read the same HTTP-01 token index; composed into one
// application layer, the index (one Challenge watch) is built once and shared.
import { Effect, Layer } from "effect"
import type { ResourceStore } from "../store/resource-store.ts"
import { dnsTransportLayer, type DnsTransport } from "./dns01/dns-transport.ts"
import { makeRfc2136Solver } from "./dns01/rfc2136-solver.ts"
import { makeHttp01Solver } from "./http01/http01-solver.ts"
import { http01TokenIndexLayer, type Http01TokenIndex } from "./http01/token-index.ts"
import { ChallengeSolvers } from "./solver.ts"

/** The solvers over whichever token index and DNS transport are provided (tests bring their own). */
export const challengeSolversFrom: Layer.Layer<ChallengeSolvers, never, ResourceStore | Http01TokenIndex | DnsTransport> = Layer.effect(
  ChallengeSolvers,
  Effect.gen(function* () {
    return ChallengeSolvers.of({ http01: yield* makeHttp01Solver, dns01: yield* makeRfc2136Solver })
  }),
)

export const challengeSolversLayer: Layer.Layer<ChallengeSolvers, never, ResourceStore> = challengeSolversFrom.pipe(
  Layer.provide(Layer.mergeAll(http01TokenIndexLayer, dnsTransportLayer())),
)
