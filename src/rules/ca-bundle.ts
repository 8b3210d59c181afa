// A CA bundle (an ACME issuer's caBundle) must hold a certificate that
// parses: an empty or garbled bundle would make every TLS connection to the
// ACME server fail with a message about the server, not the bundle.
import { readCertificateFacts } from "../pki/certificate-facts.ts"

/** Why the base64 of a PEM bundle holds no usable certificate, or undefined. */
export const caBundleProblem = (base64: string): string | undefined =>
  readCertificateFacts(Buffer.from(base64, "base64").toString("utf8")) === undefined
    ? "holds no valid PEM certificate (base64 of one or more -----BEGIN CERTIFICATE----- blocks)"
    : undefined
