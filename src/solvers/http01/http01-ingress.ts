// The Ingress that routes an ACME server's HTTP-01 request for a Challenge to
// certops' responder. Shaped like cert-manager's solver Ingress (its labels,
// annotations and controller owner reference, so tools that look for those
// find it), with two differences: it is named after the Challenge, so
// present is idempotent without a lookup, and its backend is certops' own
// Service rather than a solver pod per Challenge.
import { createHash } from "node:crypto"
import { isIP } from "node:net"
import { Effect } from "effect"
import type { Challenge } from "../../api/acme-challenge.ts"
import type { Ingress } from "../../api/core.ts"
import { Ingresses } from "../../api/kinds.ts"
import { ResourceStore } from "../../store/resource-store.ts"
import type { WriteError } from "../../store/errors.ts"
import { SolverError } from "../solver.ts"

const SOLVER = "http01"

export const CHALLENGE_PATH_PREFIX = "/.well-known/acme-challenge/"

export interface SolverService {
  readonly name: string
  readonly port: number
}

/** Challenges are namespaced; the solver Ingress goes beside its Challenge. */
const namespaceOf = (challenge: Challenge): string => challenge.metadata.namespace ?? "default"

/** `cm-acme-http-solver-` and a hash of the Challenge's identity, uid included, so a recreated Challenge gets a new one. */
export const solverIngressName = (challenge: Challenge): string => {
  const { namespace, name, uid } = challenge.metadata
  const hash = createHash("sha256").update(`${namespace ?? ""}/${name}/${uid ?? ""}`).digest("hex").slice(0, 10)
  return `cm-acme-http-solver-${hash}`
}

/** cert-manager labels solver resources with adler32 checksums of the domain and the token. */
const adler32 = (text: string): number => {
  let a = 1
  let b = 0
  for (const byte of Buffer.from(text, "utf8")) {
    a = (a + byte) % 65521
    b = (b + a) % 65521
  }
  return ((b << 16) | a) >>> 0
}

export const buildSolverIngress = (challenge: Challenge, service: SolverService): Ingress => {
  const ingress = challenge.spec.solver.http01?.ingress
  const { dnsName, token } = challenge.spec
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "Ingress",
    metadata: {
      name: solverIngressName(challenge),
      namespace: namespaceOf(challenge),
      labels: {
        "acme.cert-manager.io/http-domain": String(adler32(dnsName)),
        "acme.cert-manager.io/http-token": String(adler32(token)),
        "acme.cert-manager.io/http01-solver": "true",
      },
      annotations: {
        // cert-manager sets it so that nginx allow-lists never keep the ACME server out.
        "nginx.ingress.kubernetes.io/whitelist-source-range": "0.0.0.0/0,::/0",
        ...(ingress?.class === undefined ? {} : { "kubernetes.io/ingress.class": ingress.class }),
      },
      ownerReferences: [
        {
          apiVersion: "acme.cert-manager.io/v1",
          kind: "Challenge",
          name: challenge.metadata.name,
          uid: challenge.metadata.uid ?? "",
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {
      ...(ingress?.ingressClassName === undefined ? {} : { ingressClassName: ingress.ingressClassName }),
      rules: [
        {
          // An IP address is no Ingress host: the rule then matches every host, as in cert-manager.
          ...(isIP(dnsName) === 0 ? { host: dnsName } : {}),
          http: {
            paths: [
              {
                path: `${CHALLENGE_PATH_PREFIX}${token}`,
                pathType: "Exact",
                backend: { service: { name: service.name, port: { number: service.port } } },
              },
            ],
          },
        },
      ],
    },
  }
}

const storeFailure = (doing: string, error: WriteError) =>
  new SolverError({
    solver: SOLVER,
    detail: `error ${doing} http01 challenge ingress: ${error.message}`,
    retryable: error._tag === "Conflict" || (error._tag === "StoreUnavailable" && error.retryable),
  })

export const ensureSolverIngress = (challenge: Challenge, service: SolverService): Effect.Effect<void, SolverError, ResourceStore> =>
  Effect.gen(function* () {
    if (challenge.spec.solver.http01?.ingress.name !== undefined) {
      return yield* new SolverError({
        solver: SOLVER,
        detail: `http01.ingress.name asks to edit the Ingress "${challenge.spec.solver.http01.ingress.name}" in place, which certops does not do; remove it to let certops create its own solver Ingress`,
        retryable: false,
      })
    }
    if (challenge.metadata.uid === undefined) {
      return yield* new SolverError({ solver: SOLVER, detail: "the Challenge has no uid to own its solver Ingress; read it from the store", retryable: false })
    }
    const store = yield* ResourceStore
    yield* store.create(Ingresses, buildSolverIngress(challenge, service)).pipe(
      // Named after the Challenge: one that exists is the one an earlier present made.
      Effect.catchTag("AlreadyExists", () => Effect.void),
      Effect.mapError((error) => storeFailure("ensuring", error)),
    )
  })

export const deleteSolverIngress = (challenge: Challenge): Effect.Effect<void, SolverError, ResourceStore> =>
  Effect.gen(function* () {
    const store = yield* ResourceStore
    yield* store.delete(Ingresses, { namespace: namespaceOf(challenge), name: solverIngressName(challenge) }).pipe(
      Effect.catchTag("NotFound", () => Effect.void),
      Effect.mapError((error) => storeFailure("cleaning up", error)),
    )
  })
