// cert-manager v1.21's validation of the objects certops makes itself
// (internal/apis/certmanager/validation/certificaterequest.go,
// internal/apis/acme/validation: order.go, challenge.go) as a table. These
// never come from Git, so `certops check` has nothing to say about them: the
// API server holds them (deploy/admission, the CRDs) against anyone else
// who writes them, and the CertificateRequest reconciler what CEL cannot.
//   creationCases  a CertificateRequest as created: good and bad
//   changeCases    a write to an existing object (a merge patch, on the
//                  object or its status subresource): good and bad
// Run through certops' own CEL (unit) and kubectl against the policies
// (integration); the reconciler's cases in the issuance tests.
import { Effect } from "effect"
import { createCsr } from "../../src/pki/csr.ts"
import { generatePrivateKey } from "../../src/pki/keys.ts"

/** Who refuses the bad case in the cluster: a generated policy (by rule name), the CRD's schema (naming the field), or the reconciler. */
export type Refusal = { readonly policy: string } | { readonly crd: string } | { readonly reconciler: string }

export interface CreationCase {
  readonly rule: string
  readonly good: Record<string, unknown>
  readonly bad: Record<string, unknown>
  readonly refused: Refusal
}

export interface Write {
  readonly subresource?: "status"
  /** An RFC 7386 merge patch. */
  readonly patch: Record<string, unknown>
}

export interface ChangeCase {
  readonly rule: string
  readonly created: Record<string, unknown>
  /** Writes that bring the object to the state the rule is about, before the good or the bad one. */
  readonly before: ReadonlyArray<Write>
  readonly good: Write
  readonly bad: Write
  readonly refused: { readonly policy: string } | { readonly crd: string }
}

const key = await Effect.runPromise(generatePrivateKey({ algorithm: "ECDSA" }))
const base64 = (text: string) => Buffer.from(text).toString("base64")
const csr = async (request: Parameters<typeof createCsr>[1]) => base64(await Effect.runPromise(createCsr(key, request)))
const webCsr = await csr({ dnsNames: ["web.example.com"] })
const caCsr = await csr({ commonName: "team CA", isCA: true, usages: ["cert sign"] })
const clientCsr = await csr({ dnsNames: ["client.example.com"], usages: ["client auth"] })

// An external issuer: no certops reconciler signs these, whatever runs beside the test.
const externalRef = { name: "lab", kind: "LabIssuer", group: "lab.example.com" }

const request = (name: string, spec: Record<string, unknown> = {}, annotations: Record<string, string> = {}) => ({
  apiVersion: "cert-manager.io/v1",
  kind: "CertificateRequest",
  metadata: { name, annotations: { "cert-manager.io/certificate-name": name, ...annotations } },
  spec: { request: webCsr, issuerRef: externalRef, ...spec },
})

const order = (name: string) => ({
  apiVersion: "acme.cert-manager.io/v1",
  kind: "Order",
  metadata: { name },
  spec: { request: webCsr, issuerRef: externalRef, dnsNames: ["web.example.com"] },
})

const challenge = (name: string) => ({
  apiVersion: "acme.cert-manager.io/v1",
  kind: "Challenge",
  metadata: { name },
  spec: {
    url: "https://acme.example.com/chall/1",
    authorizationURL: "https://acme.example.com/authz/1",
    dnsName: "web.example.com",
    type: "HTTP-01",
    token: "token-1",
    key: "token-1.thumbprint",
    solver: { http01: { ingress: { ingressClassName: "nginx" } } },
    issuerRef: externalRef,
  },
})

const condition = (type: string, status: string, reason: string, message = `${type} by the validation table`) => ({
  type,
  status,
  reason,
  message,
  lastTransitionTime: "2026-01-01T00:00:00Z",
})
const conditions = (...list: ReadonlyArray<Record<string, unknown>>): Write => ({ subresource: "status", patch: { status: { conditions: list } } })
const approvedByTable = condition("Approved", "True", "lab.example.com")
const deniedByTable = condition("Denied", "True", "lab.example.com")
const ready = condition("Ready", "False", "Pending", "waiting for the lab issuer")

