// The native reading of a certificate (readCertificateFacts) against the full
// one (parseCertificate), on certificates with every kind of name, an empty
// subject, escaped characters and a CA; and the facts of a TLS Secret, with
// its projection keeping them while dropping the data.
import { describe, expect, it } from "vitest"
import { readCertificateFacts, subjectAltNameEntries } from "../../../src/pki/certificate-facts.ts"
import { parseCertificate } from "../../../src/pki/certificate.ts"
import { createCsr, type CsrRequest } from "../../../src/pki/csr.ts"
import { generatePrivateKey } from "../../../src/pki/keys.ts"
import { signCertificate } from "../../../src/pki/signer.ts"
import { factsOfData, isProjected, projectSecret, tlsSecretFacts } from "../../../src/pki/tls-secret-facts.ts"
import { run } from "./support.ts"

const selfSigned = async (options: CsrRequest) => {
  const key = await run(generatePrivateKey({ algorithm: "ECDSA" }))
  const csrPem = await run(createCsr(key, options))
  const signed = await run(signCertificate({ csrPem, duration: 3_600_000, ...(options.isCA === undefined ? {} : { isCA: options.isCA }), signer: { kind: "self", privateKeyPem: key } }))
  return { key, certificatePem: signed.certificatePem }
}

const cases: ReadonlyArray<[string, CsrRequest]> = [
  ["every kind of name", { commonName: "web, tier=front", dnsNames: ["a.example.com", "*.b.example.com"], ipAddresses: ["127.0.0.1", "2001:DB8::1", "::1"], uris: ["spiffe://cluster/ns/a,b"], emailAddresses: ["ops@example.com"] }],
  ["no subject at all", { dnsNames: ["only.example.com"] }],
  ["a CA", { commonName: "Example Root", isCA: true }],
  ["a quote and a backslash", { commonName: 'say "hi" \\ bye', dnsNames: ["q.example.com"] }],
]

describe("readCertificateFacts", () => {
  for (const [what, options] of cases) {
    it(`reads what parseCertificate reads: ${what}`, async () => {
      const { certificatePem } = await selfSigned(options)
      const full = await run(parseCertificate(certificatePem))
      const facts = readCertificateFacts(certificatePem)
      expect(facts).toBeDefined()
      expect({
        serialNumber: facts!.serialNumber,
        notBefore: facts!.notBefore,
        notAfter: facts!.notAfter,
        commonName: facts!.commonName,
        dnsNames: facts!.dnsNames,
        ipAddresses: facts!.ipAddresses,
        uris: facts!.uris,
        emailAddresses: facts!.emailAddresses,
        isCA: facts!.isCA,
        fingerprintSha256: facts!.fingerprintSha256,
      }).toEqual({
        serialNumber: full.serialNumber,
        notBefore: full.notBefore,
        notAfter: full.notAfter,
        commonName: full.commonName,
        dnsNames: full.dnsNames,
        ipAddresses: full.ipAddresses,
        uris: full.uris,
        emailAddresses: full.emailAddresses,
        isCA: full.isCA,
        fingerprintSha256: full.fingerprintSha256,
      })
    })
  }

  it("is undefined for no certificate or a broken one", () => {
    expect(readCertificateFacts("")).toBeUndefined()
    expect(readCertificateFacts("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")).toBeUndefined()
  })

  it("splits node's subjectAltName text, quoted values included", () => {
    expect(subjectAltNameEntries('DNS:a.example, URI:"spiffe://x/a\\u002c b", IP Address:127.0.0.1')).toEqual([
      { type: "DNS", value: "a.example" },
      { type: "URI", value: "spiffe://x/a, b" },
      { type: "IP Address", value: "127.0.0.1" },
    ])
    expect(subjectAltNameEntries("")).toEqual([])
  })
})

describe("TLS Secret facts", () => {
  const encode = (text: string) => Buffer.from(text).toString("base64")

  it("match a certificate to its key and tell another key apart", async () => {
    const { key, certificatePem } = await selfSigned({ dnsNames: ["pair.example.com"] })
    const other = await run(generatePrivateKey({ algorithm: "ECDSA" }))
    const matching = factsOfData({ "tls.crt": encode(certificatePem), "tls.key": encode(key) })
    const mismatched = factsOfData({ "tls.crt": encode(certificatePem), "tls.key": encode(other) })
    expect(matching.certificate?.publicKeySha256).toBe(matching.privateKey?.publicKeySha256)
    expect(mismatched.certificate?.publicKeySha256).not.toBe(mismatched.privateKey?.publicKeySha256)
    expect(matching.privateKey).toMatchObject({ algorithm: "ECDSA", size: 256, encoding: "PKCS1" })
  })

  it("are kept by the projection, which holds no data", async () => {
    const { key, certificatePem } = await selfSigned({ dnsNames: ["projected.example.com"] })
    const secret = { metadata: { name: "s" }, data: { "tls.crt": encode(certificatePem), "tls.key": encode(key), extra: encode("x") } }
    const projected = projectSecret(secret)
    expect(projected.data).toBeUndefined()
    expect(JSON.stringify(projected)).not.toContain(encode(key))
    expect(isProjected(projected)).toBe(true)
    expect(isProjected(secret)).toBe(false)
    const facts = tlsSecretFacts(projected)
    expect(facts.keys).toEqual(["tls.crt", "tls.key", "extra"])
    expect(facts.certificate?.dnsNames).toEqual(["projected.example.com"])
    expect(facts.privateKey?.publicKeySha256).toBe(facts.certificate?.publicKeySha256)
  })

  it("of a Secret without data are empty", () => {
    expect(tlsSecretFacts({ metadata: { name: "bare" } } as { data?: undefined })).toEqual({ keys: [], digests: {} })
  })
})
