import { X509Certificate } from "node:crypto"
import { beforeAll, describe, expect, it } from "vitest"
import { parseCertificate, splitPemChain, verifyChain } from "../../../src/pki/certificate.ts"
import { createCsr, type CsrRequest } from "../../../src/pki/csr.ts"
import { generatePrivateKey, type KeyAlgorithm } from "../../../src/pki/keys.ts"
import { pemBlocks, toPem } from "../../../src/pki/pem.ts"
import { signCertificate, type SignRequest, type SignedCertificate } from "../../../src/pki/signer.ts"
import { failure, openssl, opensslOk, run, scratch } from "./support.ts"

const files = scratch()
const day = 24 * 60 * 60 * 1000
const now = new Date(Math.floor(Date.now() / 1000) * 1000)
const algorithms: ReadonlyArray<KeyAlgorithm> = ["RSA", "ECDSA", "Ed25519"]

const keys: Record<string, string> = {}
const cas: Record<string, SignedCertificate> = {}

const selfSign = async (keyPem: string, request: CsrRequest, extra?: Partial<SignRequest>) =>
  run(signCertificate({ csrPem: await run(createCsr(keyPem, request)), signer: { kind: "self", privateKeyPem: keyPem }, duration: 365 * day, now, ...extra }))

beforeAll(async () => {
  for (const algorithm of algorithms) {
    keys[`${algorithm} CA`] = await run(generatePrivateKey({ algorithm, ...(algorithm === "ECDSA" ? { size: 384 } : {}) }))
    keys[`${algorithm} leaf`] = await run(generatePrivateKey({ algorithm }))
    cas[algorithm] = await selfSign(keys[`${algorithm} CA`] ?? "", { commonName: `${algorithm} Root CA`, subject: { organizations: ["Example"] }, isCA: true })
  }
}, 60_000)

const key = (name: string) => keys[name] ?? ""
const ca = (algorithm: KeyAlgorithm) => cas[algorithm] ?? { certificatePem: "", caPem: "" }

/** `openssl x509 -text` without the hex dumps. */
const opensslText = (pem: string) =>
  opensslOk(["x509", "-noout", "-text", "-in", files.file("cert.pem", pem)]).split("\n").filter((line) => !/^\s+([0-9a-f]{2}:)+[0-9a-f]{0,2}$/.test(line)).join("\n")

const opensslVerify = (rootPem: string, certificatePem: string) => {
  const [leaf = "", ...chain] = splitPemChain(certificatePem)
  const args = ["verify", "-CAfile", files.file("root.pem", rootPem), ...(chain.length > 0 ? ["-untrusted", files.file("chain.pem", chain.join(""))] : []), files.file("leaf.pem", leaf)]
  return openssl(args)
}

describe("self-signed", () => {
  it.each(algorithms)("%s: issuer = subject, ca.crt = the certificate, verified by node:crypto and OpenSSL", async (algorithm) => {
    const signed = ca(algorithm)
    expect(signed.caPem).toBe(signed.certificatePem)
    const parsed = await run(parseCertificate(signed.certificatePem))
    expect(parsed).toMatchObject({ issuer: `CN=${algorithm} Root CA,O=Example`, subject: `CN=${algorithm} Root CA,O=Example`, isCA: true })
    expect(parsed.usages).toEqual(["digital signature", "key encipherment", "cert sign"])
    expect(parsed.notBefore).toEqual(now)
    expect(parsed.notAfter).toEqual(new Date(now.getTime() + 365 * day))
    const node = new X509Certificate(signed.certificatePem)
    expect(node.verify(node.publicKey)).toBe(true)
    expect(node.checkIssued(node)).toBe(true)
    expect(opensslVerify(signed.caPem, signed.certificatePem).stdout).toContain("OK")
    const text = opensslText(signed.certificatePem)
    expect(text).toContain("X509v3 Basic Constraints: critical\n                CA:TRUE")
    expect(text).toContain("X509v3 Subject Key Identifier")
    // Go leaves authorityKeyIdentifier out of self-signed certificates.
    expect(text).not.toContain("Authority Key Identifier")
  })

  it("refuses a private key that is not the CSR's", async () => {
    const csrPem = await run(createCsr(key("ECDSA leaf"), { commonName: "mismatch" }))
    const error = await failure(signCertificate({ csrPem, signer: { kind: "self", privateKeyPem: key("RSA leaf") }, duration: day }))
    expect(error.reason).toBe("KeyMismatch")
  })

  it("issues a leaf with CA:FALSE and the default usages", async () => {
    const signed = await selfSign(key("Ed25519 leaf"), { dnsNames: ["self.example"] })
    const text = opensslText(signed.certificatePem)
    expect(text).toContain("X509v3 Basic Constraints: critical\n                CA:FALSE")
    expect(text).toContain("X509v3 Key Usage: critical\n                Digital Signature, Key Encipherment")
    expect(text).toContain("X509v3 Subject Alternative Name: critical\n                DNS:self.example")
  })
})

