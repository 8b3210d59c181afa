// When a certificate is renewed, and when a failed issuance is tried again.
import type { CertificateSpec } from "../../api/certificate.ts"
import { parseGoDuration } from "../../api/duration.ts"

/**
 * cert-manager's rule: renewBefore before notAfter, else renewBeforePercentage
 * of the lifetime before notAfter, else two thirds through the lifetime. A
 * renewBefore as long as the lifetime falls back to the default.
 */
export const renewalTime = (spec: Pick<CertificateSpec, "renewBefore" | "renewBeforePercentage">, notBefore: Date, notAfter: Date): Date => {
  const lifetime = notAfter.getTime() - notBefore.getTime()
  const before = spec.renewBefore === undefined ? undefined : parseGoDuration(spec.renewBefore)
  if (before !== undefined && before > 0 && before < lifetime) return new Date(notAfter.getTime() - before)
  if (spec.renewBeforePercentage !== undefined) return new Date(notAfter.getTime() - Math.floor((lifetime * spec.renewBeforePercentage) / 100))
  return new Date(notAfter.getTime() - Math.floor(lifetime / 3))
}

/** After the n-th failed issuance in a row (n from 1): base·2^(n-1), at most max (1 h … 32 h by default). */
export const issuanceBackoff = (failures: number, baseMillis: number, maxMillis: number): number =>
  Math.min(baseMillis * 2 ** Math.max(0, failures - 1), maxMillis)

export const nextAttemptTime = (lastFailure: Date, failures: number, baseMillis: number, maxMillis: number): Date =>
  new Date(lastFailure.getTime() + issuanceBackoff(failures, baseMillis, maxMillis))
