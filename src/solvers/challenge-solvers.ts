// The ChallengeSolvers service: HTTP-01 through certops' own responder (and
// an Ingress in a cluster), DNS-01 over RFC 2136 or through a cert-manager
// webhook solver, whichever the Challenge's solver names.
//
// The HTTP-01 responder is a layer of its own (http01ResponderLayer): it binds
// a port and belongs on every replica, while the solvers run where Challenges
// are processed. Both read the same HTTP-01 token index; composed into one
// application layer, the index (one Challenge watch) is built once and shared.
import { Effect, Layer } from "effect"
import type { Challenge } from "../api/acme-challenge.ts"
import type { ResourceStore } from "../store/resource-store.ts"
import { dnsTransportLayer, type DnsTransport } from "./dns01/dns-transport.ts"
import { makeRfc2136Solver } from "./dns01/rfc2136-solver.ts"
import { makeWebhookSolver } from "./dns01/webhook-solver.ts"
import { makeHttp01Solver } from "./http01/http01-solver.ts"
import { http01TokenIndexLayer, type Http01TokenIndex } from "./http01/token-index.ts"
import { ChallengeSolvers, type ChallengeSolver } from "./solver.ts"

/** DNS-01 by the provider a Challenge's solver names (the schema allows exactly one). */
const dns01ByProvider = (rfc2136: ChallengeSolver, webhook: ChallengeSolver): ChallengeSolver => {
  const pick = (challenge: Challenge) => (challenge.spec.solver.dns01?.webhook === undefined ? rfc2136 : webhook)
  return {
    present: (challenge) => pick(challenge).present(challenge),
    selfCheck: (challenge) => pick(challenge).selfCheck(challenge),
    cleanUp: (challenge) => pick(challenge).cleanUp(challenge),
  }
}

/** The solvers over whichever token index and DNS transport are provided (tests bring their own). */
export const challengeSolversFrom: Layer.Layer<ChallengeSolvers, never, ResourceStore | Http01TokenIndex | DnsTransport> = Layer.effect(
  ChallengeSolvers,
  Effect.gen(function* () {
    return ChallengeSolvers.of({ http01: yield* makeHttp01Solver, dns01: dns01ByProvider(yield* makeRfc2136Solver, yield* makeWebhookSolver) })
  }),
)

export const challengeSolversLayer: Layer.Layer<ChallengeSolvers, never, ResourceStore> = challengeSolversFrom.pipe(
  Layer.provide(Layer.mergeAll(http01TokenIndexLayer, dnsTransportLayer())),
)
