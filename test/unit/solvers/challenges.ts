// Challenges as the order controller would create them, for solver tests.
import type { Challenge } from "../../../src/api/acme-challenge.ts"
import type { AcmeChallengeSolver } from "../../../src/api/issuer.ts"

let counter = 0

export const challenge = (options: {
  readonly type: Challenge["spec"]["type"]
  readonly solver: AcmeChallengeSolver
  readonly dnsName?: string
  readonly namespace?: string
  readonly key?: string
  readonly token?: string
  readonly issuerKind?: "Issuer" | "ClusterIssuer"
}): Challenge => {
  const id = `${Date.now().toString(36)}${(counter++).toString(36)}`
  return {
    apiVersion: "acme.cert-manager.io/v1",
    kind: "Challenge",
    metadata: { name: `challenge-${id}`, namespace: options.namespace ?? "team" },
    spec: {
      url: `https://acme.test/chall/${id}`,
      authorizationURL: `https://acme.test/authz/${id}`,
      dnsName: options.dnsName ?? "www.example.test",
      type: options.type,
      token: options.token ?? `token-${id}`,
      key: options.key ?? `key-${id}`,
      solver: options.solver,
      issuerRef: { name: "acme", kind: options.issuerKind ?? "Issuer" },
    },
  }
}