const authorization = (url: string) => ({
  url,
  identifier: "web.example.com",
  wildcard: false,
  initialState: "pending",
  challenges: [{ url: `${url}/http`, token: "token-1", type: "http-01" }],
})
const orderStatus = (status: Record<string, unknown>): Write => ({ subresource: "status", patch: { status } })
const recordedOrder = orderStatus({
  url: "https://acme.example.com/order/1",
  finalizeURL: "https://acme.example.com/order/1/finalize",
  state: "pending",
  authorizations: [authorization("https://acme.example.com/authz/1")],
})

export const creationCases: ReadonlyArray<CreationCase> = [
  // ValidateCertificateRequestSpec
  { rule: "request is required", good: request("csr-ok"), bad: request("csr-none", { request: undefined }), refused: { crd: "spec.request" } },
  {
    rule: "issuerRef.kind is Issuer or ClusterIssuer in the cert-manager.io group",
    good: request("cr-ref-ok", { issuerRef: { name: "ca", kind: "ClusterIssuer" } }),
    bad: request("cr-ref-bad", { issuerRef: { name: "ca", kind: "Issuerr" } }),
    refused: { policy: "issuer-ref-kind" },
  },
  { rule: "issuerRef.name is required", good: request("cr-name-ok"), bad: request("cr-name-none", { issuerRef: { kind: "Issuer" } }), refused: { crd: "spec.issuerRef.name" } },
  { rule: "usages are known key usages", good: request("cr-usage-ok", { request: clientCsr, usages: ["client auth"] }), bad: request("cr-usage-bad", { usages: ["client-auth"] }), refused: { crd: "spec.usages[0]" } },
  { rule: "request is a PEM CSR", good: request("cr-pem"), bad: request("cr-not-csr", { request: base64("not a certificate request") }), refused: { reconciler: "no CSR found" } },
  {
    rule: "the CSR's basicConstraints agree with isCA",
    good: request("cr-ca-ok", { request: caCsr, isCA: true, usages: ["cert sign"] }),
    bad: request("cr-ca-bad", { request: caCsr, usages: ["cert sign"] }),
    refused: { reconciler: "isCA true does not match the requested isCA false" },
  },
  {
    rule: "the CSR's usages agree with usages",
    good: request("cr-eku-ok", { request: clientCsr, usages: ["client auth"] }),
    bad: request("cr-eku-bad", { request: clientCsr, usages: ["server auth"] }),
    refused: { reconciler: "do not match the requested usages" },
  },
]

