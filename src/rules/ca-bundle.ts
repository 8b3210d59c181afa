// A CA bundle (an ACME issuer's caBundle) must hold at least one certificate
// that parses: an empty or garbled bundle would make every TLS connection to
// the ACME server fail with a message about the server, not the bundle.
import { X509Certificate } from "node:crypto"
import { pemBlocks } from "../pki/pem.ts"

const parses = (der: Buffer) => {
  try {
    new X509Certificate(der)
    return true
  } catch {
    return false
  }
}

/** Why the base64 of a PEM bundle holds no usable certificate, or undefined. */
export const caBundleProblem = (base64: string): string | undefined =>
  pemBlocks(Buffer.from(base64, "base64").toString("utf8")).some((block) => block.type === "CERTIFICATE" && parses(block.der))
    ? undefined
    : "holds no valid PEM certificate (base64 of one or more -----BEGIN CERTIFICATE----- blocks)"