describe("CA-signed", () => {
  const pairs = algorithms.flatMap((caAlgorithm) => algorithms.map((leafAlgorithm) => [caAlgorithm, leafAlgorithm] as const))

  it.each(pairs)("%s CA signs a %s leaf that node:crypto and OpenSSL verify", async (caAlgorithm, leafAlgorithm) => {
    const authority = ca(caAlgorithm)
    const csrPem = await run(createCsr(key(`${leafAlgorithm} leaf`), {
      commonName: "app.example.com",
      dnsNames: ["app.example.com"],
      ipAddresses: ["192.0.2.5", "2001:db8::5"],
      uris: ["spiffe://example/app"],
      emailAddresses: ["app@example.com"],
      subject: { organizations: ["Example"], countries: ["DE"] },
      usages: ["server auth", "client auth"],
    }))
    const signed = await run(signCertificate({
      csrPem: Buffer.from(csrPem).toString("base64"),
      signer: { kind: "ca", certificatePem: authority.certificatePem, privateKeyPem: key(`${caAlgorithm} CA`) },
      duration: 90 * day,
      usages: ["server auth", "client auth"],
      now,
    }))
    expect(signed.caPem).toBe(authority.certificatePem)
    expect(splitPemChain(signed.certificatePem)).toHaveLength(1)

    const parsed = await run(parseCertificate(signed.certificatePem))
    expect(parsed).toMatchObject({
      commonName: "app.example.com",
      subject: "CN=app.example.com,O=Example,C=DE",
      issuer: `CN=${caAlgorithm} Root CA,O=Example`,
      dnsNames: ["app.example.com"],
      ipAddresses: ["192.0.2.5", "2001:db8::5"],
      uris: ["spiffe://example/app"],
      emailAddresses: ["app@example.com"],
      isCA: false,
      usages: ["server auth", "client auth"],
      notBefore: now,
      notAfter: new Date(now.getTime() + 90 * day),
    })

    const leaf = new X509Certificate(signed.certificatePem)
    const root = new X509Certificate(signed.caPem)
    expect(leaf.verify(root.publicKey)).toBe(true)
    expect(leaf.checkIssued(root)).toBe(true)
    await run(verifyChain(signed.certificatePem, signed.caPem, { at: now }))
    const verified = opensslVerify(signed.caPem, signed.certificatePem)
    expect(verified.stdout, verified.stderr).toContain("OK")

    const text = opensslText(signed.certificatePem)
    const caText = opensslText(signed.caPem)
    const caKeyId = /Subject Key Identifier: ?\n\s+([0-9A-F:]+)/.exec(caText)?.[1]
    expect(caKeyId).toBeDefined()
    expect(text).toContain(`X509v3 Authority Key Identifier: \n                ${caKeyId}`)
    expect(text).toContain("X509v3 Basic Constraints: critical\n                CA:FALSE")
    expect(text).not.toContain("X509v3 Key Usage")
    expect(text).toContain("TLS Web Server Authentication, TLS Web Client Authentication")
    const signature = caAlgorithm === "RSA" ? "sha256WithRSAEncryption" : caAlgorithm === "ECDSA" ? "ecdsa-with-SHA384" : "ED25519"
    expect(text).toContain(`Signature Algorithm: ${signature}`)
  })

  it("draws a positive 128-bit serial for every certificate", async () => {
    const csrPem = await run(createCsr(key("ECDSA leaf"), { commonName: "serial" }))
    const serials = new Set<string>()
    for (let index = 0; index < 20; index++) {
      const signed = await run(signCertificate({ csrPem, signer: { kind: "ca", certificatePem: ca("ECDSA").certificatePem, privateKeyPem: key("ECDSA CA") }, duration: day }))
      const serial = BigInt(`0x${(await run(parseCertificate(signed.certificatePem))).serialNumber}`)
      expect(serial > 0n && serial < 2n ** 128n).toBe(true)
      serials.add(serial.toString(16))
    }
    expect(serials.size).toBe(20)
  })

  it("never outlasts the CA: notAfter is cut to the CA's own", async () => {
    const shortCa = await selfSign(key("ECDSA CA"), { commonName: "Short-lived CA", isCA: true }, { duration: 10 * day })
    const csrPem = await run(createCsr(key("RSA leaf"), { commonName: "long" }))
    const signed = await run(signCertificate({ csrPem, signer: { kind: "ca", certificatePem: shortCa.certificatePem, privateKeyPem: key("ECDSA CA") }, duration: 90 * day, now }))
    const parsed = await run(parseCertificate(signed.certificatePem))
    expect(parsed.notAfter).toEqual((await run(parseCertificate(shortCa.certificatePem))).notAfter)
    expect(parsed.notAfter).toEqual(new Date(now.getTime() + 10 * day))

    const afterExpiry = new Date(now.getTime() + 11 * day)
    const expired = await failure(signCertificate({ csrPem, signer: { kind: "ca", certificatePem: shortCa.certificatePem, privateKeyPem: key("ECDSA CA") }, duration: day, now: afterExpiry }))
    expect(expired.reason).toBe("InvalidIssuer")
  })

  it("puts intermediates in tls.crt and the root in ca.crt", async () => {
    const interKey = await run(generatePrivateKey({ algorithm: "ECDSA" }))
    const intermediate = await run(signCertificate({
      csrPem: await run(createCsr(interKey, { commonName: "Intermediate CA", isCA: true })),
      signer: { kind: "ca", certificatePem: ca("RSA").certificatePem, privateKeyPem: key("RSA CA") },
      duration: 100 * day,
      now,
    }))
    expect(intermediate.caPem).toBe(ca("RSA").certificatePem)
    const intermediatePem = splitPemChain(intermediate.certificatePem)[0] ?? ""
    const csrPem = await run(createCsr(key("Ed25519 leaf"), { dnsNames: ["deep.example"] }))
    // The CA Secret's tls.crt holds the intermediate and then the root; with the root left out, ca.crt is the intermediate.
    for (const [bundle, expectedCa] of [[intermediatePem + ca("RSA").certificatePem, ca("RSA").certificatePem], [intermediatePem, intermediatePem]] as const) {
      const signed = await run(signCertificate({ csrPem, signer: { kind: "ca", certificatePem: bundle, privateKeyPem: interKey }, duration: day, now }))
      expect(splitPemChain(signed.certificatePem).slice(1)).toEqual([intermediatePem])
      expect(signed.caPem).toBe(expectedCa)
    }
    const signed = await run(signCertificate({ csrPem, signer: { kind: "ca", certificatePem: intermediatePem + ca("RSA").certificatePem, privateKeyPem: interKey }, duration: day, now }))
    expect(opensslVerify(signed.caPem, signed.certificatePem).stdout).toContain("OK")
    await run(verifyChain(signed.certificatePem, signed.caPem, { at: now }))
    // A bundle with an unrelated certificate is not a single chain.
    const broken = await failure(signCertificate({ csrPem, signer: { kind: "ca", certificatePem: intermediatePem + ca("ECDSA").certificatePem, privateKeyPem: interKey }, duration: day }))
    expect(broken.reason).toBe("InvalidIssuer")
  })

  it("refuses a CA certificate that is not a CA, and a CA key that does not match", async () => {
    const csrPem = await run(createCsr(key("ECDSA leaf"), { commonName: "x" }))
    const leafAsCa = await selfSign(key("RSA leaf"), { commonName: "not a CA" })
    const notCa = await failure(signCertificate({ csrPem, signer: { kind: "ca", certificatePem: leafAsCa.certificatePem, privateKeyPem: key("RSA leaf") }, duration: day }))
    expect(notCa.reason).toBe("InvalidIssuer")
    expect(notCa.message).toContain("not a CA")
    const mismatch = await failure(signCertificate({ csrPem, signer: { kind: "ca", certificatePem: ca("RSA").certificatePem, privateKeyPem: key("ECDSA CA") }, duration: day }))
    expect(mismatch.reason).toBe("KeyMismatch")
  })

  it("signs a CSR made by OpenSSL, and OpenSSL verifies the result", async () => {
    const csrPem = opensslOk(["req", "-new", "-key", files.file("key.pem", key("RSA leaf")), "-subj", "/O=Example/CN=openssl.example", "-addext", "subjectAltName=DNS:openssl.example"])
    const signed = await run(signCertificate({ csrPem, signer: { kind: "ca", certificatePem: ca("ECDSA").certificatePem, privateKeyPem: key("ECDSA CA") }, duration: day, now }))
    expect(opensslVerify(signed.caPem, signed.certificatePem).stdout).toContain("OK")
    expect(await run(parseCertificate(signed.certificatePem))).toMatchObject({ subject: "CN=openssl.example,O=Example", dnsNames: ["openssl.example"] })
  })
})

