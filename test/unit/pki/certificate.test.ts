import { X509Certificate } from "node:crypto"
import { beforeAll, describe, expect, it } from "vitest"
import {
  certificateMatchesPrivateKey, parseCertificate, splitPemChain, verifyChain,
} from "../../../src/pki/certificate.ts"
import { createCsr } from "../../../src/pki/csr.ts"
import { generatePrivateKey } from "../../../src/pki/keys.ts"
import { signCertificate } from "../../../src/pki/signer.ts"
import { failure, opensslOk, run, scratch } from "./support.ts"
import { throwawayKeyPem } from "../../support/pem.ts"

const files = scratch()
const day = 24 * 60 * 60 * 1000

/** A certificate made by OpenSSL alone, so that parseCertificate is checked against an independent writer. */
const opensslCertificate = (serial: string) => {
  const keyFile = files.file("key.pem", opensslOk(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"]))
  const pem = opensslOk([
    "req", "-x509", "-new", "-key", keyFile, "-days", "10", "-set_serial", serial,
    "-subj", "/C=DE/ST=Berlin/O=Example, Inc./OU=Web/CN=web.example.com",
    "-addext", "subjectAltName=DNS:web.example.com,DNS:www.example.com,IP:192.0.2.1,IP:2001:db8:0:0:1::1,URI:spiffe://example/web,email:web@example.com",
    "-addext", "keyUsage=critical,digitalSignature", "-addext", "extendedKeyUsage=serverAuth,clientAuth",
    "-addext", "basicConstraints=critical,CA:FALSE",
  ])
  return { pem, keyFile, certFile: files.file("cert.pem", pem) }
}

describe("parseCertificate", () => {
  it("reads what OpenSSL reads", async () => {
    const { pem, certFile } = opensslCertificate("0x00f1e2d3c4b5a69788796a5b4c3d2e1f")
    const parsed = await run(parseCertificate(pem))
    const field = (...flags: Array<string>) => opensslOk(["x509", "-noout", ...flags, "-nameopt", "RFC2253", "-in", certFile]).trim().replace(/^[^=]*=/, "")

    expect(parsed.serialNumber).toBe("f1e2d3c4b5a69788796a5b4c3d2e1f")
    expect(BigInt(`0x${parsed.serialNumber}`)).toBe(BigInt(`0x${field("-serial")}`))
    expect(parsed.fingerprintSha256).toBe(field("-fingerprint", "-sha256").replace(/:/g, "").toLowerCase())
    expect(parsed.notBefore).toEqual(new Date(field("-startdate")))
    expect(parsed.notAfter).toEqual(new Date(field("-enddate")))
    expect(parsed.subject).toBe(field("-subject"))
    expect(parsed.subject).toBe("CN=web.example.com,OU=Web,O=Example\\, Inc.,ST=Berlin,C=DE")
    expect(parsed.issuer).toBe(field("-issuer"))
    expect(parsed.publicKeyPem).toBe(opensslOk(["x509", "-noout", "-pubkey", "-in", certFile]))
    expect(parsed).toMatchObject({
      commonName: "web.example.com",
      dnsNames: ["web.example.com", "www.example.com"],
      ipAddresses: ["192.0.2.1", "2001:db8::1:0:0:1"],
      uris: ["spiffe://example/web"],
      emailAddresses: ["web@example.com"],
      subjectFields: { organizations: ["Example, Inc."], organizationalUnits: ["Web"], countries: ["DE"], provinces: ["Berlin"] },
      isCA: false,
      usages: ["digital signature", "server auth", "client auth"],
    })
  })

  it("writes names as Go does: RFC 4514 escapes, unknown attributes as OID=#hex", async () => {
    const keyFile = files.file("key.pem", opensslOk(["genpkey", "-algorithm", "ED25519"]))
    const pem = opensslOk(["req", "-x509", "-new", "-key", keyFile, "-days", "1", "-subj", "/CN=#lead/O=a\\+b;c <d>/emailAddress=x@example.com"])
    const email = Buffer.concat([Buffer.from([0x16, 13]), Buffer.from("x@example.com")]).toString("hex")
    expect((await run(parseCertificate(pem))).subject).toBe(`1.2.840.113549.1.9.1=#${email},O=a\\+b\\;c \\<d\\>,CN=\\#lead`)
  })

  it("prints the serial as an unsigned number without leading zeros", async () => {
    expect((await run(parseCertificate(opensslCertificate("0x0080").pem))).serialNumber).toBe("80")
    expect((await run(parseCertificate(opensslCertificate("1").pem))).serialNumber).toBe("1")
  })

  it("reads the first certificate of a bundle and fails on input without one", async () => {
    const first = opensslCertificate("0x01")
    const second = opensslCertificate("0x02")
    expect((await run(parseCertificate(first.pem + second.pem))).serialNumber).toBe("1")
    expect((await failure(parseCertificate("no certificate"))).reason).toBe("InvalidCertificate")
    expect((await failure(parseCertificate("-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n"))).reason).toBe("InvalidCertificate")
  })
})

describe("splitPemChain", () => {
  it("keeps the certificates of a bundle in order and drops everything else", () => {
    const first = opensslCertificate("0x11")
    const second = opensslCertificate("0x12")
    const bundle = `subject=comment\n${first.pem}\n\n${throwawayKeyPem()}${second.pem.replace(/\n/g, "\r\n")}`
    const split = splitPemChain(bundle)
    expect(split).toHaveLength(2)
    expect(new X509Certificate(split[0] ?? "").serialNumber).toBe("11")
    expect(new X509Certificate(split[1] ?? "").serialNumber).toBe("12")
    expect(split[0]).toBe(first.pem)
    expect(splitPemChain("nothing")).toEqual([])
  })
})

describe("certificateMatchesPrivateKey", () => {
  it("compares the certificate's public key with the key's", async () => {
    const made = opensslCertificate("0x21")
    const keyPem = opensslOk(["pkey", "-in", made.keyFile])
    const otherKey = await run(generatePrivateKey({ algorithm: "ECDSA", size: 384 }))
    expect(await run(certificateMatchesPrivateKey(made.pem, keyPem))).toBe(true)
    expect(await run(certificateMatchesPrivateKey(made.pem, otherKey))).toBe(false)
    expect((await failure(certificateMatchesPrivateKey(made.pem, "garbage"))).reason).toBe("InvalidPrivateKey")
    expect((await failure(certificateMatchesPrivateKey("garbage", keyPem))).reason).toBe("InvalidCertificate")
  })
})

describe("verifyChain", () => {
  const now = new Date()
  const pems: Record<string, string> = {}
  beforeAll(async () => {
    const issue = async (name: string, csrName: string, isCA: boolean, signer: Parameters<typeof signCertificate>[0]["signer"] | "self") => {
      const key = await run(generatePrivateKey({ algorithm: "ECDSA" }))
      const csrPem = await run(createCsr(key, { commonName: csrName, isCA }))
      const signed = await run(signCertificate({ csrPem, signer: signer === "self" ? { kind: "self", privateKeyPem: key } : signer, duration: 30 * day, now }))
      pems[`${name}.key`] = key
      pems[`${name}.crt`] = splitPemChain(signed.certificatePem)[0] ?? ""
    }
    await issue("root", "Root", true, "self")
    await issue("inter", "Intermediate", true, { kind: "ca", certificatePem: pems["root.crt"] ?? "", privateKeyPem: pems["root.key"] ?? "" })
    await issue("leaf", "leaf.example", false, { kind: "ca", certificatePem: pems["inter.crt"] ?? "", privateKeyPem: pems["inter.key"] ?? "" })
    await issue("other", "Other Root", true, "self")
  })
  const pem = (name: string) => pems[name] ?? ""

  it("accepts leaf → intermediate → root, as OpenSSL does", async () => {
    await run(verifyChain([pem("leaf.crt"), pem("inter.crt")], pem("root.crt")))
    await run(verifyChain(pem("leaf.crt") + pem("inter.crt"), pem("other.crt") + pem("root.crt"), { at: now }))
    await run(verifyChain([pem("leaf.crt"), pem("inter.crt"), pem("root.crt")], pem("root.crt")))
    const out = opensslOk(["verify", "-CAfile", files.file("root.pem", pem("root.crt")), "-untrusted", files.file("inter.pem", pem("inter.crt")), files.file("leaf.pem", pem("leaf.crt"))])
    expect(out).toContain("OK")
  })

  it("refuses a chain that does not lead to the root", async () => {
    const wrongRoot = await failure(verifyChain([pem("leaf.crt"), pem("inter.crt")], pem("other.crt")))
    expect(wrongRoot.reason).toBe("ChainInvalid")
    expect(wrongRoot.message).toContain("was not signed by")
    expect((await failure(verifyChain([pem("leaf.crt")], pem("root.crt")))).reason).toBe("ChainInvalid")
    expect((await failure(verifyChain([pem("inter.crt"), pem("leaf.crt")], pem("root.crt")))).reason).toBe("ChainInvalid")
  })

  it("checks validity periods only when asked", async () => {
    const later = new Date(now.getTime() + 40 * day)
    await run(verifyChain([pem("leaf.crt"), pem("inter.crt")], pem("root.crt")))
    const expired = await failure(verifyChain([pem("leaf.crt"), pem("inter.crt")], pem("root.crt"), { at: later }))
    expect(expired.message).toContain("is not valid at")
  })

  it("refuses an issuer that is not a CA", async () => {
    // OpenSSL signs with a certificate that says CA:FALSE; verifyChain must not accept it.
    const notCaKey = files.file("notca.key", opensslOk(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"]))
    const notCaPem = opensslOk(["req", "-x509", "-new", "-key", notCaKey, "-subj", "/CN=not a CA", "-days", "1", "-addext", "basicConstraints=critical,CA:FALSE"])
    const notCa = { pem: notCaPem, certFile: files.file("notca.pem", notCaPem), keyFile: notCaKey }
    const childKey = files.file("child.key", opensslOk(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"]))
    const csrFile = files.file("child.csr", opensslOk(["req", "-new", "-key", childKey, "-subj", "/CN=child"]))
    const child = opensslOk(["x509", "-req", "-in", csrFile, "-CA", notCa.certFile, "-CAkey", notCa.keyFile, "-days", "1", "-set_serial", "7"])
    const error = await failure(verifyChain([child], notCa.pem))
    expect(error.message).toContain("is not a CA")
  })
})
