// Edit-in-place HTTP-01 as data: the challenge path goes first under the
// Challenge's host (or into a rule of its own), comes out again leaving the
// user's rules as they were; and the Certificate's override annotations
// replace the chosen solver's Ingress settings, one at a time.
import { describe, expect, it } from "vitest"
import type { Challenge } from "../../../../src/api/acme-challenge.ts"
import type { Ingress } from "../../../../src/api/core.ts"
import { certificatesForIngress } from "../../../../src/rules/shim-certificates.ts"
import { applySolverOverrides } from "../../../../src/rules/solver-overrides.ts"
import { withChallengePath, withoutChallengePath } from "../../../../src/solvers/http01/http01-ingress.ts"

type Rules = NonNullable<NonNullable<Ingress["spec"]>["rules"]>

const challenge = (dnsName: string): Challenge => ({
  apiVersion: "acme.cert-manager.io/v1",
  kind: "Challenge",
  metadata: { name: "web-1-0", namespace: "shop", uid: "c-1" },
  spec: {
    url: "https://acme.test/chall/1", authorizationURL: "https://acme.test/authz/1", dnsName, type: "HTTP-01", token: "tok",
    key: "tok.thumb", solver: { http01: { ingress: { name: "kuard" } } }, issuerRef: { name: "le" },
  },
})
const service = { name: "certops-acme-http01", port: 8089 }
const userRules: Rules = [
  { host: "shop.example.com", http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "kuard", port: { number: 80 } } } }] } },
  { host: "other.example.com", http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "other", port: { number: 80 } } } }] } },
]

describe("the challenge path in the user's Ingress", () => {
  it("goes first under the Challenge's host, and comes out leaving the rules as they were", () => {
    const added = withChallengePath(userRules, challenge("shop.example.com"), service)!
    expect(added[0]!.http!.paths.map((path) => path.path)).toEqual(["/.well-known/acme-challenge/tok", "/"])
    expect(added[0]!.http!.paths[0]!.backend.service).toEqual({ name: "certops-acme-http01", port: { number: 8089 } })
    expect(added[1]).toEqual(userRules[1])
    expect(withChallengePath(added, challenge("shop.example.com"), service)).toBeUndefined()
    expect(withoutChallengePath(added, challenge("shop.example.com"))).toEqual(userRules)
    expect(withoutChallengePath(userRules, challenge("shop.example.com"))).toBeUndefined()
  })

  it("gets a rule of its own for a host the Ingress has none for, and that rule goes with it", () => {
    const added = withChallengePath(userRules, challenge("new.example.com"), service)!
    expect(added).toHaveLength(3)
    expect(added[2]!.host).toBe("new.example.com")
    expect(withoutChallengePath(added, challenge("new.example.com"))).toEqual(userRules)
  })
})

describe("applySolverOverrides", () => {
  const solver = { http01: { ingress: { ingressClassName: "nginx", serviceType: "ClusterIP" as const } } }
  it("replaces the Ingress settings with the one override given", () => {
    expect(applySolverOverrides(solver, { "acme.cert-manager.io/http01-override-ingress-name": "kuard" })).toEqual({ http01: { ingress: { serviceType: "ClusterIP", name: "kuard" } } })
    expect(applySolverOverrides(solver, { "acme.cert-manager.io/http01-override-ingress-class": "traefik" })).toEqual({ http01: { ingress: { serviceType: "ClusterIP", class: "traefik" } } })
    expect(applySolverOverrides(solver, {})).toBe(solver)
    expect(applySolverOverrides({ dns01: { webhook: { groupName: "g", solverName: "s" } } }, { "acme.cert-manager.io/http01-override-ingress-name": "x" })).toEqual({ dns01: { webhook: { groupName: "g", solverName: "s" } } })
  })

  it("attaches a gatewayHTTPRoute solver to the Certificate's Gateway, in place of a parentRef naming it, and needs some parent", () => {
    const route = { http01: { gatewayHTTPRoute: { parentRefs: [{ name: "edge", namespace: "shop", kind: "Gateway" }, { name: "other", kind: "Gateway" }] } } }
    const annotations = { "acme.cert-manager.io/http01-parentrefkind": "Gateway", "acme.cert-manager.io/http01-parentrefname": "edge" }
    expect(applySolverOverrides(route, annotations, "shop")).toEqual({
      http01: { gatewayHTTPRoute: { parentRefs: [{ name: "other", kind: "Gateway" }, { group: "gateway.networking.k8s.io", kind: "Gateway", name: "edge", namespace: "shop" }] } },
    })
    expect(applySolverOverrides({ http01: { gatewayHTTPRoute: {} } }, {}, "shop")).toBe("must specify parentRefs either through annotations or solver config")
    expect(applySolverOverrides(route, { "acme.cert-manager.io/http01-parentrefname": "edge" }, "shop")).toBe("cannot specify only one of parentRefName, parentRefKind override annotations")
  })

  it("refuses two at once", () => {
    expect(applySolverOverrides(solver, { "acme.cert-manager.io/http01-override-ingress-name": "kuard", "acme.cert-manager.io/http01-override-ingress-class": "traefik" }))
      .toBe("may not specify more than one of: name, class, ingressClassName override annotations")
  })
})

describe("ingress-shim's solver annotations", () => {
  const ingress = (annotations: Record<string, string>): Ingress => ({
    apiVersion: "networking.k8s.io/v1", kind: "Ingress",
    metadata: { name: "kuard", namespace: "shop", annotations: { "cert-manager.io/issuer": "le", ...annotations } },
    spec: { tls: [{ hosts: ["shop.example.com"], secretName: "kuard-tls" }] },
  })
  it("edit-in-place names the Ingress and asks for a temporary certificate; the class annotations become overrides", () => {
    expect(certificatesForIngress(ingress({ "acme.cert-manager.io/http01-edit-in-place": "true" })).certificates[0]!.metadata.annotations).toEqual({
      "acme.cert-manager.io/http01-override-ingress-name": "kuard",
      "cert-manager.io/issue-temporary-certificate": "true",
    })
    expect(certificatesForIngress(ingress({ "acme.cert-manager.io/http01-ingress-class": "traefik" })).certificates[0]!.metadata.annotations).toEqual({ "acme.cert-manager.io/http01-override-ingress-class": "traefik" })
    expect(certificatesForIngress(ingress({ "acme.cert-manager.io/http01-ingress-ingressclassname": "nginx" })).certificates[0]!.metadata.annotations).toEqual({ "acme.cert-manager.io/http01-override-ingress-ingressclassname": "nginx" })
    expect(certificatesForIngress(ingress({})).certificates[0]!.metadata.annotations).toBeUndefined()
  })
})
