// Reading certificates: the fields certops reports and decides renewals on,
// splitting PEM bundles, matching a certificate to its key, and checking that
// a chain leads to a trusted root. node:crypto does the verification;
// @peculiar/x509 reads the extensions.
import { createHash, X509Certificate as NodeCertificate } from "node:crypto"
import * as x509 from "@peculiar/x509"
import { Effect } from "effect"
import { PkiError, publicCause } from "./errors.ts"
import { readPrivateKey, spkiDer } from "./keys.ts"
import { formatName, readSubject, readSubjectAltNames, serialHex, type ParsedSubject } from "./names.ts"
import { pemBlocks, toPem } from "./pem.ts"
import { readUsages, usageNames } from "./usages.ts"

export interface ParsedCertificate {
  /** Lowercase hex of the serial as an unsigned integer, no separators or leading zeros (Go's "%x"). */
  readonly serialNumber: string
  readonly notBefore: Date
  readonly notAfter: Date
  readonly commonName?: string
  readonly dnsNames: ReadonlyArray<string>
  readonly ipAddresses: ReadonlyArray<string>
  readonly uris: ReadonlyArray<string>
  readonly emailAddresses: ReadonlyArray<string>
  /** RFC 4514, most specific first: "CN=Example CA,O=Example". */
  readonly issuer: string
  readonly subject: string
  /** The subject's other attributes, in cert-manager's spec.subject field names. */
  readonly subjectFields: ParsedSubject
  readonly isCA: boolean
  /** cert-manager names of the keyUsage and extendedKeyUsage extensions; empty when neither is present. */
  readonly usages: ReadonlyArray<string>
  /** Lowercase hex SHA-256 of the DER certificate. */
  readonly fingerprintSha256: string
  /** SubjectPublicKeyInfo PEM ("PUBLIC KEY"). */
  readonly publicKeyPem: string
}

const invalidCertificate = (message: string) => new PkiError({ reason: "InvalidCertificate", message })

/** Every CERTIFICATE block of a PEM bundle, re-encoded one per string. Other blocks (keys, comments) are dropped. */
export const splitPemChain = (pem: string): ReadonlyArray<string> =>
  pemBlocks(pem).filter((block) => block.type === "CERTIFICATE").map((block) => toPem("CERTIFICATE", block.der))

/** All certificates of a PEM bundle as node:crypto certificates; fails when there are none or one is unreadable. */
export const readCertificates = (pem: string): Effect.Effect<ReadonlyArray<NodeCertificate>, PkiError> =>
  Effect.suspend(() => {
    const blocks = pemBlocks(pem).filter((block) => block.type === "CERTIFICATE")
    if (blocks.length === 0) return Effect.fail(invalidCertificate("no PEM certificate found"))
    return Effect.try({
      try: () => blocks.map((block) => new NodeCertificate(block.der)),
      catch: (cause) => invalidCertificate(`certificate could not be parsed: ${publicCause(cause)}`),
    })
  })

/** The first certificate of a PEM bundle (the leaf of a tls.crt). */
export const readCertificate = (pem: string): Effect.Effect<NodeCertificate, PkiError> =>
  readCertificates(pem).pipe(Effect.flatMap(([first]) => (first === undefined ? Effect.fail(invalidCertificate("no PEM certificate found")) : Effect.succeed(first))))

/** The fields of the first certificate in `pem` (a tls.crt's leaf). */
export const parseCertificate = Effect.fn("pki.parseCertificate")(function* (pem: string) {
  const certificate = yield* readCertificate(pem)
  return yield* Effect.try({
    try: (): ParsedCertificate => {
      const parsed = new x509.X509Certificate(certificate.raw)
      const { commonName, subject } = readSubject(parsed.subjectName)
      const usages = readUsages(parsed.extensions)
      return {
        serialNumber: serialHex(certificate.serialNumber),
        notBefore: parsed.notBefore,
        notAfter: parsed.notAfter,
        ...(commonName === undefined ? {} : { commonName }),
        ...readSubjectAltNames(parsed.extensions.find((extension) => extension.type === "2.5.29.17")),
        issuer: formatName(parsed.issuerName),
        subject: formatName(parsed.subjectName),
        subjectFields: subject,
        isCA: certificate.ca,
        usages: usages === undefined ? [] : usageNames(usages),
        fingerprintSha256: createHash("sha256").update(certificate.raw).digest("hex"),
        publicKeyPem: certificate.publicKey.export({ type: "spki", format: "pem" }).toString(),
      }
    },
    catch: (cause) => invalidCertificate(`certificate could not be read: ${publicCause(cause)}`),
  })
})

