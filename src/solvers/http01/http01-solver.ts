// The HTTP-01 solver. certops answers the ACME server itself (the responder,
// fed by the token index), so present is: wait until the index serves the
// Challenge's token, and, when certops runs behind an Ingress controller,
// make the Ingress (or, for gatewayHTTPRoute, the HTTPRoute) that routes the
// challenge path to certops' Service. cleanUp removes it; selfCheck fetches the URL as the ACME server will.
import { Context, Effect } from "effect"
import type { Challenge } from "../../api/acme-challenge.ts"
import { IssuanceSettings } from "../../settings/issuance-settings.ts"
import { ResourceStore } from "../../store/resource-store.ts"
import { DnsTransport } from "../dns01/dns-transport.ts"
import { SolverError, type ChallengeSolver } from "../solver.ts"
import { deleteSolverIngress, ensureSolverIngress } from "./http01-ingress.ts"
import { deleteSolverRoute, ensureSolverRoute } from "./http01-route.ts"
import { checkHttp01 } from "./http01-self-check.ts"
import { Http01TokenIndex } from "./token-index.ts"

/**
 * The index follows the store's watch, which delivers a new Challenge within
 * moments; much longer means the Challenge is not in the store at all.
 */
const SERVE_TIMEOUT = "30 seconds"

/** What routes the challenge path to certops' Service: an HTTPRoute for gatewayHTTPRoute solvers, else an Ingress. */
const routeOf = (challenge: Challenge) =>
  challenge.spec.solver.http01?.gatewayHTTPRoute !== undefined
    ? { ensure: ensureSolverRoute, remove: deleteSolverRoute }
    : { ensure: ensureSolverIngress, remove: deleteSolverIngress }

/** A solver with the IssuanceSettings in force when it is made. */
export const makeHttp01Solver: Effect.Effect<ChallengeSolver, never, ResourceStore | Http01TokenIndex | DnsTransport> = Effect.gen(
  function* () {
    const settings = yield* IssuanceSettings
    const index = yield* Http01TokenIndex
    // Just these services, so that a caller's span and log annotations still apply.
    const services = Context.pick(ResourceStore, DnsTransport)(yield* Effect.context<ResourceStore | DnsTransport>())

    const present = (challenge: Challenge) =>
      Effect.gen(function* () {
        yield* index.awaitServed(challenge).pipe(
          Effect.timeoutOrElse({
            duration: SERVE_TIMEOUT,
            orElse: () =>
              Effect.fail(
                new SolverError({
                  solver: "http01",
                  detail: `the HTTP-01 responder does not serve token "${challenge.spec.token}" after ${SERVE_TIMEOUT}: the Challenge has not reached it through the store`,
                  retryable: true,
                }),
              ),
          }),
        )
        if (settings.http01IngressService !== undefined) yield* routeOf(challenge).ensure(challenge, settings.http01IngressService)
      }).pipe(Effect.provideContext(services), Effect.withSpan("http01.present", { attributes: { dnsName: challenge.spec.dnsName } }))

    // Without a Service to route to, nothing was made; the responder needs no cleaning.
    const cleanUp = (challenge: Challenge) =>
      settings.http01IngressService === undefined
        ? Effect.void
        : routeOf(challenge).remove(challenge).pipe(Effect.provideContext(services))

    const selfCheck = (challenge: Challenge) =>
      checkHttp01(challenge, { port: settings.http01SelfCheckPort, nameservers: settings.selfCheckNameservers }).pipe(
        Effect.provideContext(services),
      )

    return { present, selfCheck, cleanUp }
  },
)
