// keystore.p12 as cert-manager writes it with go-pkcs12's Modern2023 profile:
// an encrypted SafeContents with the certificates (the leaf, then the rest of
// tls.crt, then ca.crt), a SafeContents with the PKCS#8 shrouded key, a
// localKeyId (SHA-1 of the leaf) tying key and leaf together, everything
// encrypted with PBES2 (PBKDF2-HMAC-SHA-256, AES-256-CBC, 2048 iterations) and
// authenticated with an HMAC-SHA-256 MAC.
//
// Why not forge.pkcs12.toPkcs12Asn1: it only takes forge RSA keys and uses a
// SHA-1 MAC. Why not @peculiar/asn1-pfx: it would be one more direct
// dependency for structures that are a dozen lines here. So forge.asn1 (a
// direct dependency already) writes the DER, and node:crypto does all the
// cryptography (PBKDF2, AES, HMAC, and the RFC 7292 key derivation for the MAC),
// which works the same for RSA, ECDSA and Ed25519 keys.
// The legacy profiles (LegacyRC2, cert-manager's default, and LegacyDES) are
// not written: OpenSSL 3 reads RC2 only with its legacy provider.
import { Buffer } from "node:buffer"
import { createCipheriv, createHash, createHmac, pbkdf2Sync, randomBytes } from "node:crypto"
import forge from "node-forge"
import { Effect } from "effect"
import { readCertificates } from "./certificate.ts"
import { PkiError, secretCause } from "./errors.ts"
import { readPrivateKey, spkiDer } from "./keys.ts"

export interface Pkcs12Input {
  readonly privateKeyPem: string
  /** tls.crt: the leaf first, then any chain. */
  readonly certificatePem: string
  /** ca.crt, appended after the chain. */
  readonly caPem?: string
  readonly password: string
}

const oids = {
  data: "1.2.840.113549.1.7.1",
  encryptedData: "1.2.840.113549.1.7.6",
  shroudedKeyBag: "1.2.840.113549.1.12.10.1.2",
  certBag: "1.2.840.113549.1.12.10.1.3",
  x509Certificate: "1.2.840.113549.1.9.22.1",
  localKeyId: "1.2.840.113549.1.9.21",
  pbes2: "1.2.840.113549.1.5.13",
  pbkdf2: "1.2.840.113549.1.5.12",
  hmacWithSha256: "1.2.840.113549.2.9",
  aes256Cbc: "2.16.840.1.101.3.4.1.42",
  sha256: "2.16.840.1.101.3.4.2.1",
} as const

const iterations = 2048
const saltBytes = 16

type Node = forge.asn1.Asn1
const { asn1 } = forge
const universal = (type: number, constructed: boolean, value: string | Array<Node>): Node =>
  asn1.create(asn1.Class.UNIVERSAL, type, constructed, value)
const sequence = (...items: Array<Node>) => universal(asn1.Type.SEQUENCE, true, items)
const set = (...items: Array<Node>) => universal(asn1.Type.SET, true, items)
const oid = (id: string) => universal(asn1.Type.OID, false, asn1.oidToDer(id).getBytes())
const octets = (bytes: Uint8Array) => universal(asn1.Type.OCTETSTRING, false, Buffer.from(bytes).toString("binary"))
const integer = (value: number) => universal(asn1.Type.INTEGER, false, asn1.integerToDer(value).getBytes())
const nothing = () => universal(asn1.Type.NULL, false, "")
const explicit = (item: Node) => asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [item])
const der = (node: Node) => Buffer.from(asn1.toDer(node).getBytes(), "binary")

/** PBES2 with PBKDF2-HMAC-SHA-256 and AES-256-CBC; the password goes in as UTF-8, as OpenSSL and go-pkcs12 do. */
const pbes2Encrypt = (plaintext: Uint8Array, password: string): { readonly algorithm: Node; readonly ciphertext: Buffer } => {
  const salt = randomBytes(saltBytes)
  const iv = randomBytes(16)
  const key = pbkdf2Sync(Buffer.from(password, "utf8"), salt, iterations, 32, "sha256")
  const cipher = createCipheriv("aes-256-cbc", key, iv)
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()])
  const algorithm = sequence(
    oid(oids.pbes2),
    sequence(
      sequence(oid(oids.pbkdf2), sequence(octets(salt), integer(iterations), sequence(oid(oids.hmacWithSha256), nothing()))),
      sequence(oid(oids.aes256Cbc), octets(iv)),
    ),
  )
  return { algorithm, ciphertext }
}

