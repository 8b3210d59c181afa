import { Buffer } from "node:buffer"
import { beforeAll, describe, expect, it } from "vitest"
import { createCsr, parseCsr, verifyCsrSignature, type CsrRequest } from "../../../src/pki/csr.ts"
import { generatePrivateKey, parsePrivateKey, type KeySpec } from "../../../src/pki/keys.ts"
import { pemBlocks, toPem } from "../../../src/pki/pem.ts"
import { failure, openssl, opensslOk, run, scratch } from "./support.ts"

const files = scratch()

/** `openssl req -text` of a CSR, after openssl has checked its signature. */
const opensslText = (csrPem: string) => {
  const result = openssl(["req", "-noout", "-text", "-verify", "-in", files.file("csr.pem", csrPem)])
  expect(result.status).toBe(0)
  expect(result.stderr).toContain("verify OK")
  return result.stdout
}

const fullRequest: CsrRequest = {
  commonName: "web.example.com",
  dnsNames: ["web.example.com", "*.web.example.com"],
  ipAddresses: ["192.0.2.10", "2001:db8::1", "::1", "::ffff:198.51.100.7"],
  uris: ["spiffe://cluster.local/ns/apps/sa/web"],
  emailAddresses: ["ops@example.com"],
  subject: {
    organizations: ["Example GmbH", "Example #2"],
    countries: ["DE"],
    organizationalUnits: ["Platform"],
    localities: ["Berlin"],
    provinces: ["Berlin"],
    streetAddresses: ["Straße des 17. Juni 1"],
    postalCodes: ["10557"],
    serialNumber: "HRB 1234",
  },
  usages: ["server auth", "client auth", "digital signature", "key encipherment"],
}

const expectedParsed = {
  commonName: "web.example.com",
  dnsNames: ["web.example.com", "*.web.example.com"],
  // IPv4-mapped IPv6 is written as IPv4, as Go does.
  ipAddresses: ["192.0.2.10", "2001:db8::1", "::1", "198.51.100.7"],
  uris: ["spiffe://cluster.local/ns/apps/sa/web"],
  emailAddresses: ["ops@example.com"],
  subject: {
    organizations: ["Example GmbH", "Example #2"],
    countries: ["DE"],
    organizationalUnits: ["Platform"],
    localities: ["Berlin"],
    provinces: ["Berlin"],
    streetAddresses: ["Straße des 17. Juni 1"],
    postalCodes: ["10557"],
    serialNumber: "HRB 1234",
  },
  usages: ["digital signature", "key encipherment", "server auth", "client auth"],
  isCA: false,
}

const keys: Record<string, string> = {}
const keySpecs: ReadonlyArray<readonly [string, KeySpec, string]> = [
  ["RSA 2048", { algorithm: "RSA", size: 2048 }, "sha256WithRSAEncryption"],
  ["RSA 3072", { algorithm: "RSA", size: 3072, encoding: "PKCS8" }, "sha384WithRSAEncryption"],
  ["RSA 4096", { algorithm: "RSA", size: 4096 }, "sha512WithRSAEncryption"],
  ["ECDSA 256", { algorithm: "ECDSA", size: 256 }, "ecdsa-with-SHA256"],
  ["ECDSA 384", { algorithm: "ECDSA", size: 384, encoding: "PKCS8" }, "ecdsa-with-SHA384"],
  ["ECDSA 521", { algorithm: "ECDSA", size: 521 }, "ecdsa-with-SHA512"],
  ["Ed25519", { algorithm: "Ed25519" }, "ED25519"],
]

beforeAll(async () => {
  for (const [name, spec] of keySpecs) keys[name] = await run(generatePrivateKey(spec))
}, 120_000)

const key = (name: string) => keys[name] ?? ""

