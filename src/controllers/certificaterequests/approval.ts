// The built-in approver (cert-manager's approver, with the repository's
// policies): a CertificateRequest is approved when the certificate its CSR
// asks for satisfies every CertificatePolicy governing its namespace, and
// denied with the policy's message otherwise. Switched off
// (`--approver external`), certops decides nothing and signs nothing until
// someone else (approver-policy, `certops approve`) sets Approved.
import { Effect, Option } from "effect"
import type { Certificate } from "../../api/certificate.ts"
import type { CertificateRequest } from "../../api/certificate-request.ts"
import { annotations } from "../../api/annotations.ts"
import { Certificates } from "../../api/kinds.ts"
import { parseCsr } from "../../pki/csr.ts"
import { ApprovalPolicies } from "../../policy/approval-policies.ts"
import { describeViolation, evaluatePolicies } from "../../policy/evaluate.ts"
import { IssuanceSettings } from "../../settings/issuance-settings.ts"
import { ResourceStore } from "../../store/resource-store.ts"
import type { ConditionUpdate } from "../shared/conditions.ts"

const approvedByCertops: ConditionUpdate = {
  type: "Approved",
  status: "True",
  reason: "cert-manager.io",
  message: "Certificate request has been approved by cert-manager.io",
}

export type ApprovalDecision =
  | { readonly _tag: "Decided"; readonly condition: ConditionUpdate }
  /** Someone else decides (external approver), or the policies are not known yet. */
  | { readonly _tag: "Undecided"; readonly waitingFor: "external" | "policies" }

/**
 * The certificate the request asks for, as the policies see a Certificate:
 * its names and key from the CSR (what would be signed), the rest from the
 * request; the metadata (labels a policy may ask for) from the Certificate
 * the request was made for, or from the request itself when it has none.
 */
const requestedCertificate = (request: CertificateRequest) =>
  Effect.gen(function* () {
    const csr = yield* parseCsr(request.spec.request)
    const namespace = request.metadata.namespace ?? ""
    const owner = request.metadata.annotations?.[annotations.certificateName]
    const certificate = owner === undefined
      ? undefined
      : yield* ResourceStore.use((store) => store.get(Certificates, { namespace, name: owner })).pipe(Effect.orElseSucceed(() => undefined))
    const metadata = certificate?.metadata ?? { name: owner ?? request.metadata.name, namespace, ...(request.metadata.labels === undefined ? {} : { labels: request.metadata.labels }) }
    return {
      apiVersion: "cert-manager.io/v1",
      kind: "Certificate",
      metadata,
      spec: {
        // A request does not say which Secret it is for: the Certificate's, when there is one.
        secretName: certificate?.spec.secretName ?? "",
        issuerRef: request.spec.issuerRef,
        ...(csr.commonName === undefined ? {} : { commonName: csr.commonName }),
        ...(csr.dnsNames.length === 0 ? {} : { dnsNames: csr.dnsNames }),
        ...(csr.ipAddresses.length === 0 ? {} : { ipAddresses: csr.ipAddresses }),
        ...(csr.uris.length === 0 ? {} : { uris: csr.uris }),
        ...(csr.emailAddresses.length === 0 ? {} : { emailAddresses: csr.emailAddresses }),
        ...(request.spec.duration === undefined ? {} : { duration: request.spec.duration }),
        ...(request.spec.isCA === undefined ? {} : { isCA: request.spec.isCA }),
        ...(request.spec.usages === undefined ? {} : { usages: request.spec.usages }),
        ...(csr.key === undefined ? {} : { privateKey: { algorithm: csr.key.algorithm, size: csr.key.size } }),
      },
    } satisfies Certificate as Certificate
  })

export const decideApproval = (request: CertificateRequest) =>
  Effect.gen(function* () {
    const settings = yield* IssuanceSettings
    if (settings.approver === "external") return { _tag: "Undecided", waitingFor: "external" } as ApprovalDecision
    const policies = yield* (yield* ApprovalPolicies).current
    if (Option.isNone(policies)) return { _tag: "Undecided", waitingFor: "policies" } as ApprovalDecision
    if (policies.value.length === 0) return { _tag: "Decided", condition: approvedByCertops } as ApprovalDecision
    const violations = evaluatePolicies(policies.value, yield* requestedCertificate(request))
    if (violations.length === 0) return { _tag: "Decided", condition: approvedByCertops } as ApprovalDecision
    const denied: ConditionUpdate = { type: "Denied", status: "True", reason: "policy.certops.io", message: violations.map(describeViolation).join("; ") }
    return { _tag: "Decided", condition: denied } as ApprovalDecision
  })