/** Whether the first certificate of `certificatePem` carries the public key of `privateKeyPem`. */
export const certificateMatchesPrivateKey = Effect.fn("pki.certificateMatchesPrivateKey")(function* (
  certificatePem: string,
  privateKeyPem: string,
) {
  const certificate = yield* readCertificate(certificatePem)
  const { key } = yield* readPrivateKey(privateKeyPem)
  return spkiDer(certificate.publicKey).equals(spkiDer(key))
})

const chainInvalid = (message: string) => new PkiError({ reason: "ChainInvalid", message })

const label = (certificate: NodeCertificate) => JSON.stringify(certificate.subject.replace(/\n/g, ", "))

/** Whether `issuer`'s key made `child`'s signature; false also when the key types do not fit. */
const signedBy = (child: NodeCertificate, issuer: NodeCertificate): boolean => {
  try {
    return child.verify(issuer.publicKey)
  } catch {
    return false
  }
}

const checkLink = (child: NodeCertificate, issuer: NodeCertificate, position: string): PkiError | undefined => {
  if (!signedBy(child, issuer)) return chainInvalid(`${position} ${label(child)} was not signed by ${label(issuer)}`)
  if (!issuer.ca) return chainInvalid(`${label(issuer)} signed ${position} ${label(child)} but is not a CA`)
  // Names, key identifiers and the issuer's keyUsage (keyCertSign), as OpenSSL's X509_check_issued checks them.
  if (!child.checkIssued(issuer)) {
    return chainInvalid(`${label(issuer)} signed ${position} ${label(child)} but its name, key identifier or key usage does not fit`)
  }
  return undefined
}

const checkValidity = (certificate: NodeCertificate, at: Date): PkiError | undefined =>
  at < certificate.validFromDate || at > certificate.validToDate
    ? chainInvalid(`${label(certificate)} is not valid at ${at.toISOString()} (valid ${certificate.validFromDate.toISOString()} to ${certificate.validToDate.toISOString()})`)
    : undefined

/**
 * Checks that the chain (leaf first; each entry may itself be a PEM bundle)
 * leads, link by link, to one of the certificates in `rootPem`: names,
 * signatures and the CA flag of every issuer. Validity periods are checked
 * only when `options.at` is given. A chain may end with the root itself.
 */
export const verifyChain = Effect.fn("pki.verifyChain")(function* (
  chainPems: string | ReadonlyArray<string>,
  rootPem: string,
  options?: { readonly at?: Date },
) {
  const chain = (yield* Effect.forEach(typeof chainPems === "string" ? [chainPems] : chainPems, readCertificates)).flat()
  const roots = yield* readCertificates(rootPem)
  if (chain.length === 0) return yield* chainInvalid("the chain is empty")
  for (let index = 0; index + 1 < chain.length; index++) {
    const child = chain[index]
    const issuer = chain[index + 1]
    if (child === undefined || issuer === undefined) continue
    const failure = checkLink(child, issuer, index === 0 ? "leaf" : `chain certificate ${index}`)
    if (failure !== undefined) return yield* failure
  }
  const last = chain[chain.length - 1]
  if (last === undefined) return yield* chainInvalid("the chain is empty")
  const isRoot = roots.some((root) => root.raw.equals(last.raw))
  if (!isRoot) {
    const failures = roots.map((root) => checkLink(last, root, chain.length === 1 ? "leaf" : "last chain certificate"))
    const firstFailure = failures[0]
    if (firstFailure !== undefined && failures.every((failure) => failure !== undefined)) return yield* firstFailure
  }
  if (options?.at !== undefined) {
    const at = options.at
    const usedRoots = isRoot ? [] : roots.filter((root) => checkLink(last, root, "") === undefined)
    for (const certificate of [...chain, ...usedRoots]) {
      const failure = checkValidity(certificate, at)
      if (failure !== undefined) return yield* failure
    }
  }
})