describe("createCsr and parseCsr", () => {
  it.each(keySpecs)("round-trips every SAN type, subject field and usage with a %s key", async (name, _spec, signature) => {
    const csr = await run(createCsr(key(name), fullRequest))
    expect(pemBlocks(csr).map((block) => block.type)).toEqual(["CERTIFICATE REQUEST"])
    const parsed = await run(parseCsr(csr))
    expect(parsed).toMatchObject(expectedParsed)
    expect(parsed.publicKeyPem).toBe((await run(parsePrivateKey(key(name)))).publicKeyPem)
    expect(await run(verifyCsrSignature(csr))).toBe(true)

    const text = opensslText(csr)
    expect(text).toContain(`Signature Algorithm: ${signature}`)
    expect(text).toContain("Subject: C = DE, ST = Berlin, L = Berlin, street = Stra\\C3\\9Fe des 17. Juni 1, postalCode = 10557, O = Example GmbH + O = Example #2, OU = Platform, CN = web.example.com, serialNumber = HRB 1234")
    expect(text).toContain("X509v3 Key Usage: critical\n                    Digital Signature, Key Encipherment")
    expect(text).toContain("X509v3 Extended Key Usage: \n                    TLS Web Server Authentication, TLS Web Client Authentication")
    expect(text).toContain(
      "X509v3 Subject Alternative Name: \n                    DNS:web.example.com, DNS:*.web.example.com, email:ops@example.com, IP Address:192.0.2.10, IP Address:2001:DB8:0:0:0:0:0:1, IP Address:0:0:0:0:0:0:0:1, IP Address:198.51.100.7, URI:spiffe://cluster.local/ns/apps/sa/web",
    )
    expect(text).not.toContain("Basic Constraints")
  })

  it("encodes every cert-manager usage, with \"signing\" and \"s/mime\" as aliases", async () => {
    const all = [
      "signing", "digital signature", "content commitment", "key encipherment", "key agreement", "data encipherment",
      "cert sign", "crl sign", "encipher only", "decipher only", "any", "server auth", "client auth", "code signing",
      "email protection", "s/mime", "ipsec end system", "ipsec tunnel", "ipsec user", "timestamping", "ocsp signing",
      "microsoft sgc", "netscape sgc",
    ]
    const csr = await run(createCsr(key("ECDSA 256"), { commonName: "usages", usages: all }))
    expect((await run(parseCsr(csr))).usages).toEqual([
      "digital signature", "content commitment", "key encipherment", "data encipherment", "key agreement", "cert sign",
      "crl sign", "encipher only", "decipher only", "any", "server auth", "client auth", "code signing",
      "email protection", "ipsec end system", "ipsec tunnel", "ipsec user", "timestamping", "ocsp signing",
      "microsoft sgc", "netscape sgc",
    ])
    const text = opensslText(csr)
    expect(text).toContain(
      "Digital Signature, Non Repudiation, Key Encipherment, Data Encipherment, Key Agreement, Certificate Sign, CRL Sign, Encipher Only, Decipher Only",
    )
    expect(text).toContain(
      "Any Extended Key Usage, TLS Web Server Authentication, TLS Web Client Authentication, Code Signing, E-mail Protection, IPSec End System, IPSec Tunnel, IPSec User, Time Stamping, OCSP Signing, Microsoft Server Gated Crypto, Netscape Server Gated Crypto",
    )
  })

  it("defaults to digital signature and key encipherment, with no extended key usage", async () => {
    const csr = await run(createCsr(key("RSA 2048"), { dnsNames: ["default.example"] }))
    expect((await run(parseCsr(csr))).usages).toEqual(["digital signature", "key encipherment"])
    expect(opensslText(csr)).not.toContain("Extended Key Usage")
  })

  it("marks a CA request with a critical basicConstraints CA:TRUE and adds cert sign", async () => {
    const csr = await run(createCsr(key("Ed25519"), { commonName: "Example Root", isCA: true }))
    expect(await run(parseCsr(csr))).toMatchObject({ isCA: true, usages: ["digital signature", "key encipherment", "cert sign"] })
    const text = opensslText(csr)
    expect(text).toContain("X509v3 Basic Constraints: critical\n                    CA:TRUE")
    expect(text).toContain("Digital Signature, Key Encipherment, Certificate Sign")
  })

  it("makes the SAN extension critical when the subject is empty (RFC 5280)", async () => {
    const sansOnly = await run(createCsr(key("ECDSA 256"), { dnsNames: ["only-san.example"] }))
    expect(opensslText(sansOnly)).toContain("X509v3 Subject Alternative Name: critical")
    expect((await run(parseCsr(sansOnly))).commonName).toBeUndefined()
    const withSubject = await run(createCsr(key("ECDSA 256"), { dnsNames: ["san.example"], subject: { organizations: ["Example"] } }))
    expect(opensslText(withSubject)).toContain("X509v3 Subject Alternative Name: \n")
  })

  it("keeps subject values with RFC 4514 special characters literal", async () => {
    const awkward = ["#hash", "a,b+c", "quote \"q\" \\ back", " lead", "ünïcødé"]
    const csr = await run(createCsr(key("ECDSA 256"), { commonName: "#cn", subject: { organizations: awkward } }))
    expect(await run(parseCsr(csr))).toMatchObject({ commonName: "#cn", subject: { organizations: awkward } })
  })

  it("accepts the CSR as PEM, base64 of PEM (spec.request) and base64 of DER", async () => {
    const csr = await run(createCsr(key("RSA 2048"), fullRequest))
    const der = pemBlocks(csr)[0]?.der ?? Buffer.alloc(0)
    for (const input of [csr, Buffer.from(csr).toString("base64"), der.toString("base64"), `junk before\n${csr}junk after`]) {
      expect(await run(parseCsr(input))).toMatchObject(expectedParsed)
      expect(await run(verifyCsrSignature(input))).toBe(true)
    }
  })

  it("reads a CSR made by OpenSSL", async () => {
    const csr = opensslOk([
      "req", "-new", "-key", files.file("key.pem", key("ECDSA 256")), "-subj", "/C=DE/O=Example/OU=Ops/CN=openssl.example",
      "-addext", "subjectAltName=DNS:openssl.example,IP:192.0.2.1,IP:2001:db8::2,URI:https://example.com/x,email:a@example.com",
      "-addext", "keyUsage=critical,digitalSignature,keyAgreement", "-addext", "extendedKeyUsage=clientAuth",
      "-addext", "basicConstraints=critical,CA:FALSE",
    ])
    expect(await run(parseCsr(csr))).toMatchObject({
      commonName: "openssl.example",
      dnsNames: ["openssl.example"],
      ipAddresses: ["192.0.2.1", "2001:db8::2"],
      uris: ["https://example.com/x"],
      emailAddresses: ["a@example.com"],
      subject: { countries: ["DE"], organizations: ["Example"], organizationalUnits: ["Ops"] },
      usages: ["digital signature", "key agreement", "client auth"],
      isCA: false,
    })
    expect(await run(verifyCsrSignature(csr))).toBe(true)
  })
})

