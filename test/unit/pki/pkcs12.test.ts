import { Buffer } from "node:buffer"
import { createPrivateKey } from "node:crypto"
import forge from "node-forge"
import { beforeAll, describe, expect, it } from "vitest"
import { splitPemChain } from "../../../src/pki/certificate.ts"
import { createCsr } from "../../../src/pki/csr.ts"
import { generatePrivateKey, publicKeyFingerprint, type KeyAlgorithm } from "../../../src/pki/keys.ts"
import { encodePkcs12 } from "../../../src/pki/pkcs12.ts"
import { signCertificate, type SignedCertificate } from "../../../src/pki/signer.ts"
import { failure, openssl, run, scratch } from "./support.ts"

const files = scratch()
const day = 24 * 60 * 60 * 1000
const algorithms: ReadonlyArray<KeyAlgorithm> = ["RSA", "ECDSA", "Ed25519"]

interface Issued {
  readonly key: string
  readonly signed: SignedCertificate
}
const issued: Partial<Record<KeyAlgorithm, Issued>> = {}

beforeAll(async () => {
  const caKey = await run(generatePrivateKey({ algorithm: "ECDSA" }))
  const ca = await run(signCertificate({
    csrPem: await run(createCsr(caKey, { commonName: "Keystore CA", isCA: true })),
    signer: { kind: "self", privateKeyPem: caKey },
    duration: 30 * day,
  }))
  for (const algorithm of algorithms) {
    const key = await run(generatePrivateKey({ algorithm }))
    const signed = await run(signCertificate({
      csrPem: await run(createCsr(key, { commonName: `${algorithm}.example`, dnsNames: [`${algorithm}.example`] })),
      signer: { kind: "ca", certificatePem: ca.certificatePem, privateKeyPem: caKey },
      duration: day,
    }))
    issued[algorithm] = { key, signed }
  }
}, 60_000)

const get = (algorithm: KeyAlgorithm): Issued => issued[algorithm] ?? { key: "", signed: { certificatePem: "", caPem: "" } }

describe("encodePkcs12", () => {
  it.each(algorithms)("writes a %s keystore OpenSSL opens, with the Modern2023 algorithms", async (algorithm) => {
    const { key, signed } = get(algorithm)
    const password = "keystore-pässwörd"
    const p12 = await run(encodePkcs12({ privateKeyPem: key, certificatePem: signed.certificatePem, caPem: signed.caPem, password }))
    const file = files.file(`${algorithm}.p12`, p12)

    const info = openssl(["pkcs12", "-info", "-nokeys", "-passin", `pass:${password}`, "-in", file])
    expect(info.status, info.stderr).toBe(0)
    expect(info.stderr).toContain("MAC: sha256, Iteration 2048")
    expect(info.stderr).toContain("PKCS7 Encrypted data: PBES2, PBKDF2, AES-256-CBC, Iteration 2048, PRF hmacWithSHA256")
    expect(info.stderr).toContain("Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC, Iteration 2048, PRF hmacWithSHA256")
    // The leaf (tied to the key by localKeyID) and then ca.crt.
    expect(splitPemChain(info.stdout)).toEqual([...splitPemChain(signed.certificatePem), ...splitPemChain(signed.caPem)])
    expect(info.stdout).toMatch(/Bag Attributes\n\s+localKeyID: [0-9A-F ]+\nsubject=CN = /)

    // OpenSSL recovers a private key with the same public key.
    const keys = openssl(["pkcs12", "-nocerts", "-nodes", "-passin", `pass:${password}`, "-in", file])
    expect(keys.status, keys.stderr).toBe(0)
    expect(await run(publicKeyFingerprint(keys.stdout))).toBe(await run(publicKeyFingerprint(key)))

    const wrong = openssl(["pkcs12", "-info", "-nokeys", "-passin", "pass:wrong", "-in", file])
    expect(wrong.status).not.toBe(0)
    expect(wrong.stderr).toContain("Mac verify error")
  })

  it.each(algorithms)("writes a %s keystore node-forge reads back, MAC checked", async (algorithm) => {
    const { key, signed } = get(algorithm)
    // forge reads PBES2 passwords as Latin-1, so this one stays ASCII.
    const p12 = await run(encodePkcs12({ privateKeyPem: key, certificatePem: signed.certificatePem, password: "changeit" }))
    const pfx = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(Buffer.from(p12).toString("binary")), true, "changeit")
    const keyBagType = forge.pki.oids["pkcs8ShroudedKeyBag"] ?? ""
    const certBagType = forge.pki.oids["certBag"] ?? ""
    const keyBags = pfx.getBags({ bagType: keyBagType })[keyBagType] ?? []
    const certBags = pfx.getBags({ bagType: certBagType })[certBagType] ?? []
    expect(keyBags).toHaveLength(1)
    expect(certBags).toHaveLength(1)
    const bag = keyBags[0]
    // forge builds key objects for RSA only; for the others it hands back the PrivateKeyInfo.
    const privateKeyInfo = bag?.key === undefined || bag.key === null
      ? forge.asn1.toDer(bag?.asn1 ?? forge.asn1.create(0, 0, false, "")).getBytes()
      : forge.asn1.toDer(forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(bag.key))).getBytes()
    const recovered = createPrivateKey({ key: Buffer.from(privateKeyInfo, "binary"), format: "der", type: "pkcs8" })
    expect(await run(publicKeyFingerprint(recovered.export({ type: "pkcs8", format: "pem" }).toString()))).toBe(await run(publicKeyFingerprint(key)))
    expect(bag?.attributes["localKeyId"]).toEqual(certBags[0]?.attributes["localKeyId"])
  })

  it("refuses a key that does not belong to the certificate", async () => {
    const error = await failure(encodePkcs12({ privateKeyPem: get("RSA").key, certificatePem: get("ECDSA").signed.certificatePem, password: "x" }))
    expect(error.reason).toBe("KeyMismatch")
  })
})
