// Subjects and subject alternative names, encoded as Go's crypto/x509 encodes
// them for cert-manager, and read back into cert-manager's field names.
import { Buffer } from "node:buffer"
import { isIP } from "node:net"
import * as x509 from "@peculiar/x509"
import forge from "node-forge"
import { Effect } from "effect"
import { PkiError } from "./errors.ts"

/** cert-manager's spec.subject (the common name is a separate field). */
export interface SubjectFields {
  readonly organizations?: ReadonlyArray<string>
  readonly countries?: ReadonlyArray<string>
  readonly organizationalUnits?: ReadonlyArray<string>
  readonly localities?: ReadonlyArray<string>
  readonly provinces?: ReadonlyArray<string>
  readonly streetAddresses?: ReadonlyArray<string>
  readonly postalCodes?: ReadonlyArray<string>
  readonly serialNumber?: string
}

/** The same fields as read back: every list present, possibly empty. */
export interface ParsedSubject {
  readonly organizations: ReadonlyArray<string>
  readonly countries: ReadonlyArray<string>
  readonly organizationalUnits: ReadonlyArray<string>
  readonly localities: ReadonlyArray<string>
  readonly provinces: ReadonlyArray<string>
  readonly streetAddresses: ReadonlyArray<string>
  readonly postalCodes: ReadonlyArray<string>
  readonly serialNumber?: string
}

export interface SubjectAltNames {
  readonly dnsNames: ReadonlyArray<string>
  readonly ipAddresses: ReadonlyArray<string>
  readonly uris: ReadonlyArray<string>
  readonly emailAddresses: ReadonlyArray<string>
}

const oid = {
  commonName: "2.5.4.3",
  serialNumber: "2.5.4.5",
  country: "2.5.4.6",
  locality: "2.5.4.7",
  province: "2.5.4.8",
  street: "2.5.4.9",
  organization: "2.5.4.10",
  organizationalUnit: "2.5.4.11",
  postalCode: "2.5.4.17",
} as const

