// HTTP-01 through the Gateway API (http01.gatewayHTTPRoute): one HTTPRoute
// per Challenge, attached to the solver's parentRefs (or the Gateway its
// Certificate came from), matching exactly the token path on the Challenge's
// host and sending it to certops' Service. Shaped like cert-manager's
// (generateHTTPRouteSpec), named after the Challenge like the solver Ingress.
import { isIP } from "node:net"
import { Effect } from "effect"
import type { Challenge } from "../../api/acme-challenge.ts"
import type { HTTPRoute } from "../../api/gateway.ts"
import { HTTPRoutes } from "../../api/kinds.ts"
import { ResourceStore } from "../../store/resource-store.ts"
import { SolverError } from "../solver.ts"
import { CHALLENGE_PATH_PREFIX, namespaceOf, solverIngressName, solverLabels, solverOwner, storeFailure, type SolverService } from "./http01-ingress.ts"

export const buildSolverRoute = (challenge: Challenge, service: SolverService): HTTPRoute => {
  const gateway = challenge.spec.solver.http01?.gatewayHTTPRoute
  const { dnsName, token } = challenge.spec
  return {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "HTTPRoute",
    metadata: {
      name: solverIngressName(challenge),
      namespace: namespaceOf(challenge),
      labels: { ...gateway?.labels, ...solverLabels(challenge) },
      ownerReferences: [solverOwner(challenge)],
    },
    spec: {
      parentRefs: gateway?.parentRefs ?? [],
      // HTTPRoutes take no IP addresses as hostnames: such a route matches every host.
      ...(isIP(dnsName) === 0 ? { hostnames: [dnsName] } : {}),
      rules: [
        {
          matches: [{ path: { type: "Exact", value: `${CHALLENGE_PATH_PREFIX}${token}` } }],
          backendRefs: [{ group: "", kind: "Service", name: service.name, port: service.port, weight: 1 }],
        },
      ],
    },
  }
}

export const ensureSolverRoute = (challenge: Challenge, service: SolverService): Effect.Effect<void, SolverError, ResourceStore> =>
  Effect.gen(function* () {
    if ((challenge.spec.solver.http01?.gatewayHTTPRoute?.parentRefs ?? []).length === 0) {
      return yield* new SolverError({ solver: "http01", detail: "must specify parentRefs either through annotations or solver config", retryable: false })
    }
    const store = yield* ResourceStore
    yield* store.create(HTTPRoutes, buildSolverRoute(challenge, service)).pipe(
      Effect.catchTag("AlreadyExists", () => Effect.void),
      Effect.mapError((error) => storeFailure("ensuring", error, "HTTPRoute")),
    )
  })

export const deleteSolverRoute = (challenge: Challenge): Effect.Effect<void, SolverError, ResourceStore> =>
  ResourceStore.use((store) =>
    store.delete(HTTPRoutes, { namespace: namespaceOf(challenge), name: solverIngressName(challenge) }).pipe(
      Effect.catchTag("NotFound", () => Effect.void),
      Effect.mapError((error) => storeFailure("cleaning up", error, "HTTPRoute")),
    ),
  )
