// Private keys as cert-manager makes and stores them: RSA (2048 to 8192 bits,
// default 2048), ECDSA (P-256 default, P-384, P-521) and Ed25519, written as
// PKCS#1 (the default: "RSA PRIVATE KEY", or SEC 1 "EC PRIVATE KEY" for ECDSA)
// or PKCS#8 ("PRIVATE KEY"; always for Ed25519, which has no PKCS#1 form).
import { createHash, createPrivateKey, createPublicKey, generateKeyPair, X509Certificate, type KeyObject } from "node:crypto"
import { Effect } from "effect"
import { PkiError, secretCause } from "./errors.ts"
import { pemBlocks } from "./pem.ts"
import { describeKey, type KeyAlgorithm } from "./webcrypto.ts"

export type { KeyAlgorithm } from "./webcrypto.ts"
export type KeyEncoding = "PKCS1" | "PKCS8"

export interface KeySpec {
  readonly algorithm: KeyAlgorithm
  /** RSA: bits (default 2048, 2048 to 8192). ECDSA: 256 (default), 384 or 521. Ignored for Ed25519. */
  readonly size?: number
  /** Default PKCS1. Ed25519 keys are PKCS8 whatever this says. */
  readonly encoding?: KeyEncoding
}

export interface PrivateKeyInfo {
  readonly algorithm: KeyAlgorithm
  /** RSA modulus bits, ECDSA curve bits (256, 384, 521), 256 for Ed25519. */
  readonly size: number
  /** How the PEM was written: PKCS1 for "RSA PRIVATE KEY" and "EC PRIVATE KEY", PKCS8 for "PRIVATE KEY". */
  readonly encoding: KeyEncoding
  /** SubjectPublicKeyInfo PEM ("PUBLIC KEY"). */
  readonly publicKeyPem: string
}

/** The spec.privateKey field a key fails, named as cert-manager names it in its reissuance reasons. */
export type PrivateKeyViolation = "spec.privateKey.algorithm" | "spec.privateKey.size" | "spec.privateKey.encoding"

interface ResolvedKeySpec {
  readonly algorithm: KeyAlgorithm
  readonly size: number
  readonly encoding: KeyEncoding
}

/** cert-manager's defaults: RSA 2048, ECDSA 256, PKCS1; Ed25519 is always 256 bits and PKCS8. */
const resolve = (spec: KeySpec): ResolvedKeySpec => {
  if (spec.algorithm === "Ed25519") return { algorithm: "Ed25519", size: 256, encoding: "PKCS8" }
  const size = spec.size === undefined || spec.size === 0 ? (spec.algorithm === "RSA" ? 2048 : 256) : spec.size
  return { algorithm: spec.algorithm, size, encoding: spec.encoding ?? "PKCS1" }
}

const validate = (spec: KeySpec): Effect.Effect<ResolvedKeySpec, PkiError> => {
  const resolved = resolve(spec)
  const invalid = (message: string) => Effect.fail(new PkiError({ reason: "InvalidKeySpec", message }))
  switch (resolved.algorithm) {
    case "RSA":
      return Number.isInteger(resolved.size) && resolved.size >= 2048 && resolved.size <= 8192
        ? Effect.succeed(resolved)
        : invalid(`RSA key size ${resolved.size} is not supported: use 2048 to 8192 bits`)
    case "ECDSA":
      return [256, 384, 521].includes(resolved.size)
        ? Effect.succeed(resolved)
        : invalid(`ECDSA key size ${resolved.size} is not supported: use 256, 384 or 521`)
    case "Ed25519":
      return Effect.succeed(resolved)
    default:
      return invalid(`unknown private key algorithm ${JSON.stringify(spec.algorithm)}: use RSA, ECDSA or Ed25519`)
  }
}

const curveNames: Readonly<Record<number, string>> = { 256: "prime256v1", 384: "secp384r1", 521: "secp521r1" }

/** generateKeyPair on libuv's thread pool, so a 4096-bit RSA key does not stall the event loop. */
const generateKeyObject = (spec: ResolvedKeySpec): Effect.Effect<KeyObject, PkiError> =>
  Effect.callback<KeyObject, PkiError>((resume) => {
    const done = (error: Error | null, _publicKey: KeyObject, privateKey: KeyObject) =>
      resume(
        error === null
          ? Effect.succeed(privateKey)
          : Effect.fail(new PkiError({ reason: "Internal", message: `key generation failed: ${secretCause(error)}` })),
      )
    if (spec.algorithm === "RSA") generateKeyPair("rsa", { modulusLength: spec.size }, done)
    else if (spec.algorithm === "ECDSA") generateKeyPair("ec", { namedCurve: curveNames[spec.size] ?? "" }, done)
    else generateKeyPair("ed25519", {}, done)
  })

const exportPem = (key: KeyObject, encoding: KeyEncoding): string => {
  if (encoding === "PKCS8" || key.asymmetricKeyType === "ed25519") return key.export({ type: "pkcs8", format: "pem" }).toString()
  return key.export({ type: key.asymmetricKeyType === "ec" ? "sec1" : "pkcs1", format: "pem" }).toString()
}

/** A new private key as PEM, following cert-manager's defaults for whatever `spec` leaves out. */
export const generatePrivateKey = Effect.fn("pki.generatePrivateKey")(function* (spec: KeySpec) {
  const resolved = yield* validate(spec)
  const key = yield* generateKeyObject(resolved)
  return exportPem(key, resolved.encoding)
})

const privateKeyTypes: Readonly<Record<string, { readonly type: "pkcs1" | "sec1" | "pkcs8"; readonly encoding: KeyEncoding }>> = {
  "RSA PRIVATE KEY": { type: "pkcs1", encoding: "PKCS1" },
  "EC PRIVATE KEY": { type: "sec1", encoding: "PKCS1" },
  "PRIVATE KEY": { type: "pkcs8", encoding: "PKCS8" },
}