// X.680 PrintableString; anything else is written as UTF8String, as Go does.
const printable = /^[A-Za-z0-9 '()+,\-./:=?]*$/

const rdn = (type: string, values: ReadonlyArray<string> | undefined): ReadonlyArray<x509.JsonAttributeAndObjectValue> =>
  values === undefined || values.length === 0
    ? []
    : [{ [type]: values.map((value) => (printable.test(value) ? { printableString: value } : { utf8String: value })) }]

/**
 * The subject in pkix.Name.ToRDNSequence order (C, ST, L, STREET, POSTALCODE,
 * O, OU, CN, SERIALNUMBER), each attribute type one RDN holding all its values.
 * Values are passed as typed strings so that @peculiar/x509 does not read
 * RFC 4514 escapes or "#hex" into them.
 */
export const buildSubject = (commonName: string | undefined, subject: SubjectFields | undefined): x509.Name =>
  new x509.Name([
    ...rdn(oid.country, subject?.countries),
    ...rdn(oid.province, subject?.provinces),
    ...rdn(oid.locality, subject?.localities),
    ...rdn(oid.street, subject?.streetAddresses),
    ...rdn(oid.postalCode, subject?.postalCodes),
    ...rdn(oid.organization, subject?.organizations),
    ...rdn(oid.organizationalUnit, subject?.organizationalUnits),
    ...rdn(oid.commonName, commonName === undefined || commonName === "" ? undefined : [commonName]),
    ...rdn(oid.serialNumber, subject?.serialNumber === undefined || subject.serialNumber === "" ? undefined : [subject.serialNumber]),
  ])

export const readSubject = (name: x509.Name): { readonly commonName?: string; readonly subject: ParsedSubject } => {
  const commonName = name.getField(oid.commonName)[0]
  const serialNumber = name.getField(oid.serialNumber)[0]
  return {
    ...(commonName === undefined ? {} : { commonName }),
    subject: {
      organizations: name.getField(oid.organization),
      countries: name.getField(oid.country),
      organizationalUnits: name.getField(oid.organizationalUnit),
      localities: name.getField(oid.locality),
      provinces: name.getField(oid.province),
      streetAddresses: name.getField(oid.street),
      postalCodes: name.getField(oid.postalCode),
      ...(serialNumber === undefined ? {} : { serialNumber }),
    },
  }
}

const shortNames: Readonly<Record<string, string>> = {
  [oid.commonName]: "CN", [oid.serialNumber]: "SERIALNUMBER", [oid.country]: "C", [oid.locality]: "L",
  [oid.province]: "ST", [oid.street]: "STREET", [oid.organization]: "O", [oid.organizationalUnit]: "OU",
  [oid.postalCode]: "POSTALCODE", "0.9.2342.19200300.100.1.25": "DC", "0.9.2342.19200300.100.1.1": "UID",
}

/** Go's pkix escaping (RFC 4514): special characters anywhere, a leading space or "#", a trailing space. */
const escapeValue = (value: string): string =>
  value.replace(/[\\,+"<>;]/g, "\\$&").replace(/^[ #]/, "\\$&").replace(/ $/, "\\ ")

const stringValue = (node: forge.asn1.Asn1): string | undefined => {
  if (node.tagClass !== forge.asn1.Class.UNIVERSAL || typeof node.value !== "string") return undefined
  const bytes = Buffer.from(node.value, "binary")
  switch (node.type as number) {
    case forge.asn1.Type.UTF8:
      return bytes.toString("utf8")
    case forge.asn1.Type.PRINTABLESTRING:
    case forge.asn1.Type.IA5STRING:
    case 20: // TeletexString, read as Latin-1
      return bytes.toString("latin1")
    case forge.asn1.Type.BMPSTRING:
      return Buffer.from(bytes).swap16().toString("utf16le")
    default:
      return undefined
  }
}

/**
 * RFC 4514 text as Go's pkix.Name.String writes it: most specific RDN first,
 * Go's attribute names; other attributes as the dotted OID, "#" and the DER hex.
 */
export const formatName = (name: x509.Name): string => {
  const rdns = forge.asn1.fromDer(Buffer.from(name.toArrayBuffer()).toString("binary")).value
  const text = (Array.isArray(rdns) ? rdns : []).map((rdn) =>
    (Array.isArray(rdn.value) ? rdn.value : [])
      .map((attribute) => {
        const [type, value] = Array.isArray(attribute.value) ? attribute.value : []
        if (type === undefined || value === undefined || typeof type.value !== "string") return ""
        const id = forge.asn1.derToOid(type.value)
        const shortName = shortNames[id]
        const decoded = stringValue(value)
        return shortName === undefined || decoded === undefined
          ? `${id}=#${Buffer.from(forge.asn1.toDer(value).getBytes(), "binary").toString("hex")}`
          : `${shortName}=${escapeValue(decoded)}`
      })
      .join("+"),
  )
  return text.reverse().join(",")
}

/** True when the Name is an empty SEQUENCE: then RFC 5280 wants the SAN extension critical. */
export const isEmptyName = (name: x509.Name): boolean => new Uint8Array(name.toArrayBuffer()).length <= 2

const invalid = (message: string) => new PkiError({ reason: "InvalidRequest", message })

/**
 * The 4 or 16 bytes of an IP address (Go's net.ParseIP, no zones). An
 * IPv4-mapped IPv6 address becomes 4 bytes, as Go's x509 encodes it.
 */
export const ipBytes = (text: string): Uint8Array | undefined => {
  const version = text.includes("%") ? 0 : isIP(text)
  if (version === 4) return Uint8Array.from(text.split(".").map(Number))
  if (version !== 6) return undefined
  // An embedded IPv4 tail ("::ffff:192.0.2.1") becomes two hex groups.
  const hexOnly = text.replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (_match, a: string, b: string, c: string, d: string) =>
    `${((Number(a) << 8) | Number(b)).toString(16)}:${((Number(c) << 8) | Number(d)).toString(16)}`)
  const [head = "", tail] = hexOnly.split("::")
  const groups = (part: string) => (part === "" ? [] : part.split(":").map((group) => parseInt(group, 16)))
  const left = groups(head)
  const right = tail === undefined ? [] : groups(tail)
  const all = tail === undefined ? left : [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right]
  const bytes = Uint8Array.from(all.flatMap((group) => [group >> 8, group & 0xff]))
  const mapped = bytes.slice(0, 10).every((byte) => byte === 0) && bytes[10] === 0xff && bytes[11] === 0xff
  return mapped ? bytes.slice(12) : bytes
}

/** Go's net.IP.String: dotted IPv4, RFC 5952 IPv6 (lowercase, longest zero run of two or more groups as "::"). */
export const formatIp = (bytes: Uint8Array): string => {
  if (bytes.length === 4) return Array.from(bytes).join(".")
  const groups = Array.from({ length: 8 }, (_, index) => ((bytes[index * 2] ?? 0) << 8) | (bytes[index * 2 + 1] ?? 0))
  let best = { start: -1, length: 0 }
  for (let start = 0; start < 8; start++) {
    let length = 0
    while (start + length < 8 && groups[start + length] === 0) length++
    if (length > best.length && length >= 2) best = { start, length }
  }
  const hex = groups.map((group) => group.toString(16))
  if (best.start < 0) return hex.join(":")
  return `${hex.slice(0, best.start).join(":")}::${hex.slice(best.start + best.length).join(":")}`
}

/** An IP address as formatIp writes it; text that is no address, lowercased. */
export const canonicalIp = (text: string): string => {
  const bytes = ipBytes(text)
  return bytes === undefined ? text.toLowerCase() : formatIp(bytes)
}

/** A certificate serial (node's uppercase hex) as Go's "%x" prints the integer: lowercase, no leading zeros. */
export const serialHex = (serialNumber: string): string => BigInt(`0x${serialNumber || "0"}`).toString(16)

const ia5 = /^[\x00-\x7f]*$/
const contextTags = { email: 1, dns: 2, uri: 6, ip: 7 } as const

/**
 * The subjectAltName extension, in Go's order (DNS, email, IP, URI), critical
 * when the subject is empty. Undefined when there are no names.
 */
export const buildSubjectAltNames = (names: Partial<SubjectAltNames>, subjectIsEmpty: boolean): Effect.Effect<x509.Extension | undefined, PkiError> =>
  Effect.suspend(() => {
    const entries: Array<forge.asn1.Asn1> = []
    const text = (tag: number, kind: string, values: ReadonlyArray<string> | undefined): PkiError | undefined => {
      for (const value of values ?? []) {
        if (value === "" || !ia5.test(value)) return invalid(`${kind} ${JSON.stringify(value)} is empty or not ASCII`)
        entries.push(forge.asn1.create(forge.asn1.Class.CONTEXT_SPECIFIC, tag, false, value))
      }
      return undefined
    }
    const failure =
      text(contextTags.dns, "DNS name", names.dnsNames) ?? text(contextTags.email, "email address", names.emailAddresses)
    if (failure !== undefined) return Effect.fail(failure)
    for (const address of names.ipAddresses ?? []) {
      const bytes = ipBytes(address)
      if (bytes === undefined) return Effect.fail(invalid(`${JSON.stringify(address)} is not an IP address`))
      entries.push(forge.asn1.create(forge.asn1.Class.CONTEXT_SPECIFIC, contextTags.ip, false, Buffer.from(bytes).toString("binary")))
    }
    const uriFailure = text(contextTags.uri, "URI", names.uris)
    if (uriFailure !== undefined) return Effect.fail(uriFailure)
    if (entries.length === 0) return Effect.succeed(undefined)
    const der = forge.asn1.toDer(forge.asn1.create(forge.asn1.Class.UNIVERSAL, forge.asn1.Type.SEQUENCE, true, entries)).getBytes()
    return Effect.succeed(new x509.Extension("2.5.29.17", subjectIsEmpty, Buffer.from(der, "binary")))
  })

/** The DNS, IP, URI and email names of a subjectAltName extension value; other name forms are skipped. */
export const readSubjectAltNames = (extension: x509.Extension | undefined): SubjectAltNames => {
  const result = { dnsNames: [] as Array<string>, ipAddresses: [] as Array<string>, uris: [] as Array<string>, emailAddresses: [] as Array<string> }
  if (extension === undefined) return result
  const sequence = forge.asn1.fromDer(Buffer.from(extension.value).toString("binary"))
  for (const entry of Array.isArray(sequence.value) ? sequence.value : []) {
    if (entry.tagClass !== forge.asn1.Class.CONTEXT_SPECIFIC || typeof entry.value !== "string") continue
    const value = entry.value
    if (entry.type === contextTags.dns) result.dnsNames.push(value)
    else if (entry.type === contextTags.email) result.emailAddresses.push(value)
    else if (entry.type === contextTags.uri) result.uris.push(value)
    else if (entry.type === contextTags.ip) result.ipAddresses.push(formatIp(Buffer.from(value, "binary")))
  }
  return result
}
