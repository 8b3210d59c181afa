// What certops needs to know of a TLS Secret's contents to decide on it —
// which keys it has, the certificate's facts, the private key's kind, whether
// the two belong together, digests to compare with — without its data. A
// cache that holds Secrets keeps this in place of the data (projectSecret),
// so no key material stays in memory; the facts are looked up by the very
// object the cache returns.
import { createHash } from "node:crypto"
import { Effect } from "effect"
import { readCertificateFacts, type CertificateFacts } from "./certificate-facts.ts"
import { readPrivateKey, spkiDer, type KeyEncoding } from "./keys.ts"
import { describeKey, type KeyAlgorithm } from "./webcrypto.ts"

export interface PrivateKeyFacts {
  readonly algorithm: KeyAlgorithm
  readonly size: number
  readonly encoding: KeyEncoding
  readonly publicKeySha256: string
}

export interface TlsSecretFacts {
  /** The data keys the Secret has. */
  readonly keys: ReadonlyArray<string>
  /** SHA-256 (hex) of each present value of tls.crt, tls.key and ca.crt, decoded. */
  readonly digests: Readonly<Record<string, string>>
  /** The first certificate of tls.crt; undefined when missing or unreadable. */
  readonly certificate?: CertificateFacts
  /** tls.key's kind; undefined when missing or unreadable. */
  readonly privateKey?: PrivateKeyFacts
}

interface SecretLike {
  readonly data?: { readonly [key: string]: string } | undefined
}

const watched = ["tls.crt", "tls.key", "ca.crt"] as const

const text = (data: SecretLike["data"], key: string): string | undefined => {
  const value = data?.[key]
  return value === undefined ? undefined : Buffer.from(value, "base64").toString("utf8")
}

export const digestOf = (value: string | Uint8Array): string => createHash("sha256").update(value).digest("hex")

const privateKeyFacts = (pem: string): PrivateKeyFacts | undefined => {
  const read = Effect.runSync(Effect.result(readPrivateKey(pem)))
  if (read._tag === "Failure") return undefined
  const described = describeKey(read.success.key)
  if (described === undefined) return undefined
  return { ...described, encoding: read.success.encoding, publicKeySha256: digestOf(spkiDer(read.success.key)) }
}

/** The facts of a Secret's data, read from the data itself. */
export const factsOfData = (data: SecretLike["data"]): TlsSecretFacts => {
  const digests: Record<string, string> = {}
  for (const key of watched) {
    const value = data?.[key]
    if (value !== undefined) digests[key] = digestOf(Buffer.from(value, "base64"))
  }
  const certificatePem = text(data, "tls.crt")
  const keyPem = text(data, "tls.key")
  const certificate = certificatePem === undefined || certificatePem.trim() === "" ? undefined : readCertificateFacts(certificatePem)
  const privateKey = keyPem === undefined || keyPem.trim() === "" ? undefined : privateKeyFacts(keyPem)
  return {
    keys: Object.keys(data ?? {}),
    digests,
    ...(certificate === undefined ? {} : { certificate }),
    ...(privateKey === undefined ? {} : { privateKey }),
  }
}

const known = new WeakMap<object, TlsSecretFacts>()

/**
 * The facts of a Secret: those its projection kept, else read from its data
 * (once per object). A projection with no data and no facts has none.
 */
export const tlsSecretFacts = (secret: SecretLike): TlsSecretFacts => {
  const kept = known.get(secret)
  if (kept !== undefined) return kept
  const facts = factsOfData(secret.data)
  known.set(secret, facts)
  return facts
}

/** The Secret without its data, its facts kept in place of it. */
export const projectSecret = <S extends SecretLike>(secret: S): S => {
  if (secret.data === undefined) return secret
  const facts = tlsSecretFacts(secret)
  const { data: _data, ...rest } = secret
  const projected = rest as S
  known.set(projected, facts)
  return projected
}

/** True when the Secret came from a cache that left its data out. */
export const isProjected = (secret: SecretLike): boolean => secret.data === undefined && known.has(secret)
