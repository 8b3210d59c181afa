import { createPrivateKey, createPublicKey, generateKeyPairSync } from "node:crypto"
import { describe, expect, it } from "vitest"
import {
  generatePrivateKey, parsePrivateKey, privateKeyMatchesSpec, privateKeySpecViolations, publicKeyFingerprint,
  type KeySpec,
} from "../../../src/pki/keys.ts"
import { failure, opensslOk, run, scratch } from "./support.ts"
import { pemBlock, pemHeader } from "../../support/pem.ts"

const files = scratch()
const firstLine = (pem: string) => pem.split("\n")[0]

interface Case {
  readonly spec: KeySpec
  readonly header: string
  readonly size: number
  readonly encoding: "PKCS1" | "PKCS8"
  /** What `openssl pkey -text` prints for this key. */
  readonly openssl: string
}

const cases: ReadonlyArray<Case> = [
  ...[2048, 3072, 4096].flatMap((size): ReadonlyArray<Case> => [
    { spec: { algorithm: "RSA", size, encoding: "PKCS1" }, header: pemHeader("RSA PRIVATE KEY"), size, encoding: "PKCS1", openssl: `Private-Key: (${size} bit, 2 primes)` },
    { spec: { algorithm: "RSA", size, encoding: "PKCS8" }, header: pemHeader("PRIVATE KEY"), size, encoding: "PKCS8", openssl: `Private-Key: (${size} bit, 2 primes)` },
  ]),
  ...([[256, "prime256v1"], [384, "secp384r1"], [521, "secp521r1"]] as const).flatMap(([size, curve]): ReadonlyArray<Case> => [
    { spec: { algorithm: "ECDSA", size, encoding: "PKCS1" }, header: pemHeader("EC PRIVATE KEY"), size, encoding: "PKCS1", openssl: `ASN1 OID: ${curve}` },
    { spec: { algorithm: "ECDSA", size, encoding: "PKCS8" }, header: pemHeader("PRIVATE KEY"), size, encoding: "PKCS8", openssl: `ASN1 OID: ${curve}` },
  ]),
  // Ed25519 has no PKCS#1 form: cert-manager writes PKCS#8 whatever the encoding says.
  { spec: { algorithm: "Ed25519" }, header: pemHeader("PRIVATE KEY"), size: 256, encoding: "PKCS8", openssl: "ED25519 Private-Key" },
  { spec: { algorithm: "Ed25519", encoding: "PKCS1" }, header: pemHeader("PRIVATE KEY"), size: 256, encoding: "PKCS8", openssl: "ED25519 Private-Key" },
  { spec: { algorithm: "Ed25519", encoding: "PKCS8" }, header: pemHeader("PRIVATE KEY"), size: 256, encoding: "PKCS8", openssl: "ED25519 Private-Key" },
]

describe("generatePrivateKey and parsePrivateKey", () => {
  it.each(cases)("$spec.algorithm $spec.size $spec.encoding → $header", { timeout: 60_000 }, async (testCase) => {
    const pem = await run(generatePrivateKey(testCase.spec))
    expect(firstLine(pem)).toBe(testCase.header)
    const info = await run(parsePrivateKey(pem))
    expect(info).toMatchObject({ algorithm: testCase.spec.algorithm, size: testCase.size, encoding: testCase.encoding })
    expect(firstLine(info.publicKeyPem)).toBe("-----BEGIN PUBLIC KEY-----")
    expect(privateKeyMatchesSpec(pem, testCase.spec)).toBe(true)
    // OpenSSL reads the same algorithm and size, and the same public key.
    const text = opensslOk(["pkey", "-noout", "-text", "-in", files.file("key.pem", pem)])
    expect(text).toContain(testCase.openssl)
    expect(opensslOk(["pkey", "-pubout", "-in", files.file("key.pem", pem)])).toBe(info.publicKeyPem)
  })

  it("applies cert-manager's defaults: RSA 2048 PKCS1, ECDSA P-256 PKCS1", async () => {
    const rsa = await run(generatePrivateKey({ algorithm: "RSA" }))
    expect(firstLine(rsa)).toBe(pemHeader("RSA PRIVATE KEY"))
    expect(await run(parsePrivateKey(rsa))).toMatchObject({ algorithm: "RSA", size: 2048, encoding: "PKCS1" })
    const ecdsa = await run(generatePrivateKey({ algorithm: "ECDSA", size: 0 }))
    expect(firstLine(ecdsa)).toBe(pemHeader("EC PRIVATE KEY"))
    expect(await run(parsePrivateKey(ecdsa))).toMatchObject({ algorithm: "ECDSA", size: 256, encoding: "PKCS1" })
  })

  it.each([
    [{ algorithm: "RSA", size: 1024 }, "RSA key size 1024"],
    [{ algorithm: "RSA", size: 16384 }, "RSA key size 16384"],
    [{ algorithm: "ECDSA", size: 255 }, "ECDSA key size 255"],
    [{ algorithm: "DSA" } as unknown as KeySpec, "unknown private key algorithm"],
  ] as ReadonlyArray<readonly [KeySpec, string]>)("refuses %j", async (spec, message) => {
    const error = await failure(generatePrivateKey(spec))
    expect(error.reason).toBe("InvalidKeySpec")
    expect(error.message).toContain(message)
  })

  it("does not block the event loop while generating an RSA 4096 key", { timeout: 60_000 }, async () => {
    let ticks = 0
    const timer = setInterval(() => ticks++, 5)
    await run(generatePrivateKey({ algorithm: "RSA", size: 4096 }))
    clearInterval(timer)
    expect(ticks).toBeGreaterThan(0)
  })
})

