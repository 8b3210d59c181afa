// The webhook solver against a recording SolverWebhooks and an in-memory
// nameserver: what a ChallengeRequest carries for an Issuer and for a
// ClusterIssuer, what success: false and a refusal turn into, and what the
// embedded store (no API server) says. The real aggregation layer is in
// test/integration/issuance/webhook-solver.test.ts.
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { defaultIssuanceSettings, IssuanceSettings } from "../../../../src/settings/issuance-settings.ts"
import type { DnsTransport } from "../../../../src/solvers/dns01/dns-transport.ts"
import { makeWebhookSolver } from "../../../../src/solvers/dns01/webhook-solver.ts"
import { SolverWebhooks, type ChallengeRequest, type ChallengeResponse, type SolverWebhook } from "../../../../src/solvers/dns01/solver-webhooks.ts"
import type { SolverError } from "../../../../src/solvers/solver.ts"
import { challenge } from "../challenges.ts"
import { fakeNameserver } from "./fake-nameserver.ts"

const hook = { groupName: "acme.example.com", solverName: "example-dns", config: { zoneId: "z1" } }

const withSolver = <A, E>(
  answer: (request: ChallengeRequest) => ChallengeResponse,
  body: (sent: Array<{ webhook: SolverWebhook; request: ChallengeRequest }>) => Effect.Effect<A, E, DnsTransport>,
) => {
  const sent: Array<{ webhook: SolverWebhook; request: ChallengeRequest }> = []
  const nameserver = fakeNameserver({ zone: "example.test" })
  return Effect.runPromise(
    body(sent).pipe(
      Effect.provideService(SolverWebhooks, { call: (webhook, request) => Effect.sync(() => (sent.push({ webhook, request }), answer(request))) }),
      Effect.provideService(IssuanceSettings, { ...defaultIssuanceSettings, selfCheckNameservers: ["192.0.2.53"], clusterResourceNamespace: "certops" }),
      Effect.provide(nameserver.layer),
    ),
  )
}

const ok = (request: ChallengeRequest): ChallengeResponse => ({ uid: request.uid, success: true })

describe("webhook solver", () => {
  it("sends cert-manager's ChallengeRequest: resolved name and zone, the Issuer's namespace, no ambient credentials", () =>
    withSolver(ok, (sent) =>
      Effect.gen(function* () {
        const solver = yield* makeWebhookSolver
        const subject = challenge({ type: "DNS-01", solver: { dns01: { webhook: hook } }, namespace: "team" })
        yield* solver.present(subject)
        yield* solver.cleanUp(subject)
        expect(sent.map(({ webhook }) => `${webhook.solverName}.${webhook.groupName}`)).toEqual(["example-dns.acme.example.com", "example-dns.acme.example.com"])
        expect(sent.map(({ request }) => request.action)).toEqual(["Present", "CleanUp"])
        expect(sent[0]!.request).toEqual({
          uid: "",
          action: "Present",
          type: "dns-01",
          dnsName: "www.example.test",
          key: subject.spec.key,
          resourceNamespace: "team",
          resolvedFQDN: "_acme-challenge.www.example.test.",
          resolvedZone: "example.test.",
          allowAmbientCredentials: false,
          config: { zoneId: "z1" },
        })
      }),
    ))

  it("gives a ClusterIssuer's solver the cluster resource namespace and ambient credentials, as cert-manager does", () =>
    withSolver(ok, (sent) =>
      Effect.gen(function* () {
        const solver = yield* makeWebhookSolver
        yield* solver.present(challenge({ type: "DNS-01", solver: { dns01: { webhook: hook } }, issuerKind: "ClusterIssuer" }))
        expect(sent[0]!.request).toMatchObject({ resourceNamespace: "certops", allowAmbientCredentials: true })
      }),
    ))

  it("fails with the solver's own message on success: false, retryably", () =>
    withSolver(
      () => ({ success: false, status: { message: "Cloudflare API: invalid token" } }),
      () =>
        Effect.gen(function* () {
          const solver = yield* makeWebhookSolver
          const error: SolverError = yield* Effect.flip(solver.present(challenge({ type: "DNS-01", solver: { dns01: { webhook: hook } } })))
          expect(error.detail).toBe("Cloudflare API: invalid token")
          expect(error.retryable).toBe(true)
        }),
    ))

  it("says why not on the embedded store, which has no API server to route through", async () => {
    const nameserver = fakeNameserver({ zone: "example.test" })
    const error = await Effect.runPromise(
      Effect.gen(function* () {
        const solver = yield* makeWebhookSolver
        return yield* Effect.flip(solver.present(challenge({ type: "DNS-01", solver: { dns01: { webhook: hook } } })))
      }).pipe(
        Effect.provideService(IssuanceSettings, { ...defaultIssuanceSettings, selfCheckNameservers: ["192.0.2.53"] }),
        Effect.provide(nameserver.layer),
      ),
    )
    expect(error.detail).toMatch(/^webhook solvers are reached through a Kubernetes API server's aggregation layer, and the embedded store has none/)
    expect(error.retryable).toBe(false)
  })
})
