// Signing a CSR as cert-manager's SelfSigned and CA issuers do
// (pki.CertificateTemplateFromCertificateRequest, then x509.CreateCertificate):
// subject and SANs from the CSR, isCA and usages from the request (checked
// against the CSR when the CSR encodes them), a 128-bit random serial, and a
// lifetime that never outlasts the signing CA.
import { randomBytes, type KeyObject, type X509Certificate as NodeCertificate } from "node:crypto"
import * as x509 from "@peculiar/x509"
import { Effect } from "effect"
import { readCertificates } from "./certificate.ts"
import { readCsr } from "./csr.ts"
import { PkiError, publicCause } from "./errors.ts"
import { readPrivateKey, spkiDer } from "./keys.ts"
import { isEmptyName } from "./names.ts"
import { toPem } from "./pem.ts"
import { encodeUsages, readUsages, sameUsages, usageExtensions, usageNames, type EncodedUsages } from "./usages.ts"
import { certificateHash, crypto, signingAlgorithm, signingKey } from "./webcrypto.ts"

export type Signer =
  /** The CSR's own key signs: issuer = subject (SelfSigned issuer). */
  | { readonly kind: "self"; readonly privateKeyPem: string }
  /** A CA key pair; `certificatePem` may be a bundle whose first certificate is the signing CA. */
  | { readonly kind: "ca"; readonly certificatePem: string; readonly privateKeyPem: string }

export interface SignRequest {
  /** PEM, base64 of PEM (a CertificateRequest's spec.request) or base64 of DER. */
  readonly csrPem: string
  readonly signer: Signer
  /** Requested lifetime in milliseconds; cut to the CA's own notAfter. */
  readonly duration: number
  /** Absent: whatever the CSR's basicConstraints say (CA:FALSE when it has none). */
  readonly isCA?: boolean
  /** Absent: the CSR's usages, or cert-manager's defaults when it encodes none. */
  readonly usages?: ReadonlyArray<string>
  readonly now?: Date
}

export interface SignedCertificate {
  /** The certificate, followed by the CA's chain without self-signed roots (cert-manager's tls.crt). */
  readonly certificatePem: string
  /** The root-most certificate of the chain (cert-manager's ca.crt); the certificate itself when self-signed. */
  readonly caPem: string
}

const fail = (reason: PkiError["reason"], message: string) => Effect.fail(new PkiError({ reason, message }))

const isSelfSigned = (certificate: NodeCertificate) => certificate.checkIssued(certificate) && certificate.verify(certificate.publicKey)

/**
 * The CA bundle ordered from the signing CA upwards (cert-manager's
 * ParseSingleCertificateChain): the chain part leaves self-signed roots out,
 * the top is what goes into ca.crt.
 */
const orderCaChain = (bundle: ReadonlyArray<NodeCertificate>): { readonly chain: ReadonlyArray<NodeCertificate>; readonly top: NodeCertificate } | undefined => {
  const [signing, ...rest] = bundle.filter((certificate, index) => bundle.findIndex((other) => other.raw.equals(certificate.raw)) === index)
  if (signing === undefined) return undefined
  const path = [signing]
  let remaining = rest
  for (let current = signing; !isSelfSigned(current); ) {
    const parent = remaining.find((candidate) => current.checkIssued(candidate) && current.verify(candidate.publicKey))
    if (parent === undefined) break
    path.push(parent)
    remaining = remaining.filter((candidate) => candidate !== parent)
    current = parent
  }
  if (remaining.length > 0) return undefined
  return { chain: path.filter((certificate) => !isSelfSigned(certificate)), top: path[path.length - 1] ?? signing }
}

interface Issuer {
  readonly key: KeyObject
  readonly name: x509.Name
  readonly authorityKeyId?: string
  readonly notAfter?: Date
  readonly chain: ReadonlyArray<NodeCertificate>
  readonly top?: NodeCertificate
}

const resolveIssuer = (signer: Signer, csr: x509.Pkcs10CertificateRequest): Effect.Effect<Issuer, PkiError> =>
  Effect.gen(function* () {
    const { key } = yield* readPrivateKey(signer.privateKeyPem)
    if (signer.kind === "self") {
      if (!spkiDer(key).equals(Buffer.from(csr.publicKey.rawData))) {
        return yield* fail("KeyMismatch", "the private key does not match the public key of the CSR")
      }
      return { key, name: csr.subjectName, chain: [] }
    }
    const bundle = yield* readCertificates(signer.certificatePem)
    const ordered = orderCaChain(bundle)
    if (ordered === undefined) return yield* fail("InvalidIssuer", "the CA certificates do not form a single chain from the signing CA")
    const ca = bundle[0]
    if (ca === undefined || !ca.ca) return yield* fail("InvalidIssuer", "the CA certificate is not a CA certificate (basicConstraints CA:TRUE missing)")
    if (!spkiDer(key).equals(spkiDer(ca.publicKey))) return yield* fail("KeyMismatch", "the CA private key does not match the CA certificate")
    const parsed = new x509.X509Certificate(ca.raw)
    // Go sets authorityKeyIdentifier from the CA's subjectKeyIdentifier, and leaves it out when the CA has none.
    const authorityKeyId = parsed.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId
    return {
      key,
      name: parsed.subjectName,
      ...(authorityKeyId === undefined ? {} : { authorityKeyId }),
      notAfter: ca.validToDate,
      chain: ordered.chain,
      top: ordered.top,
    }
  })

/**
 * isCA and usages as cert-manager's CertificateTemplateValidateAndOverride*
 * settle them: the request wins, but a CSR that encodes basicConstraints or
 * usages must agree with it.
 */