describe("parsePrivateKey on other input", () => {
  it("refuses garbage, public keys and encrypted keys without echoing them", async () => {
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" })
    const encrypted = privateKey.export({ type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase: "secret" }).toString()
    const legacyEncrypted = privateKey.export({ type: "sec1", format: "pem", cipher: "aes-256-cbc", passphrase: "secret" }).toString()
    const corrupt = pemBlock("PRIVATE KEY", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
    for (const input of ["", "not a key", publicKey.export({ type: "spki", format: "pem" }).toString(), encrypted, legacyEncrypted, corrupt]) {
      const error = await failure(parsePrivateKey(input))
      expect(error.reason).toBe("InvalidPrivateKey")
      expect(error.message).not.toMatch(/[A-Za-z0-9+/]{24}/)
    }
  })

  it("reads an OpenSSL EC key that starts with an EC PARAMETERS block", async () => {
    const pem = opensslOk(["ecparam", "-name", "secp384r1", "-genkey"])
    expect(firstLine(pem)).toBe("-----BEGIN EC PARAMETERS-----")
    expect(await run(parsePrivateKey(pem))).toMatchObject({ algorithm: "ECDSA", size: 384, encoding: "PKCS1" })
  })

  it("refuses key types cert-manager does not issue (Ed448, secp256k1)", async () => {
    for (const pem of [
      generateKeyPairSync("ed448").privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
      generateKeyPairSync("ec", { namedCurve: "secp256k1" }).privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    ]) {
      expect((await failure(parsePrivateKey(pem))).message).toContain("unsupported key type")
    }
  })
})

describe("privateKeyMatchesSpec", () => {
  it("tells which spec.privateKey field changed", { timeout: 30_000 }, async () => {
    const rsa = await run(generatePrivateKey({ algorithm: "RSA", size: 2048 }))
    expect(privateKeyMatchesSpec(rsa, { algorithm: "RSA" })).toBe(true)
    expect(privateKeyMatchesSpec(rsa, { algorithm: "RSA", size: 2048, encoding: "PKCS1" })).toBe(true)
    expect(privateKeyMatchesSpec(rsa, { algorithm: "RSA", size: 3072 })).toBe(false)
    expect(privateKeyMatchesSpec(rsa, { algorithm: "RSA", encoding: "PKCS8" })).toBe(false)
    expect(privateKeyMatchesSpec(rsa, { algorithm: "ECDSA" })).toBe(false)
    expect(await run(privateKeySpecViolations(rsa, { algorithm: "RSA", size: 4096, encoding: "PKCS8" }))).toEqual([
      "spec.privateKey.size",
      "spec.privateKey.encoding",
    ])
    expect(await run(privateKeySpecViolations(rsa, { algorithm: "Ed25519" }))).toEqual(["spec.privateKey.algorithm"])

    const ecdsa = await run(generatePrivateKey({ algorithm: "ECDSA", size: 384, encoding: "PKCS8" }))
    expect(privateKeyMatchesSpec(ecdsa, { algorithm: "ECDSA", size: 384, encoding: "PKCS8" })).toBe(true)
    expect(privateKeyMatchesSpec(ecdsa, { algorithm: "ECDSA", encoding: "PKCS8" })).toBe(false)

    // Size is not read for Ed25519, and PKCS1 cannot apply to it.
    const ed25519 = await run(generatePrivateKey({ algorithm: "Ed25519" }))
    expect(privateKeyMatchesSpec(ed25519, { algorithm: "Ed25519", size: 4096, encoding: "PKCS1" })).toBe(true)

    expect(privateKeyMatchesSpec("garbage", { algorithm: "RSA" })).toBe(false)
  })
})

describe("publicKeyFingerprint", () => {
  it.each(["RSA", "ECDSA", "Ed25519"] as const)("is the SHA-256 of the SPKI DER, alike for a %s private key, its public key and a certificate", async (algorithm) => {
    const pem = await run(generatePrivateKey({ algorithm }))
    const keyFile = files.file("key.pem", pem)
    // OpenSSL computes the expected value on its own: the DER SPKI, then dgst.
    const spkiFile = `${keyFile}.spki.der`
    opensslOk(["pkey", "-in", keyFile, "-pubout", "-outform", "DER", "-out", spkiFile])
    const hex = opensslOk(["dgst", "-sha256", "-r", spkiFile]).split(" ")[0]
    const certificate = opensslOk(["req", "-x509", "-new", "-key", keyFile, "-subj", "/CN=fingerprint", "-days", "1"])
    const publicPem = createPublicKey(createPrivateKey(pem)).export({ type: "spki", format: "pem" }).toString()
    expect(await run(publicKeyFingerprint(pem))).toBe(hex)
    expect(await run(publicKeyFingerprint(publicPem))).toBe(hex)
    expect(await run(publicKeyFingerprint(certificate))).toBe(hex)
  })

  it("fails on input with no key", async () => {
    expect((await failure(publicKeyFingerprint("nothing here"))).reason).toBe("InvalidPrivateKey")
  })
})
