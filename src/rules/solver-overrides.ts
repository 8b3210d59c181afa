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
export const applySolverOverrides = (solver: AcmeChallengeSolver, orderAnnotations: Readonly<Record<string, string>> | undefined, orderNamespace = ""): AcmeChallengeSolver | string => {
  if (solver.http01?.gatewayHTTPRoute !== undefined) return applyParentRefOverride(solver, orderAnnotations, orderNamespace)
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

/**
 * applyGatewayAPIAnnotationParentRefOverride: the Gateway a Certificate came
 * from (gateway-shim's annotations) joins the solver's parentRefs, in place
 * of one naming the same parent.
 */
const applyParentRefOverride = (solver: AcmeChallengeSolver, orderAnnotations: Readonly<Record<string, string>> | undefined, orderNamespace: string): AcmeChallengeSolver | string => {
  const route = solver.http01!.gatewayHTTPRoute!
  const name = orderAnnotations?.[parentRefAnnotations.name]
  const kind = orderAnnotations?.[parentRefAnnotations.kind]
  if ((name === undefined) !== (kind === undefined)) return "cannot specify only one of parentRefName, parentRefKind override annotations"
  let parentRefs = route.parentRefs ?? []
  if (name !== undefined && kind !== undefined) {
    const namespace = orderAnnotations?.[parentRefAnnotations.namespace] || orderNamespace
    const same = (ref: (typeof parentRefs)[number]) => ref.namespace === namespace && ref.name === name && (ref.kind === undefined || ref.kind === kind)
    // The group the API server would default it to, written out so the Challenge reads as the route does.
    parentRefs = [...parentRefs.filter((ref) => !same(ref)), { group: "gateway.networking.k8s.io", kind, name, namespace }]
  }
  if (parentRefs.length === 0) return "must specify parentRefs either through annotations or solver config"
  return { ...solver, http01: { ...solver.http01, gatewayHTTPRoute: { ...route, parentRefs } } }
}
