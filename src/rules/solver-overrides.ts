// cert-manager's per-Certificate HTTP-01 overrides (acmeorders/util.go):
// annotations a Certificate carries (ingress-shim sets them for
// http01-edit-in-place and the http01-ingress-class annotations), copied to
// its CertificateRequest and Order, replace the chosen solver's Ingress
// settings for that Order's Challenges. At most one of them.
import type { AcmeChallengeSolver } from "../api/issuer.ts"

export const overrideAnnotations = {
  ingressName: "acme.cert-manager.io/http01-override-ingress-name",
  ingressClass: "acme.cert-manager.io/http01-override-ingress-class",
  ingressClassName: "acme.cert-manager.io/http01-override-ingress-ingressclassname",
} as const

/** gateway-shim's: the Gateway an HTTPRoute for the Certificate's challenges attaches to. */
export const parentRefAnnotations = {
  kind: "acme.cert-manager.io/http01-parentrefkind",
  name: "acme.cert-manager.io/http01-parentrefname",
  namespace: "acme.cert-manager.io/http01-parentrefnamespace",
} as const

/** The prefix of the annotations that travel from a Certificate to its request and Order. */
export const http01AnnotationPrefix = "acme.cert-manager.io/http01-"

/** The solver with the Order's overrides applied, or why they cannot be. */
export const applySolverOverrides = (solver: AcmeChallengeSolver, orderAnnotations: Readonly<Record<string, string>> | undefined): AcmeChallengeSolver | string => {
  const ingress = solver.http01?.ingress
  if (ingress === undefined || orderAnnotations === undefined) return solver
  const name = orderAnnotations[overrideAnnotations.ingressName]
  const ingressClass = orderAnnotations[overrideAnnotations.ingressClass]
  const ingressClassName = orderAnnotations[overrideAnnotations.ingressClassName]
  const given = [name, ingressClass, ingressClassName].filter((value) => value !== undefined)
  if (given.length === 0) return solver
  if (given.length > 1) return "may not specify more than one of: name, class, ingressClassName override annotations"
  const { name: _name, class: _class, ingressClassName: _className, ...rest } = ingress
  return {
    ...solver,
    http01: {
      ...solver.http01,
      ingress: {
        ...rest,
        ...(name === undefined ? {} : { name }),
        ...(ingressClass === undefined ? {} : { class: ingressClass }),
        ...(ingressClassName === undefined ? {} : { ingressClassName }),
      },
    },
  }
}