const invalidKey = (message: string) => new PkiError({ reason: "InvalidPrivateKey", message })

/**
 * The first private key block of `pem` as a KeyObject. Other blocks (an "EC
 * PARAMETERS" block before the key, certificates after it) are skipped.
 * Encrypted keys are refused: cert-manager neither writes nor reads them.
 */
export const readPrivateKey = (pem: string): Effect.Effect<{ readonly key: KeyObject; readonly encoding: KeyEncoding }, PkiError> =>
  Effect.suspend(() => {
    const blocks = pemBlocks(pem)
    if (blocks.some((block) => block.type === "ENCRYPTED PRIVATE KEY")) {
      return Effect.fail(invalidKey("encrypted private keys are not supported"))
    }
    const block = blocks.find((candidate) => privateKeyTypes[candidate.type] !== undefined)
    const format = block === undefined ? undefined : privateKeyTypes[block.type]
    if (block === undefined || format === undefined) return Effect.fail(invalidKey("no PEM private key found"))
    if (block.headers.some((header) => header.toUpperCase().includes("ENCRYPTED"))) {
      return Effect.fail(invalidKey("encrypted private keys are not supported"))
    }
    return Effect.try({
      try: () => createPrivateKey({ key: block.der, format: "der", type: format.type }),
      catch: (cause) => invalidKey(`${block.type} block could not be read (${secretCause(cause)})`),
    }).pipe(
      Effect.flatMap((key) =>
        describeKey(key) === undefined
          ? Effect.fail(invalidKey(`unsupported key type ${key.asymmetricKeyType ?? "unknown"}: use RSA, ECDSA (P-256, P-384, P-521) or Ed25519`))
          : Effect.succeed({ key, encoding: format.encoding }),
      ),
    )
  })

/** Algorithm, size and encoding of a PEM private key, and its public key. */
export const parsePrivateKey = Effect.fn("pki.parsePrivateKey")(function* (pem: string) {
  const { key, encoding } = yield* readPrivateKey(pem)
  const described = describeKey(key)
  if (described === undefined) return yield* invalidKey("unsupported key type")
  const info: PrivateKeyInfo = {
    ...described,
    encoding,
    publicKeyPem: createPublicKey(key).export({ type: "spki", format: "pem" }).toString(),
  }
  return info
})

/**
 * Which fields of `spec` the key fails, the way cert-manager's
 * PrivateKeyMatchesSpec decides (size is not compared for Ed25519), plus the
 * encoding, which cert-manager handles apart: a key that fails only on
 * encoding can be re-encoded rather than regenerated.
 */
export const privateKeySpecViolations = Effect.fn("pki.privateKeySpecViolations")(function* (pem: string, spec: KeySpec) {
  return keySpecViolations(yield* parsePrivateKey(pem), spec)
})

/** privateKeySpecViolations for a key already read. */
export const keySpecViolations = (
  info: { readonly algorithm: KeyAlgorithm; readonly size: number; readonly encoding: KeyEncoding },
  spec: KeySpec,
): ReadonlyArray<PrivateKeyViolation> => {
  const wanted = resolve(spec)
  const violations: Array<PrivateKeyViolation> = []
  if (info.algorithm !== wanted.algorithm) return ["spec.privateKey.algorithm"]
  if (wanted.algorithm !== "Ed25519" && info.size !== wanted.size) violations.push("spec.privateKey.size")
  if (info.encoding !== wanted.encoding) violations.push("spec.privateKey.encoding")
  return violations
}

/** True when the PEM key has the algorithm, size and encoding `spec` asks for; false also when it cannot be read. */
export const privateKeyMatchesSpec = (pem: string, spec: KeySpec): boolean =>
  Effect.runSync(
    privateKeySpecViolations(pem, spec).pipe(
      Effect.map((violations) => violations.length === 0),
      Effect.orElseSucceed(() => false),
    ),
  )

/** The public key of a private key PEM, a public key PEM ("PUBLIC KEY", "RSA PUBLIC KEY") or a certificate PEM. */
export const readPublicKey = (pem: string): Effect.Effect<KeyObject, PkiError> =>
  Effect.suspend(() => {
    const block = pemBlocks(pem).find((candidate) =>
      ["PUBLIC KEY", "RSA PUBLIC KEY", "CERTIFICATE"].includes(candidate.type) || privateKeyTypes[candidate.type] !== undefined,
    )
    if (block === undefined) return Effect.fail(invalidKey("no PEM private key, public key or certificate found"))
    if (privateKeyTypes[block.type] !== undefined) return readPrivateKey(pem).pipe(Effect.map(({ key }) => createPublicKey(key)))
    return Effect.try({
      try: () =>
        block.type === "CERTIFICATE"
          ? new X509Certificate(block.der).publicKey
          : createPublicKey({ key: block.der, format: "der", type: block.type === "PUBLIC KEY" ? "spki" : "pkcs1" }),
      catch: (cause) => invalidKey(`${block.type} block could not be read (${secretCause(cause)})`),
    })
  })

/** The DER SubjectPublicKeyInfo of a key (private or public). */
export const spkiDer = (key: KeyObject): Buffer =>
  (key.type === "private" ? createPublicKey(key) : key).export({ type: "spki", format: "der" })

/** Lowercase hex SHA-256 of the DER SubjectPublicKeyInfo: equal for a private key, its public key and its certificates. */
export const publicKeyFingerprint = Effect.fn("pki.publicKeyFingerprint")(function* (pem: string) {
  const key = yield* readPublicKey(pem)
  return createHash("sha256").update(spkiDer(key)).digest("hex")
})