const settleProfile = (request: Pick<SignRequest, "isCA" | "usages">, csr: x509.Pkcs10CertificateRequest): Effect.Effect<{ readonly isCA: boolean; readonly usages: EncodedUsages }, PkiError> =>
  Effect.gen(function* () {
    const basicConstraints = csr.extensions.find((extension) => extension.type === "2.5.29.19")
    const csrIsCA = basicConstraints === undefined ? undefined : new x509.BasicConstraintsExtension(basicConstraints.rawData).ca
    const isCA = request.isCA ?? csrIsCA ?? false
    if (csrIsCA !== undefined && csrIsCA !== isCA) {
      return yield* fail("InvalidRequest", `encoded CSR error: isCA ${csrIsCA} does not match the requested isCA ${isCA}`)
    }
    const csrUsages = readUsages(csr.extensions)
    if (request.usages === undefined && csrUsages !== undefined) {
      return { isCA, usages: { ...csrUsages, keyUsage: csrUsages.keyUsage | (isCA ? x509.KeyUsageFlags.keyCertSign : 0) } }
    }
    const usages = yield* encodeUsages(request.usages, isCA)
    if (csrUsages !== undefined && !sameUsages(usages, csrUsages)) {
      return yield* fail("InvalidRequest", `encoded CSR error: the CSR's usages [${usageNames(csrUsages).join(", ")}] do not match the requested usages [${usageNames(usages).join(", ")}]`)
    }
    return { isCA, usages }
  })

/**
 * Why a certificate could not be made for this CSR with this isCA and these
 * usages (cert-manager's webhook asks the same of a CertificateRequest), or
 * undefined when it could: the CSR parses, and what it encodes agrees.
 */
export const requestProfileProblem = (csrPem: string, request: Pick<SignRequest, "isCA" | "usages">): Effect.Effect<string | undefined> =>
  readCsr(csrPem).pipe(
    Effect.flatMap((csr) => settleProfile(request, csr)),
    Effect.as(undefined),
    Effect.catch((error: PkiError) => Effect.succeed(error.message)),
  )

/** 128 random bits, never zero; @peculiar/x509 adds the leading zero byte that keeps the INTEGER positive. */
const serialNumber = (): string => {
  const bytes = randomBytes(16)
  if (bytes.every((byte) => byte === 0)) bytes[15] = 1
  return bytes.toString("hex")
}

/** Issues a certificate for a CSR, self-signed or from a CA. */
export const signCertificate = Effect.fn("pki.signCertificate")(function* (request: SignRequest) {
  if (!Number.isFinite(request.duration) || request.duration <= 0) {
    return yield* fail("InvalidRequest", `duration must be a positive number of milliseconds, got ${request.duration}`)
  }
  const csr = yield* readCsr(request.csrPem)
  const signatureValid = yield* Effect.tryPromise({
    try: () => csr.verify(crypto),
    catch: (cause) => new PkiError({ reason: "InvalidCsr", message: `CSR signature could not be checked: ${publicCause(cause)}` }),
  })
  if (!signatureValid) return yield* fail("InvalidCsr", "the CSR's signature does not verify against its public key")
  const issuer = yield* resolveIssuer(request.signer, csr)
  const { isCA, usages } = yield* settleProfile(request, csr)

  const notBefore = request.now ?? new Date()
  const wanted = new Date(notBefore.getTime() + request.duration)
  const notAfter = issuer.notAfter !== undefined && issuer.notAfter < wanted ? issuer.notAfter : wanted
  // Certificates keep whole seconds; a certificate that would expire as it starts is refused.
  if (Math.floor(notAfter.getTime() / 1000) <= Math.floor(notBefore.getTime() / 1000)) {
    return yield* notAfter === issuer.notAfter
      ? fail("InvalidIssuer", `the CA certificate expired at ${notAfter.toISOString()}`)
      : fail("InvalidRequest", `duration ${request.duration} ms is shorter than a second`)
  }

  const subjectAltName = csr.extensions.find((extension) => extension.type === "2.5.29.17")
  const extensions: Array<x509.Extension> = [
    ...usageExtensions(usages),
    new x509.BasicConstraintsExtension(isCA, undefined, true),
    yield* Effect.tryPromise({
      try: () => x509.SubjectKeyIdentifierExtension.create(csr.publicKey, false, crypto),
      catch: (cause) => new PkiError({ reason: "InvalidCsr", message: `the CSR's public key could not be read: ${publicCause(cause)}` }),
    }),
    ...(issuer.authorityKeyId === undefined ? [] : [new x509.AuthorityKeyIdentifierExtension(issuer.authorityKeyId, false)]),
    // The CSR's SAN extension is copied as it is, critical exactly when the subject is empty.
    ...(subjectAltName === undefined ? [] : [new x509.Extension(subjectAltName.type, isEmptyName(csr.subjectName), subjectAltName.value)]),
  ]
  const hash = certificateHash(issuer.key)
  const certificate = yield* Effect.tryPromise({
    try: () =>
      x509.X509CertificateGenerator.create(
        {
          serialNumber: serialNumber(),
          subject: csr.subjectName,
          issuer: issuer.name,
          notBefore,
          notAfter,
          publicKey: csr.publicKey,
          signingKey: signingKey(issuer.key, hash),
          signingAlgorithm: signingAlgorithm(issuer.key, hash),
          extensions,
        },
        crypto,
      ),
    catch: (cause) => new PkiError({ reason: "Internal", message: `certificate signing failed: ${publicCause(cause)}` }),
  })
  const leafPem = toPem("CERTIFICATE", certificate.rawData)
  const signed: SignedCertificate = {
    certificatePem: leafPem + issuer.chain.map((ca) => toPem("CERTIFICATE", ca.raw)).join(""),
    caPem: issuer.top === undefined ? leafPem : toPem("CERTIFICATE", issuer.top.raw),
  }
  return signed
})
