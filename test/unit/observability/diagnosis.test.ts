// Where a Certificate is stuck, step by step down the chain, for the ACME
// states no unit test can reach with a real ACME server.
import { describe, expect, it } from "vitest"
import type { Condition } from "../../../src/api/meta.ts"
import { diagnose } from "../../../src/observability/status/diagnosis.ts"
import { humanDuration } from "../../../src/observability/status/human-duration.ts"
import type { CertificateChain, ChallengeSummary, OrderSummary, RequestSummary } from "../../../src/observability/status/model.ts"

const now = Date.parse("2026-03-01T12:00:00Z")
const condition = (type: string, status: Condition["status"], reason: string, message = ""): Condition => ({ type, status, reason, message })

const issuing = [
  condition("Ready", "False", "DoesNotExist", "Issuing certificate as Secret does not exist"),
  condition("Issuing", "True", "DoesNotExist", "Issuing certificate as Secret does not exist"),
]

const chain = (overrides: Partial<CertificateChain> & { readonly conditions?: ReadonlyArray<Condition> } = {}): CertificateChain => ({
  certificate: {
    kind: "Certificate",
    namespace: "web",
    name: "www",
    secretName: "www-tls",
    dnsNames: ["www.example.com"],
    issuerRef: { name: "letsencrypt", kind: "Issuer", group: "cert-manager.io" },
    conditions: overrides.conditions ?? issuing,
    events: [],
  },
  issuer: { kind: "Issuer", namespace: "web", name: "letsencrypt", lookup: "Found", type: "acme", conditions: [condition("Ready", "True", "ACMEAccountRegistered")], events: [] },
  requests: [],
  warnings: [],
  ...overrides,
})

const request = (conditions: ReadonlyArray<Condition>, orders: ReadonlyArray<OrderSummary> = [], revision = 1): RequestSummary => ({
  kind: "CertificateRequest",
  namespace: "web",
  name: `www-${revision}`,
  revision,
  conditions,
  events: [],
  orders,
})

const pending = [condition("Approved", "True", "cert-manager.io"), condition("Ready", "False", "Pending", 'Waiting on certificate issuance from order web/www-1-42: "pending"')]

const order = (challenges: ReadonlyArray<ChallengeSummary>, state: OrderSummary["state"] = "pending", reason?: string): OrderSummary => ({
  kind: "Order",
  namespace: "web",
  name: "www-1-42",
  state,
  conditions: [],
  events: [],
  challenges,
  ...(reason === undefined ? {} : { reason }),
})

const challenge = (index: number, status: Partial<Pick<ChallengeSummary, "state" | "reason" | "processing" | "presented">>): ChallengeSummary => ({
  kind: "Challenge",
  namespace: "web",
  name: `www-1-42-${index}`,
  type: "HTTP-01",
  dnsName: index === 0 ? "www.example.com" : "example.com",
  processing: false,
  presented: false,
  conditions: [],
  events: [],
  ...status,
})

const summaryOf = (requests: ReadonlyArray<RequestSummary>, conditions?: ReadonlyArray<Condition>) =>
  diagnose(chain({ requests, ...(conditions === undefined ? {} : { conditions }) }), now).summary

