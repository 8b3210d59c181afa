// Certificate (cert-manager.io/v1): the intent users write, and the status
// certops reports on it. Field names are cert-manager's, so its manifests
// decode unchanged.
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

const ecdsaSizes: ReadonlyArray<number> = [256, 384, 521]

/**
 * cert-manager's key-size rule: 0 or absent means the algorithm's default
 * (RSA 2048, ECDSA 256); Ed25519 keys have one size, so size is not read.
 */
const sizeMatchesAlgorithm = Schema.makeFilter((key: { readonly algorithm?: PrivateKeyAlgorithm; readonly size?: number }) => {
  const { algorithm = "RSA", size = 0 } = key
  if (size === 0 || algorithm === "Ed25519") return undefined
  if (algorithm === "RSA" && (size < 2048 || size > 8192)) {
    return { path: ["size"], issue: `${size} is not a valid RSA key size: use 2048 to 8192 (2048, 3072 or 4096 are usual)` }
  }
  if (algorithm === "ECDSA" && !ecdsaSizes.includes(size)) {
    return { path: ["size"], issue: `${size} is not a valid ECDSA key size: use 256, 384 or 521` }
  }
  return undefined
})

export const PrivateKey = Schema.Struct({
  algorithm: Schema.optionalKey(PrivateKeyAlgorithm),
  size: Schema.optionalKey(Schema.Int),
  encoding: Schema.optionalKey(Schema.Literals(["PKCS1", "PKCS8"])),
  /** Never keeps the existing key on reissuance; Always generates a new one. */
  rotationPolicy: Schema.optionalKey(Schema.Literals(["Never", "Always"])),
}).check(sizeMatchesAlgorithm)
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

export const PKCS12Keystore = Schema.Struct({
  create: Schema.Boolean,
  passwordSecretRef: SecretKeySelector,
  profile: Schema.optionalKey(Schema.Literals(["LegacyRC2", "LegacyDES", "Modern2023"])),
})
export type PKCS12Keystore = typeof PKCS12Keystore.Type

// A present-but-empty SAN list is almost always a templating slip in Git
// (a loop over nothing), so it is reported where it is rather than treated
// as absent.
const SanList = StringList.check(Schema.isMinLength(1, { message: "must not be empty: list at least one entry or omit the field" }))

const identityFields = ["commonName", "dnsNames", "ipAddresses", "uris", "emailAddresses"] as const

// An empty commonName names nothing, as in cert-manager.
const hasIdentity = Schema.makeFilter(
  (spec: Partial<Record<(typeof identityFields)[number], unknown>>) =>
    identityFields.some((field) => spec[field] !== undefined && spec[field] !== "") ||
    `at least one of ${identityFields.join(", ")} must be set`,
)

const renewBeforeExclusive = Schema.makeFilter((spec: { readonly renewBefore?: string; readonly renewBeforePercentage?: number }) =>
  spec.renewBefore !== undefined && spec.renewBeforePercentage !== undefined
    ? { path: ["renewBeforePercentage"], issue: "renewBefore and renewBeforePercentage are mutually exclusive: set one" }
    : undefined,
)

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
}).check(hasIdentity, renewBeforeExclusive)
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
