// PKCS#10 certificate signing requests as cert-manager's pki.GenerateCSR makes
// them: the subject from commonName and spec.subject, the SANs in a
// subjectAltName extension request (critical when the subject is empty), the
// usages as a critical keyUsage and a non-critical extendedKeyUsage, and a
// critical basicConstraints CA:TRUE when isCA.
import { createPublicKey } from "node:crypto"
import * as x509 from "@peculiar/x509"
import { Effect } from "effect"
import { PkiError, publicCause } from "./errors.ts"
import { readPrivateKey } from "./keys.ts"
import {
  buildSubject, buildSubjectAltNames, isEmptyName, readSubject, readSubjectAltNames,
  type ParsedSubject, type SubjectFields,
} from "./names.ts"
import { csrDer, toPem } from "./pem.ts"
import { encodeUsages, readUsages, usageExtensions, usageNames } from "./usages.ts"
import { crypto, csrHash, describeKey, signingAlgorithm, signingKey, verifyingKey, type KeyAlgorithm } from "./webcrypto.ts"

export type { SubjectFields, ParsedSubject } from "./names.ts"

export interface CsrRequest {
  readonly commonName?: string
  readonly dnsNames?: ReadonlyArray<string>
  readonly ipAddresses?: ReadonlyArray<string>
  readonly uris?: ReadonlyArray<string>
  readonly emailAddresses?: ReadonlyArray<string>
  readonly subject?: SubjectFields
  /** cert-manager KeyUsage names; none means "digital signature", "key encipherment". */
  readonly usages?: ReadonlyArray<string>
  readonly isCA?: boolean
}

export interface ParsedCsr {
  readonly commonName?: string
  readonly dnsNames: ReadonlyArray<string>
  /** Go's net.IP.String form: dotted IPv4, compressed lowercase IPv6. */
  readonly ipAddresses: ReadonlyArray<string>
  readonly uris: ReadonlyArray<string>
  readonly emailAddresses: ReadonlyArray<string>
  readonly subject: ParsedSubject
  /**
   * cert-manager names of the encoded usages, key usages first ("signing"
   * reads back as "digital signature", "s/mime" as "email protection"; a CA
   * shows "cert sign"). Empty when the CSR encodes no usage extension.
   */
  readonly usages: ReadonlyArray<string>
  readonly isCA: boolean
  /** SubjectPublicKeyInfo PEM ("PUBLIC KEY"). */
  readonly publicKeyPem: string
  /** The public key's algorithm and size; absent for a kind certops does not issue for. */
  readonly key?: { readonly algorithm: KeyAlgorithm; readonly size: number }
}

const basicConstraintsOid = "2.5.29.19"
const subjectAltNameOid = "2.5.29.17"

const invalidCsr = (message: string) => new PkiError({ reason: "InvalidCsr", message })

/** A CSR given as PEM, base64 of PEM (a CertificateRequest's spec.request) or base64 of DER. */
export const readCsr = (input: string): Effect.Effect<x509.Pkcs10CertificateRequest, PkiError> =>
  Effect.suspend(() => {
    const der = csrDer(input)
    if (der === undefined) return Effect.fail(invalidCsr("no CSR found: expected PEM, base64 of PEM or base64 of DER"))
    return Effect.try({
      try: () => new x509.Pkcs10CertificateRequest(der),
      catch: (cause) => invalidCsr(`CSR could not be parsed: ${publicCause(cause)}`),
    })
  })

/** Signs a CSR for `request` with the PEM private key; the signature hash follows cert-manager (RSA ≥ 4096 → SHA-512, ≥ 3072 → SHA-384). */
export const createCsr = Effect.fn("pki.createCsr")(function* (privateKeyPem: string, request: CsrRequest) {
  const { key } = yield* readPrivateKey(privateKeyPem)
  const hasNames = [request.dnsNames, request.ipAddresses, request.uris, request.emailAddresses].some((list) => (list?.length ?? 0) > 0)
  if ((request.commonName ?? "") === "" && !hasNames) {
    return yield* new PkiError({ reason: "InvalidRequest", message: "no common name, DNS name, IP address, URI or email address requested" })
  }
  const isCA = request.isCA ?? false
  const usages = yield* encodeUsages(request.usages, isCA)
  const subject = buildSubject(request.commonName, request.subject)
  const altNames = yield* buildSubjectAltNames(request, isEmptyName(subject))
  const extensions: Array<x509.Extension> = [
    ...(isCA ? [new x509.BasicConstraintsExtension(true, undefined, true)] : []),
    ...usageExtensions(usages),
    ...(altNames === undefined ? [] : [altNames]),
  ]
  const hash = csrHash(key)
  const csr = yield* Effect.tryPromise({
    try: () =>
      x509.Pkcs10CertificateRequestGenerator.create(
        {
          name: subject,
          extensions,
          signingAlgorithm: signingAlgorithm(key, hash),
          keys: { privateKey: signingKey(key, hash), publicKey: verifyingKey(createPublicKey(key), hash) },
        },
        crypto,
      ),
    catch: (cause) => new PkiError({ reason: "Internal", message: `CSR signing failed: ${publicCause(cause)}` }),
  })
  return toPem("CERTIFICATE REQUEST", csr.rawData)
})

/** The request fields encoded in a CSR, and its public key. The signature is not checked: see verifyCsrSignature. */
export const parseCsr = Effect.fn("pki.parseCsr")(function* (pemOrBase64: string) {
  const csr = yield* readCsr(pemOrBase64)
  return yield* Effect.try({
    try: (): ParsedCsr => {
      const extensions = csr.extensions
      const basicConstraints = extensions.find((extension) => extension.type === basicConstraintsOid)
      const usages = readUsages(extensions)
      const publicKeyPem = toPem("PUBLIC KEY", csr.publicKey.rawData)
      const key = describeKey(createPublicKey(publicKeyPem))
      return {
        ...readSubject(csr.subjectName),
        ...readSubjectAltNames(extensions.find((extension) => extension.type === subjectAltNameOid)),
        usages: usages === undefined ? [] : usageNames(usages),
        isCA: basicConstraints === undefined ? false : new x509.BasicConstraintsExtension(basicConstraints.rawData).ca,
        publicKeyPem,
        ...(key === undefined ? {} : { key }),
      }
    },
    catch: (cause) => invalidCsr(`CSR extensions could not be read: ${publicCause(cause)}`),
  })
})

/** Whether the CSR is signed by the private key of the public key it carries (proof of possession). */
export const verifyCsrSignature = Effect.fn("pki.verifyCsrSignature")(function* (pemOrBase64: string) {
  const csr = yield* readCsr(pemOrBase64)
  return yield* Effect.tryPromise({
    try: () => csr.verify(crypto),
    catch: (cause) => invalidCsr(`CSR signature could not be checked: ${publicCause(cause)}`),
  })
})
