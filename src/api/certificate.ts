// Certificate (cert-manager.io/v1): the intent users write, and the status
// certops reports on it. Field names are cert-manager's, so its manifests
// decode unchanged. The schema holds each field's shape; rules across fields
// (one of, key sizes, an identity) are admission rules (rules/admission-rules.ts),
// so that the API server enforces them too, with the same message.
import { Schema } from "effect"
import { GoDuration } from "./duration.ts"
import { Conditions, ObjectMeta, StringMap } from "./meta.ts"
import { IssuerRef, SecretKeySelector } from "./references.ts"

/** cert-manager's KeyUsage strings (X.509 key usages and extended key usages). */
export const KeyUsage = Schema.Literals([
  "signing", "digital signature", "content commitment", "key encipherment", "key agreement",
  "data encipherment", "cert sign", "crl sign", "encipher only", "decipher only", "any",
  "server auth", "client auth", "code signing", "email protection", "s/mime",
  "ipsec end system", "ipsec tunnel", "ipsec user", "timestamping", "ocsp signing",
  "microsoft sgc", "netscape sgc",
])
export type KeyUsage = typeof KeyUsage.Type

export const PrivateKeyAlgorithm = Schema.Literals(["RSA", "ECDSA", "Ed25519"])
export type PrivateKeyAlgorithm = typeof PrivateKeyAlgorithm.Type

export const PrivateKey = Schema.Struct({
  algorithm: Schema.optionalKey(PrivateKeyAlgorithm),
  size: Schema.optionalKey(Schema.Int),
  encoding: Schema.optionalKey(Schema.Literals(["PKCS1", "PKCS8"])),
  /** Never keeps the existing key on reissuance; Always generates a new one. */
  rotationPolicy: Schema.optionalKey(Schema.Literals(["Never", "Always"])),
})
export type PrivateKey = typeof PrivateKey.Type

const StringList = Schema.Array(Schema.String)

export const X509Subject = Schema.Struct({
  organizations: Schema.optionalKey(StringList),
  countries: Schema.optionalKey(StringList),
  organizationalUnits: Schema.optionalKey(StringList),
  localities: Schema.optionalKey(StringList),
  provinces: Schema.optionalKey(StringList),
  streetAddresses: Schema.optionalKey(StringList),
  postalCodes: Schema.optionalKey(StringList),
  serialNumber: Schema.optionalKey(Schema.String),
})
export type X509Subject = typeof X509Subject.Type

export const SecretTemplate = Schema.Struct({
  annotations: Schema.optionalKey(StringMap),
  labels: Schema.optionalKey(StringMap),
})
export type SecretTemplate = typeof SecretTemplate.Type

// Exactly one of password and passwordSecretRef (rules/admission-rules.ts).
export const PKCS12Keystore = Schema.Struct({
  create: Schema.Boolean,
  passwordSecretRef: Schema.optionalKey(SecretKeySelector),
  /** A literal password, for keystores whose password protects nothing (Java's "changeit"). */
  password: Schema.optionalKey(Schema.String),
  profile: Schema.optionalKey(Schema.Literals(["LegacyRC2", "LegacyDES", "Modern2023"])),
})
export type PKCS12Keystore = typeof PKCS12Keystore.Type

// A present-but-empty SAN list is almost always a templating slip in Git
// (a loop over nothing), so it is reported where it is rather than treated
// as absent.
const SanList = StringList.check(Schema.isMinLength(1, { message: "must not be empty: list at least one entry or omit the field" }))

export const CertificateSpec = Schema.Struct({
  secretName: Schema.NonEmptyString,
  commonName: Schema.optionalKey(Schema.String),
  dnsNames: Schema.optionalKey(SanList),
  ipAddresses: Schema.optionalKey(SanList),
  uris: Schema.optionalKey(SanList),
  emailAddresses: Schema.optionalKey(SanList),
  duration: Schema.optionalKey(GoDuration),
  renewBefore: Schema.optionalKey(GoDuration),
  renewBeforePercentage: Schema.optionalKey(Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 99 }))),
  issuerRef: IssuerRef,
  privateKey: Schema.optionalKey(PrivateKey),
  usages: Schema.optionalKey(Schema.Array(KeyUsage)),
  isCA: Schema.optionalKey(Schema.Boolean),
  subject: Schema.optionalKey(X509Subject),
  secretTemplate: Schema.optionalKey(SecretTemplate),
  revisionHistoryLimit: Schema.optionalKey(Schema.Int.check(Schema.isGreaterThanOrEqualTo(1))),
  keystores: Schema.optionalKey(Schema.Struct({ pkcs12: Schema.optionalKey(PKCS12Keystore) })),
})
export type CertificateSpec = typeof CertificateSpec.Type

export const CertificateStatus = Schema.Struct({
  conditions: Schema.optionalKey(Conditions),
  notBefore: Schema.optionalKey(Schema.String),
  notAfter: Schema.optionalKey(Schema.String),
  renewalTime: Schema.optionalKey(Schema.String),
  /** Increments with every issuance; CertificateRequests carry the revision they serve. */
  revision: Schema.optionalKey(Schema.Int),
  /** The Secret holding the private key for the issuance in progress. */
  nextPrivateKeySecretName: Schema.optionalKey(Schema.String),
  lastFailureTime: Schema.optionalKey(Schema.String),
  failedIssuanceAttempts: Schema.optionalKey(Schema.Int),
})
export type CertificateStatus = typeof CertificateStatus.Type

export const Certificate = Schema.Struct({
  apiVersion: Schema.Literal("cert-manager.io/v1"),
  kind: Schema.Literal("Certificate"),
  metadata: ObjectMeta,
  spec: CertificateSpec,
  status: Schema.optionalKey(CertificateStatus),
}).annotate({ description: "A desired X.509 certificate, kept issued and renewed into a Secret." })
export type Certificate = typeof Certificate.Type