describe("verifyCsrSignature", () => {
  it("detects a CSR whose signed content was altered", async () => {
    const csr = await run(createCsr(key("ECDSA 384"), { commonName: "tamper.example" }))
    const der = Buffer.from(pemBlocks(csr)[0]?.der ?? Buffer.alloc(0))
    const at = der.indexOf(Buffer.from("tamper.example"))
    der[at] = "T".charCodeAt(0)
    const tampered = toPem("CERTIFICATE REQUEST", der)
    expect(await run(verifyCsrSignature(tampered))).toBe(false)
    // OpenSSL 3.0 reports the failure on stderr but still exits 0.
    expect(openssl(["req", "-noout", "-verify", "-in", files.file("tampered.pem", tampered)]).stderr).toContain("verify failure")
  })
})

describe("createCsr refusals", () => {
  it.each([
    [{}, "InvalidRequest", "no common name"],
    [{ commonName: "x", usages: ["server auth", "teleport", "fly"] }, "InvalidRequest", "unknown key usages: \"teleport\", \"fly\""],
    [{ ipAddresses: ["300.1.1.1"] }, "InvalidRequest", "is not an IP address"],
    [{ ipAddresses: ["fe80::1%eth0"] }, "InvalidRequest", "is not an IP address"],
    [{ dnsNames: ["bücher.example"] }, "InvalidRequest", "not ASCII"],
  ] as ReadonlyArray<readonly [CsrRequest, string, string]>)("refuses %j", async (request, reason, message) => {
    const error = await failure(createCsr(key("ECDSA 256"), request))
    expect(error.reason).toBe(reason)
    expect(error.message).toContain(message)
  })

  it("refuses a bad key and a bad CSR", async () => {
    expect((await failure(createCsr("not a key", { commonName: "x" }))).reason).toBe("InvalidPrivateKey")
    expect((await failure(parseCsr("bm90IGEgQ1NS"))).reason).toBe("InvalidCsr")
    expect((await failure(parseCsr("-----BEGIN CERTIFICATE REQUEST-----\nMAA=\n-----END CERTIFICATE REQUEST-----\n"))).reason).toBe("InvalidCsr")
  })
})