describe("isCA and usages", () => {
  const sign = (csrPem: string, extra: Partial<SignRequest>) =>
    signCertificate({ csrPem, signer: { kind: "ca", certificatePem: ca("ECDSA").certificatePem, privateKeyPem: key("ECDSA CA") }, duration: day, ...extra })

  it("takes them from the CSR when the request leaves them out, else cert-manager's defaults", async () => {
    const encoded = await run(createCsr(key("ECDSA leaf"), { commonName: "x", usages: ["client auth", "digital signature"] }))
    expect((await run(parseCertificate((await run(sign(encoded, {}))).certificatePem))).usages).toEqual(["digital signature", "client auth"])
    const caCsr = await run(createCsr(key("ECDSA leaf"), { commonName: "sub CA", isCA: true }))
    expect(await run(parseCertificate((await run(sign(caCsr, {}))).certificatePem))).toMatchObject({ isCA: true, usages: ["digital signature", "key encipherment", "cert sign"] })
    const bare = opensslOk(["req", "-new", "-key", files.file("key.pem", key("ECDSA leaf")), "-subj", "/CN=bare"])
    expect(await run(parseCertificate((await run(sign(bare, {}))).certificatePem))).toMatchObject({ isCA: false, usages: ["digital signature", "key encipherment"] })
    expect(await run(parseCertificate((await run(sign(bare, { isCA: true, usages: ["server auth"] }))).certificatePem))).toMatchObject({ isCA: true, usages: ["cert sign", "server auth"] })
  })

  it("refuses a request that contradicts what the CSR encodes", async () => {
    const encoded = await run(createCsr(key("ECDSA leaf"), { commonName: "x", usages: ["server auth"] }))
    const usages = await failure(sign(encoded, { usages: ["client auth"] }))
    expect(usages.message).toContain("encoded CSR error")
    const caCsr = await run(createCsr(key("ECDSA leaf"), { commonName: "sub CA", isCA: true }))
    const isCA = await failure(sign(caCsr, { isCA: false }))
    expect(isCA.message).toContain("encoded CSR error: isCA true does not match the requested isCA false")
    // Without basicConstraints in the CSR, isCA is the request's to decide; the usages still have to agree.
    const widened = await failure(sign(encoded, { isCA: true, usages: ["server auth"] }))
    expect(widened.message).toContain("the CSR's usages [server auth] do not match the requested usages [cert sign, server auth]")
  })

  it("refuses a bad duration and a tampered CSR", async () => {
    const csrPem = await run(createCsr(key("ECDSA leaf"), { commonName: "tamper.example" }))
    expect((await failure(sign(csrPem, { duration: 0 }))).reason).toBe("InvalidRequest")
    const der = Buffer.from(pemBlocks(csrPem)[0]?.der ?? Buffer.alloc(0))
    der[der.indexOf(Buffer.from("tamper.example"))] = "T".charCodeAt(0)
    expect((await failure(sign(toPem("CERTIFICATE REQUEST", der), {}))).reason).toBe("InvalidCsr")
  })
})
