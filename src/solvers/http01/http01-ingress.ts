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
export const namespaceOf = (challenge: Challenge): string => challenge.metadata.namespace ?? "default"

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

/** On every solver Ingress and HTTPRoute, as cert-manager labels its own. */
export const solverLabel = "acme.cert-manager.io/http01-solver"

/** cert-manager's labels on its solver resources (Ingress, HTTPRoute): checksums of the domain and the token. */
export const solverLabels = (challenge: Challenge): Record<string, string> => ({
  "acme.cert-manager.io/http-domain": String(adler32(challenge.spec.dnsName)),
  "acme.cert-manager.io/http-token": String(adler32(challenge.spec.token)),
  [solverLabel]: "true",
})

/** Solver objects belong to their Challenge: deleting it takes them along. */
export const solverOwner = (challenge: Challenge) => ({
  apiVersion: "acme.cert-manager.io/v1",
  kind: "Challenge",
  name: challenge.metadata.name,
  uid: challenge.metadata.uid ?? "",
  controller: true,
  blockOwnerDeletion: true,
})

/** The path that routes one Challenge's token to certops' Service. */
const challengePath = (challenge: Challenge, service: SolverService) => ({
  path: `${CHALLENGE_PATH_PREFIX}${challenge.spec.token}`,
  pathType: "Exact" as const,
  backend: { service: { name: service.name, port: { number: service.port } } },
})

export const buildSolverIngress = (challenge: Challenge, service: SolverService): Ingress => {
  const ingress = challenge.spec.solver.http01?.ingress
  const { dnsName } = challenge.spec
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "Ingress",
    metadata: {
      name: solverIngressName(challenge),
      namespace: namespaceOf(challenge),
      labels: solverLabels(challenge),
      annotations: {
        // cert-manager sets it so that nginx allow-lists never keep the ACME server out.
        "nginx.ingress.kubernetes.io/whitelist-source-range": "0.0.0.0/0,::/0",
        ...(ingress?.class === undefined ? {} : { "kubernetes.io/ingress.class": ingress.class }),
      },
      ownerReferences: [solverOwner(challenge)],
    },
    spec: {
      ...(ingress?.ingressClassName === undefined ? {} : { ingressClassName: ingress.ingressClassName }),
      rules: [
        {
          // An IP address is no Ingress host: the rule then matches every host, as in cert-manager.
          ...(isIP(dnsName) === 0 ? { host: dnsName } : {}),
          http: {
            paths: [challengePath(challenge, service)],
          },
        },
      ],
    },
  }
}

/** A store write of a solver object (`ingress`, `HTTPRoute`) that failed: retryable when the store says so. */
export const storeFailure = (doing: string, error: WriteError, object = "ingress") =>
  new SolverError({
    solver: SOLVER,
    detail: `error ${doing} http01 challenge ${object}: ${error.message}`,
    retryable: error._tag === "Conflict" || (error._tag === "StoreUnavailable" && error.retryable),
  })

type Rules = NonNullable<NonNullable<Ingress["spec"]>["rules"]>

/** The user's rules with the challenge path first under the Challenge's host (a rule of its own when there is none), as cert-manager adds it. */
export const withChallengePath = (rules: Rules, challenge: Challenge, service: SolverService): Rules | undefined => {
  const added = challengePath(challenge, service)
  const host = challenge.spec.dnsName
  const index = rules.findIndex((rule) => rule.host === host)
  if (index === -1) return [...rules, { host, http: { paths: [added] } }]
  const rule = rules[index]!
  const paths = rule.http?.paths ?? []
  const same = paths.find((path) => path.path === added.path)
  if (same !== undefined && same.backend.service?.name === service.name && same.backend.service.port.number === service.port) return undefined
  const kept = paths.filter((path) => path.path !== added.path)
  return rules.map((candidate, at) => (at === index ? { ...candidate, http: { paths: [added, ...kept] } } : candidate))
}

/** The rules without the challenge path; a rule left with no paths goes (it was only there for it). */
export const withoutChallengePath = (rules: Rules, challenge: Challenge): Rules | undefined => {
  const path = `${CHALLENGE_PATH_PREFIX}${challenge.spec.token}`
  const host = challenge.spec.dnsName
  if (!rules.some((rule) => rule.host === host && (rule.http?.paths ?? []).some((candidate) => candidate.path === path))) return undefined
  return rules.flatMap((rule) => {
    if (rule.host !== host || rule.http === undefined) return [rule]
    const paths = rule.http.paths.filter((candidate) => candidate.path !== path)
    return paths.length === 0 ? [] : [{ ...rule, http: { ...rule.http, paths } }]
  })
}

/**
 * http01.ingress.name (acme.cert-manager.io/http01-edit-in-place): the
 * challenge path goes into the user's own Ingress and out again afterwards;
 * nothing else of it is written. A merge patch of spec.rules alone, at the
 * version read, so a concurrent edit is never overwritten.
 */
const editRules = (challenge: Challenge, name: string, change: (rules: Rules) => Rules | undefined, doing: string) =>
  Effect.gen(function* () {
    const store = yield* ResourceStore
    const key = { namespace: namespaceOf(challenge), name }
    const ingress = yield* store.get(Ingresses, key, { fresh: true }).pipe(
      Effect.map((found): Ingress | undefined => found),
      Effect.catchTag("NotFound", () => Effect.succeed(undefined)),
      Effect.mapError((error) => new SolverError({ solver: SOLVER, detail: `error ${doing} http01 challenge path: ${error.message}`, retryable: true })),
    )
    if (ingress === undefined) return "missing" as const
    const rules = change(ingress.spec?.rules ?? [])
    if (rules === undefined) return undefined
    yield* store.patch(Ingresses, key, { metadata: { resourceVersion: ingress.metadata.resourceVersion ?? null }, spec: { rules } }).pipe(Effect.mapError((error) => storeFailure(doing, error)))
    return undefined
  })

export const ensureSolverIngress = (challenge: Challenge, service: SolverService): Effect.Effect<void, SolverError, ResourceStore> =>
  Effect.gen(function* () {
    const name = challenge.spec.solver.http01?.ingress?.name
    if (name !== undefined) {
      const outcome = yield* editRules(challenge, name, (rules) => withChallengePath(rules, challenge, service), "adding")
      if (outcome === "missing") {
        return yield* new SolverError({ solver: SOLVER, detail: `the Ingress "${name}" to edit in place (http01.ingress.name) does not exist in namespace ${namespaceOf(challenge)}`, retryable: true })
      }
      return
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
    const name = challenge.spec.solver.http01?.ingress?.name
    if (name !== undefined) {
      yield* editRules(challenge, name, (rules) => withoutChallengePath(rules, challenge), "cleaning up")
      return
    }
    const store = yield* ResourceStore
    yield* store.delete(Ingresses, { namespace: namespaceOf(challenge), name: solverIngressName(challenge) }).pipe(
      Effect.catchTag("NotFound", () => Effect.void),
      Effect.mapError((error) => storeFailure("cleaning up", error)),
    )
  })
