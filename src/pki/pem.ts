// PEM framing (RFC 7468): finding blocks in text, and writing them. Also the
// one place that decides how a CSR given as PEM, base64 of PEM (the form of a
// CertificateRequest's spec.request) or base64 of DER is turned into DER.
import { Buffer } from "node:buffer"

export interface PemBlock {
  /** The label between BEGIN and END, e.g. "CERTIFICATE" or "EC PRIVATE KEY". */
  readonly type: string
  /** RFC 1421 headers such as "Proc-Type: 4,ENCRYPTED" (legacy encrypted keys). */
  readonly headers: ReadonlyArray<string>
  readonly der: Buffer
}

const blockPattern = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END \1-----/g
const base64Body = /^[A-Za-z0-9+/=\s]*$/

/** Every well-formed PEM block of `text`, in order. Text between blocks is ignored. */
export const pemBlocks = (text: string): ReadonlyArray<PemBlock> => {
  const blocks: Array<PemBlock> = []
  for (const match of text.matchAll(blockPattern)) {
    const [, type = "", body = ""] = match
    const lines = body.split(/\r?\n/)
    const headers = lines.filter((line) => line.includes(":"))
    const base64 = lines.filter((line) => !line.includes(":")).join("")
    if (!base64Body.test(base64)) continue
    blocks.push({ type, headers, der: Buffer.from(base64, "base64") })
  }
  return blocks
}

/** A PEM block with 64-character lines and a final newline, as Go's encoding/pem writes it. */
export const toPem = (type: string, der: Uint8Array | ArrayBuffer): string => {
  const base64 = Buffer.from(der instanceof ArrayBuffer ? new Uint8Array(der) : der).toString("base64")
  const lines = base64.match(/.{1,64}/g) ?? []
  return `-----BEGIN ${type}-----\n${lines.join("\n")}\n-----END ${type}-----\n`
}

const csrTypes: ReadonlyArray<string> = ["CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST"]

/**
 * The DER of a CSR given as PEM, as base64 of PEM, or as base64 of DER.
 * Undefined when the input is none of these.
 */
export const csrDer = (input: string): Buffer | undefined => {
  if (input.includes("-----BEGIN")) {
    return pemBlocks(input).find((block) => csrTypes.includes(block.type))?.der
  }
  const compact = input.replace(/\s+/g, "")
  if (compact.length === 0 || !base64Body.test(compact)) return undefined
  const decoded = Buffer.from(compact, "base64")
  const asText = decoded.toString("latin1")
  if (asText.includes("-----BEGIN")) return csrDer(asText)
  // A DER SEQUENCE starts with 0x30.
  return decoded[0] === 0x30 ? decoded : undefined
}