describe("diagnose", () => {
  it("calls a Ready Certificate up to date, unless it has expired", () => {
    const ready = [condition("Ready", "True", "Ready", "Certificate is up to date and has not expired")]
    const certificate = (notAfter: string) => ({ ...chain().certificate, conditions: ready, notAfter, renewalTime: "2026-05-01T00:00:00Z" })
    expect(diagnose(chain({ certificate: certificate("2026-06-01T00:00:00Z") }), now)).toEqual({
      healthy: true,
      summary: "up to date: valid until 2026-06-01T00:00:00Z, renewal at 2026-05-01T00:00:00Z",
    })
    expect(diagnose(chain({ certificate: certificate("2026-02-01T00:00:00Z") }), now).healthy).toBe(false)
  })

  it("names a Secret owned by someone else before looking further", () => {
    const inUse = [condition("Ready", "False", "SecretInUse", 'Secret "www-tls" is already managed by Certificate "old"; refusing to overwrite it')]
    expect(summaryOf([], inUse)).toBe('stuck at Certificate web/www: Secret "www-tls" is already managed by Certificate "old"; refusing to overwrite it')
  })

  it("checks the issuer before the requests", () => {
    expect(diagnose(chain({ issuer: { kind: "Issuer", namespace: "web", name: "letsencrypt", lookup: "NotFound", conditions: [], events: [] } }), now).stuckAt).toBe(
      "Issuer web/letsencrypt",
    )
    const notReady = chain({
      issuer: {
        kind: "Issuer",
        namespace: "web",
        name: "letsencrypt",
        lookup: "Found",
        conditions: [condition("Ready", "False", "ErrRegisterACMEAccount", "Failed to register ACME account: 400 invalidEmail")],
        events: [],
      },
    })
    expect(diagnose(notReady, now).summary).toBe(
      "stuck at Issuer web/letsencrypt: the issuer is not Ready (ErrRegisterACMEAccount): Failed to register ACME account: 400 invalidEmail",
    )
    expect(diagnose(chain({ issuer: { kind: "Issuer.example.io", name: "vault", lookup: "External", conditions: [], events: [] } }), now).summary).toBe(
      "stuck at Certificate web/www: waiting for Issuer.example.io vault, an issuer certops does not run",
    )
  })

  it("waits for a request for the next revision, ignoring the one that issued the current certificate", () => {
    const renewing = [condition("Ready", "True", "Ready"), condition("Issuing", "True", "Renewing", "Renewing certificate as renewal was scheduled at 2026-03-01T11:00:00Z")]
    const certificate = { ...chain().certificate, conditions: renewing, revision: 1 }
    expect(diagnose(chain({ certificate, requests: [request([condition("Ready", "True", "Issued")])] }), now).summary).toBe(
      "stuck at Certificate web/www: no CertificateRequest for revision 2 yet: Renewing certificate as renewal was scheduled at 2026-03-01T11:00:00Z",
    )
  })

  it("reports a failed request with the Certificate's next attempt, and a denied one", () => {
    const backingOff = [condition("Ready", "False", "Failed", "The certificate request has failed to complete and will be retried: order invalid. Next attempt at 2026-03-01T13:00:00Z.")]
    expect(summaryOf([request([condition("Ready", "False", "Failed", "order invalid")])], backingOff)).toBe(
      "stuck at CertificateRequest web/www-1: the request failed: order invalid; the next attempt is at 2026-03-01T13:00:00Z",
    )
    expect(summaryOf([request([condition("Denied", "True", "policy", "not allowed"), condition("Ready", "False", "Denied", "denied")])])).toBe(
      "stuck at CertificateRequest web/www-1: the request was denied: not allowed",
    )
  })

  it("follows a pending request to its Order and the Challenge holding it back", () => {
    const at = (...challenges: ReadonlyArray<ChallengeSummary>) => summaryOf([request(pending, [order(challenges)])])
    expect(at(challenge(0, { state: "valid" }), challenge(1, { state: "pending" }))).toBe(
      "stuck at Challenge web/www-1-42-1: HTTP-01 for example.com is queued for a scheduler slot (at most 60 Challenges are processed at once, one per DNS name and solver type)",
    )
    expect(at(challenge(0, { processing: true, presented: true, state: "pending", reason: "Waiting for HTTP-01 challenge propagation: wrong status code '404', expected '200'" }))).toBe(
      "stuck at Challenge web/www-1-42-0: HTTP-01 for www.example.com is presented and pending: Waiting for HTTP-01 challenge propagation: wrong status code '404', expected '200'",
    )
    expect(at(challenge(0, { processing: true, reason: "dns update refused" }))).toBe("stuck at Challenge web/www-1-42-0: HTTP-01 for www.example.com is not presented yet: dns update refused")
    // A failed Challenge outranks one still in progress: it decides the Order.
    expect(at(challenge(0, { processing: true, presented: true, state: "pending" }), challenge(1, { state: "invalid", reason: "CAA record forbids issuance" }))).toBe(
      "stuck at Challenge web/www-1-42-1: HTTP-01 for example.com is invalid: CAA record forbids issuance",
    )
    expect(at(challenge(0, { state: "valid" }))).toBe(
      "stuck at Order web/www-1-42: every Challenge is valid; the Order is pending, waiting for the ACME server to issue the certificate",
    )
    expect(at()).toBe("stuck at Order web/www-1-42: no Challenge created yet; the Order is waiting for its authorizations from the ACME server")
    expect(summaryOf([request(pending, [order([challenge(0, { state: "invalid" })], "invalid", "authorization invalid")])])).toBe(
      "stuck at Order web/www-1-42: the Order is invalid: authorization invalid",
    )
  })

  it("says what a pending request without an Order waits for", () => {
    expect(summaryOf([request([condition("Ready", "False", "Pending", "Referenced issuer does not have a Ready status condition")])])).toBe(
      "stuck at CertificateRequest web/www-1: pending: Referenced issuer does not have a Ready status condition",
    )
    expect(summaryOf([request([])])).toBe("stuck at CertificateRequest web/www-1: not picked up by a controller yet")
  })
})

describe("humanDuration", () => {
  it("prints ages as kubectl does", () => {
    const s = 1_000
    expect([0, 105 * s, 125 * s, 500 * s, 600 * s, 3 * 3600 * s, 3.5 * 3600 * s, 30 * 3600 * s, 50 * 3600 * s, 10 * 86_400 * s, 800 * 86_400 * s].map(humanDuration)).toEqual([
      "0s", "105s", "2m5s", "8m20s", "10m", "3h", "3h30m", "30h", "2d2h", "10d", "2y70d",
    ])
  })
})
