// The one error type of src/pki. Messages name what was wrong with an input
// (its kind, algorithm, size, a field), never its bytes: keys, CSRs and
// passwords pass through here and must not reach logs or status reports.
import { Schema } from "effect"

export const PkiErrorReason = Schema.Literals([
  /** A KeySpec cert-manager would refuse (unknown algorithm, size out of range). */
  "InvalidKeySpec",
  /** Not a PEM private key, an encrypted one, or an unsupported key type. */
  "InvalidPrivateKey",
  /** Not a PEM/DER/base64 CSR, or one this module cannot read. */
  "InvalidCsr",
  /** Not a PEM certificate, or a certificate this module cannot read. */
  "InvalidCertificate",
  /** The request itself is unusable: no names, an unknown usage, a bad IP, a non-positive duration. */
  "InvalidRequest",
  /** A private key that does not belong to the CSR or certificate it was given with. */
  "KeyMismatch",
  /** The signing certificate is not a CA, or has expired. */
  "InvalidIssuer",
  /** A certificate chain that does not verify. */
  "ChainInvalid",
  /** A library failed in a way the input does not explain. */
  "Internal",
])
export type PkiErrorReason = typeof PkiErrorReason.Type

export class PkiError extends Schema.TaggedError<PkiError>()("PkiError", {
  reason: PkiErrorReason,
  message: Schema.String,
}) {}

/** For failures on secret input (keys, passwords): an error code or class name, never a message. */
export const secretCause = (cause: unknown): string => {
  if (cause instanceof Error) {
    const code = (cause as { readonly code?: unknown }).code
    return typeof code === "string" ? code : cause.name
  }
  return typeof cause
}

/** For failures on public input (CSRs, certificates): the library's message, shortened. */
export const publicCause = (cause: unknown): string =>
  (cause instanceof Error ? cause.message : String(cause)).slice(0, 200)
