// What a renewal decision needs of a certificate, read with node:crypto's
// native parser: validity, names, CA flag, serial and fingerprints. About
// 35 µs a certificate against 2.3 ms for the full reading (parseCertificate),
// which matters when every Secret is looked at after a start.
import { createHash, X509Certificate } from "node:crypto"
import type { ParsedCertificate } from "./certificate.ts"
import { canonicalIp, serialHex } from "./names.ts"
import { pemBlocks } from "./pem.ts"

/** The fields of the full reading a decision needs, the same values parseCertificate gives, and the key's digest. */
export type CertificateFacts = Pick<
  ParsedCertificate,
  "serialNumber" | "notBefore" | "notAfter" | "commonName" | "dnsNames" | "ipAddresses" | "uris" | "emailAddresses" | "isCA" | "fingerprintSha256"
> & {
  /** Lowercase hex SHA-256 of the DER SubjectPublicKeyInfo: equal for the certificate and its private key. */
  readonly publicKeySha256: string
}

/**
 * The entries of node's subjectAltName text: `TYPE:value` joined by ", ",
 * where a value that could be misread is a JSON string literal instead.
 */
export const subjectAltNameEntries = (text: string): ReadonlyArray<{ readonly type: string; readonly value: string }> => {
  const entries: Array<{ type: string; value: string }> = []
  let at = 0
  while (at < text.length) {
    const colon = text.indexOf(":", at)
    if (colon < 0) break
    const type = text.slice(at, colon)
    let value: string
    let end: number
    if (text[colon + 1] === '"') {
      end = colon + 2
      while (end < text.length && text[end] !== '"') end += text[end] === "\\" ? 2 : 1
      value = JSON.parse(text.slice(colon + 1, end + 1)) as string
      end += 1
    } else {
      end = text.indexOf(", ", colon + 1)
      if (end < 0) end = text.length
      value = text.slice(colon + 1, end)
    }
    entries.push({ type, value })
    at = end + 2
  }
  return entries
}

/** The CN of node's subject text (one `KEY=value` a line, values backslash-escaped or JSON-quoted). */
const commonNameOf = (subject: string | undefined): string | undefined => {
  const line = (subject ?? "").split("\n").find((candidate) => candidate.startsWith("CN="))
  if (line === undefined) return undefined
  const raw = line.slice(3)
  return raw.startsWith('"') ? (JSON.parse(raw) as string) : raw.replace(/\\(.)/g, "$1")
}

/** The facts of the first certificate in `pem`; undefined when there is none or it does not parse. */
export const readCertificateFacts = (pem: string): CertificateFacts | undefined => {
  const block = pemBlocks(pem).find((candidate) => candidate.type === "CERTIFICATE")
  if (block === undefined) return undefined
  try {
    const certificate = new X509Certificate(block.der)
    const names = { dnsNames: [] as Array<string>, ipAddresses: [] as Array<string>, uris: [] as Array<string>, emailAddresses: [] as Array<string> }
    for (const { type, value } of subjectAltNameEntries(certificate.subjectAltName ?? "")) {
      if (type === "DNS") names.dnsNames.push(value)
      else if (type === "IP Address") names.ipAddresses.push(canonicalIp(value))
      else if (type === "URI") names.uris.push(value)
      else if (type === "email") names.emailAddresses.push(value)
    }
    const commonName = commonNameOf(certificate.subject)
    return {
      serialNumber: serialHex(certificate.serialNumber),
      notBefore: certificate.validFromDate,
      notAfter: certificate.validToDate,
      ...(commonName === undefined ? {} : { commonName }),
      ...names,
      isCA: certificate.ca,
      fingerprintSha256: createHash("sha256").update(block.der).digest("hex"),
      publicKeySha256: createHash("sha256").update(certificate.publicKey.export({ type: "spki", format: "der" })).digest("hex"),
    }
  } catch {
    return undefined
  }
}
