// The bridge from node:crypto KeyObjects to the WebCrypto keys @peculiar/x509
// signs with, and the choice of signature algorithm, made the way Go (and so
// cert-manager) makes it.
import { webcrypto, type KeyObject } from "node:crypto"

/** Node's WebCrypto, handed to @peculiar/x509 explicitly rather than through its global provider. */
export const crypto: webcrypto.Crypto = webcrypto

export type Hash = "SHA-256" | "SHA-384" | "SHA-512"

export type KeyAlgorithm = "RSA" | "ECDSA" | "Ed25519"

const curves: Readonly<Record<string, { readonly name: string; readonly size: number; readonly hash: Hash }>> = {
  prime256v1: { name: "P-256", size: 256, hash: "SHA-256" },
  secp384r1: { name: "P-384", size: 384, hash: "SHA-384" },
  secp521r1: { name: "P-521", size: 521, hash: "SHA-512" },
}

/** Algorithm and size of a supported key, or undefined (DSA, X25519, Ed448, other curves). */
export const describeKey = (key: KeyObject): { readonly algorithm: KeyAlgorithm; readonly size: number } | undefined => {
  switch (key.asymmetricKeyType) {
    case "rsa":
      return { algorithm: "RSA", size: key.asymmetricKeyDetails?.modulusLength ?? 0 }
    case "ec": {
      const curve = curves[key.asymmetricKeyDetails?.namedCurve ?? ""]
      return curve === undefined ? undefined : { algorithm: "ECDSA", size: curve.size }
    }
    case "ed25519":
      return { algorithm: "Ed25519", size: 256 }
    default:
      return undefined
  }
}

const importParams = (key: KeyObject, hash: Hash): webcrypto.Algorithm | webcrypto.RsaHashedImportParams | webcrypto.EcKeyImportParams => {
  switch (key.asymmetricKeyType) {
    case "rsa":
      return { name: "RSASSA-PKCS1-v1_5", hash }
    case "ec":
      return { name: "ECDSA", namedCurve: curves[key.asymmetricKeyDetails?.namedCurve ?? ""]?.name ?? "" }
    default:
      return { name: "Ed25519" }
  }
}

/**
 * The hash Go's x509.CreateCertificate picks for a signer key: SHA-256 for
 * every RSA size, the curve's own hash for ECDSA, none (pure) for Ed25519.
 */
export const certificateHash = (signer: KeyObject): Hash =>
  signer.asymmetricKeyType === "ec" ? (curves[signer.asymmetricKeyDetails?.namedCurve ?? ""]?.hash ?? "SHA-256") : "SHA-256"

/**
 * The hash cert-manager's pki.SignatureAlgorithm picks for a CSR: RSA keys of
 * 4096 bits and more use SHA-512, 3072 and more SHA-384, otherwise SHA-256;
 * ECDSA uses the curve's hash.
 */
export const csrHash = (key: KeyObject): Hash => {
  if (key.asymmetricKeyType !== "rsa") return certificateHash(key)
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0
  return bits >= 4096 ? "SHA-512" : bits >= 3072 ? "SHA-384" : "SHA-256"
}

/**
 * A non-extractable WebCrypto signing key. For RSA the hash is part of the
 * imported key, and @peculiar/x509 takes it from there (the key's algorithm
 * overrides `signingAlgorithm`).
 */
export const signingKey = (privateKey: KeyObject, hash: Hash): webcrypto.CryptoKey =>
  privateKey.toCryptoKey(importParams(privateKey, hash), false, ["sign"])

export const verifyingKey = (publicKey: KeyObject, hash: Hash): webcrypto.CryptoKey =>
  publicKey.toCryptoKey(importParams(publicKey, hash), true, ["verify"])

/** The `signingAlgorithm` parameter for @peculiar/x509 (ECDSA needs the hash here, not in the key). */
export const signingAlgorithm = (key: KeyObject, hash: Hash): webcrypto.Algorithm | webcrypto.EcdsaParams =>
  key.asymmetricKeyType === "ec" ? { name: "ECDSA", hash } : importParams(key, hash)