export const changeCases: ReadonlyArray<ChangeCase> = [
  // ValidateUpdateCertificateRequest
  {
    rule: "spec cannot change after creation",
    created: request("cr-spec"),
    before: [],
    good: { patch: { metadata: { labels: { team: "web" } } } },
    bad: { patch: { spec: { duration: "24h" } } },
    refused: { policy: "request-spec-unchanged" },
  },
  {
    rule: "cert-manager annotations cannot change after creation",
    created: request("cr-annotations"),
    before: [],
    good: { patch: { metadata: { annotations: { "example.com/owner": "web" } } } },
    bad: { patch: { metadata: { annotations: { "cert-manager.io/certificate-name": "other" } } } },
    refused: { policy: "request-annotations-unchanged" },
  },
  {
    rule: "cert-manager annotations cannot be added after creation",
    created: request("cr-annotation-added"),
    before: [],
    good: { patch: { metadata: { annotations: { "example.com/owner": "web" } } } },
    bad: { patch: { metadata: { annotations: { "cert-manager.io/certificate-revision": "7" } } } },
    refused: { policy: "request-annotations-unchanged" },
  },
  // ValidateCertificateRequestApprovalCondition
  {
    rule: "Approved and Denied may only be True",
    created: request("cr-approved-false"),
    before: [],
    good: conditions(approvedByTable),
    bad: conditions(condition("Approved", "False", "lab.example.com")),
    refused: { policy: "approval-only-true" },
  },
  {
    rule: "Approved and Denied do not coexist",
    created: request("cr-both"),
    before: [],
    good: conditions(deniedByTable),
    bad: conditions(approvedByTable, deniedByTable),
    refused: { policy: "approved-or-denied" },
  },
  { rule: "one Approved condition", created: request("cr-twice"), before: [], good: conditions(approvedByTable), bad: conditions(approvedByTable, approvedByTable), refused: { crd: "status.conditions" } },
  // ValidateUpdateCertificateRequestApprovalCondition
  {
    rule: "Approved may not change once set",
    created: request("cr-approved-kept"),
    before: [conditions(approvedByTable)],
    good: conditions(approvedByTable, ready),
    bad: conditions(condition("Approved", "True", "someone.else", "approved again")),
    refused: { policy: "approved-unchanged" },
  },
  {
    rule: "Approved may not be removed once set",
    created: request("cr-approved-removed"),
    before: [conditions(approvedByTable)],
    good: conditions(ready, approvedByTable),
    bad: conditions(ready),
    refused: { policy: "approved-unchanged" },
  },
  {
    rule: "Denied may not change once set",
    created: request("cr-denied-kept"),
    before: [conditions(deniedByTable)],
    good: conditions(deniedByTable, condition("Ready", "False", "Denied", "denied by the lab")),
    bad: conditions(condition("Denied", "True", "lab.example.com", "denied for another reason")),
    refused: { policy: "denied-unchanged" },
  },
  // ValidateOrderUpdate
  {
    rule: "Order spec.request is immutable",
    created: order("order-request"),
    before: [],
    good: { patch: { metadata: { labels: { team: "web" } } } },
    bad: { patch: { spec: { request: clientCsr } } },
    refused: { policy: "order-request-unchanged" },
  },
  {
    rule: "Order status.url is immutable once set",
    created: order("order-url"),
    before: [recordedOrder],
    good: orderStatus({ state: "ready" }),
    bad: orderStatus({ url: "https://acme.example.com/order/2" }),
    refused: { policy: "order-url-unchanged" },
  },
  {
    rule: "Order status.finalizeURL is immutable once set",
    created: order("order-finalize"),
    before: [recordedOrder],
    good: orderStatus({ state: "ready" }),
    bad: orderStatus({ finalizeURL: "https://acme.example.com/order/2/finalize" }),
    refused: { policy: "order-finalizeurl-unchanged" },
  },
  {
    rule: "Order status.certificate is immutable once set",
    created: order("order-certificate"),
    before: [recordedOrder, orderStatus({ state: "valid", certificate: base64("first chain") })],
    good: orderStatus({ state: "valid" }),
    bad: orderStatus({ certificate: base64("second chain") }),
    refused: { policy: "order-certificate-unchanged" },
  },
  {
    rule: "Order status.authorizations are immutable once set",
    created: order("order-authorizations"),
    before: [recordedOrder],
    good: orderStatus({ state: "ready", reason: "" }),
    bad: orderStatus({ authorizations: [authorization("https://acme.example.com/authz/1"), authorization("https://acme.example.com/authz/2")] }),
    refused: { policy: "order-authorizations-unchanged" },
  },
  // ValidateChallengeUpdate
  {
    rule: "Challenge spec is immutable",
    created: challenge("challenge-spec"),
    before: [],
    good: { subresource: "status", patch: { status: { presented: true, state: "pending" } } },
    bad: { patch: { spec: { token: "token-2" } } },
    refused: { policy: "challenge-spec-unchanged" },
  },
]

/** RFC 7386: objects merge key by key, null removes, anything else replaces. */
export const mergePatch = (target: unknown, patch: unknown): unknown => {
  if (typeof patch !== "object" || patch === null || Array.isArray(patch)) return patch
  const base: Record<string, unknown> = typeof target === "object" && target !== null && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {}
  for (const [field, value] of Object.entries(patch)) {
    if (value === null) delete base[field]
    else base[field] = mergePatch(base[field], value)
  }
  return base
}

/**
 * cert-manager's approval plugin, which the API server's authorizer judges
 * (judgedBy "api-server"): setting Approved needs "approve" on the signer
 * named for the issuer, here `labissuers.lab.example.com/<namespace>.lab`.
 * Integration only: certops' own engine cannot ask who writes.
 */
export const signerCase = {
  rule: "approval-needs-signer-permission",
  created: request("cr-signer"),
  approve: conditions(approvedByTable),
  signerFor: (namespace: string) => `labissuers.lab.example.com/${namespace}.${externalRef.name}`,
} as const
