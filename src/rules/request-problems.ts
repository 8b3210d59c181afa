// The rules on a CertificateRequest that CEL in the API server cannot hold
// (cert-manager's validateCertificateRequestSpecRequest): spec.request is a
// CSR, and what it encodes of basicConstraints and usages agrees with
// spec.isCA and spec.usages. The CertificateRequest reconciler fails a
// request that breaks them before any issuer sees it, ACME ones included.
// (Its other rules are admission rules: admission-rules.ts.)
import { Effect } from "effect"
import type { CertificateRequestSpec } from "../api/certificate-request.ts"
import { requestProfileProblem } from "../pki/signer.ts"

export interface RequestProblem {
  /** As kubectl prints it. */
  readonly path: string
  readonly message: string
}

export const requestProblems = (spec: CertificateRequestSpec): Effect.Effect<ReadonlyArray<RequestProblem>> =>
  // As the webhook reads the spec: isCA false and the default usages when absent, not whatever the CSR says.
  requestProfileProblem(spec.request, { isCA: spec.isCA ?? false, usages: spec.usages ?? [] }).pipe(Effect.map((problem) => (problem === undefined ? [] : [{ path: "spec.request", message: problem }])))

/** `spec.request: …`: the problems as one condition message. */
export const describeRequestProblems = (problems: ReadonlyArray<RequestProblem>): string =>
  problems.map((problem) => `${problem.path}: ${problem.message}`).join("; ")