/** RFC 7292 appendix B.2 key derivation with SHA-256 (u = 32, v = 64), used for the MAC key (id 3). */
const pkcs12Kdf = (password: string, salt: Uint8Array, id: number, rounds: number, length: number): Buffer => {
  const u = 32
  const v = 64
  const utf16 = Buffer.from(password, "utf16le").swap16()
  const passwordBytes = Buffer.concat([utf16, Buffer.alloc(2)])
  const stretch = (bytes: Uint8Array) => {
    const size = v * Math.ceil(bytes.length / v)
    return Buffer.from(Array.from({ length: size }, (_, index) => bytes[index % bytes.length] ?? 0))
  }
  const input = Buffer.concat([stretch(salt), stretch(passwordBytes)])
  const diversifier = Buffer.alloc(v, id)
  const blocks: Array<Buffer> = []
  for (let produced = 0; produced < length; produced += u) {
    let a = createHash("sha256").update(diversifier).update(input).digest()
    for (let round = 1; round < rounds; round++) a = createHash("sha256").update(a).digest()
    blocks.push(a)
    // I_j = (I_j + B + 1) mod 2^(8v) for every v-byte block of I, B being A repeated to v bytes.
    const b = stretch(a)
    for (let offset = 0; offset < input.length; offset += v) {
      let carry = 1
      for (let index = v - 1; index >= 0; index--) {
        const sum = (input[offset + index] ?? 0) + (b[index] ?? 0) + carry
        input[offset + index] = sum & 0xff
        carry = sum >> 8
      }
    }
  }
  return Buffer.concat(blocks).subarray(0, length)
}

const localKeyIdAttribute = (id: Uint8Array) => set(sequence(oid(oids.localKeyId), set(octets(id))))

const certificateBag = (certificateDer: Uint8Array, localKeyId?: Uint8Array): Node =>
  sequence(
    oid(oids.certBag),
    explicit(sequence(oid(oids.x509Certificate), explicit(octets(certificateDer)))),
    ...(localKeyId === undefined ? [] : [localKeyIdAttribute(localKeyId)]),
  )

const encode = (privateKeyInfo: Uint8Array, certificates: ReadonlyArray<Uint8Array>, password: string): Uint8Array => {
  const [leaf, ...others] = certificates
  const localKeyId = createHash("sha1").update(leaf ?? Buffer.alloc(0)).digest()

  const certificateContents = der(sequence(...(leaf === undefined ? [] : [certificateBag(leaf, localKeyId)]), ...others.map((certificate) => certificateBag(certificate))))
  const encryptedCertificates = pbes2Encrypt(certificateContents, password)
  const certificateInfo = sequence(
    oid(oids.encryptedData),
    explicit(
      sequence(
        integer(0),
        sequence(oid(oids.data), encryptedCertificates.algorithm, asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, false, encryptedCertificates.ciphertext.toString("binary"))),
      ),
    ),
  )

  const encryptedKey = pbes2Encrypt(privateKeyInfo, password)
  const keyBag = sequence(oid(oids.shroudedKeyBag), explicit(sequence(encryptedKey.algorithm, octets(encryptedKey.ciphertext))), localKeyIdAttribute(localKeyId))
  const keyInfo = sequence(oid(oids.data), explicit(octets(der(sequence(keyBag)))))

  const authenticatedSafe = der(sequence(certificateInfo, keyInfo))
  const macSalt = randomBytes(saltBytes)
  const mac = createHmac("sha256", pkcs12Kdf(password, macSalt, 3, iterations, 32)).update(authenticatedSafe).digest()
  const pfx = sequence(
    integer(3),
    sequence(oid(oids.data), explicit(octets(authenticatedSafe))),
    sequence(sequence(sequence(oid(oids.sha256), nothing()), octets(mac)), octets(macSalt), integer(iterations)),
  )
  return new Uint8Array(der(pfx))
}

/** A password-protected PKCS#12 keystore (cert-manager's keystore.p12) for an RSA, ECDSA or Ed25519 key and its certificates. */
export const encodePkcs12 = Effect.fn("pki.encodePkcs12")(function* (input: Pkcs12Input) {
  const { key } = yield* readPrivateKey(input.privateKeyPem)
  const chain = yield* readCertificates(input.certificatePem)
  const cas = input.caPem === undefined || input.caPem.trim() === "" ? [] : yield* readCertificates(input.caPem)
  const leaf = chain[0]
  if (leaf === undefined || !spkiDer(leaf.publicKey).equals(spkiDer(key))) {
    return yield* new PkiError({ reason: "KeyMismatch", message: "the private key does not match the first certificate" })
  }
  return yield* Effect.try({
    try: () => encode(key.export({ type: "pkcs8", format: "der" }), [...chain, ...cas].map((certificate) => certificate.raw), input.password),
    catch: (cause) => new PkiError({ reason: "Internal", message: `PKCS#12 encoding failed: ${secretCause(cause)}` }),
  })
})
