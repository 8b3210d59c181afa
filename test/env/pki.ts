// Throwaway certificate authorities and certificates for the test components
// (kube-apiserver serving and client certs, pebble's TLS). Never persisted
// beyond one run's temporary directory.
import forge from "node-forge"
import { randomBytes } from "node:crypto"

export interface KeyPairPem {
  readonly certPem: string
  readonly keyPem: string
}

export interface Authority extends KeyPairPem {
  readonly cert: forge.pki.Certificate
  readonly key: forge.pki.rsa.PrivateKey
}

export interface LeafSpec {
  readonly commonName: string
  readonly organizations?: ReadonlyArray<string>
  readonly dnsNames?: ReadonlyArray<string>
  readonly ips?: ReadonlyArray<string>
  readonly usage: "server" | "client" | "server+client"
}

const oneDay = 24 * 60 * 60 * 1000

const baseCertificate = (publicKey: forge.pki.PublicKey, days: number) => {
  const cert = forge.pki.createCertificate()
  cert.publicKey = publicKey
  // Positive, 16 random bytes, as RFC 5280 asks.
  cert.serialNumber = "01" + randomBytes(15).toString("hex")
  cert.validity.notBefore = new Date(Date.now() - 60_000)
  cert.validity.notAfter = new Date(Date.now() + days * oneDay)
  return cert
}

// node-forge hands RSA generation to node:crypto when it can, so this is fast.
const rsaKeyPair = () => forge.pki.rsa.generateKeyPair({ bits: 2048 })

export const createAuthority = (commonName: string): Authority => {
  const keys = rsaKeyPair()
  const cert = baseCertificate(keys.publicKey, 30)
  const subject = [{ name: "commonName", value: commonName }]
  cert.setSubject(subject)
  cert.setIssuer(subject)
  cert.setExtensions([
    { name: "basicConstraints", cA: true, critical: true },
    { name: "keyUsage", keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: "subjectKeyIdentifier" },
  ])
  cert.sign(keys.privateKey, forge.md.sha256.create())
  return {
    cert,
    key: keys.privateKey,
    certPem: forge.pki.certificateToPem(cert),
    keyPem: forge.pki.privateKeyToPem(keys.privateKey),
  }
}

export const issueLeaf = (authority: Authority, spec: LeafSpec): KeyPairPem => {
  const keys = rsaKeyPair()
  const cert = baseCertificate(keys.publicKey, 30)
  cert.setSubject([
    { name: "commonName", value: spec.commonName },
    ...(spec.organizations ?? []).map((value) => ({ name: "organizationName", value })),
  ])
  cert.setIssuer(authority.cert.subject.attributes)
  const altNames = [
    ...(spec.dnsNames ?? []).map((value) => ({ type: 2, value })),
    ...(spec.ips ?? []).map((ip) => ({ type: 7, ip })),
  ]
  cert.setExtensions([
    { name: "basicConstraints", cA: false },
    { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
    {
      name: "extKeyUsage",
      serverAuth: spec.usage !== "client",
      clientAuth: spec.usage !== "server",
    },
    { name: "authorityKeyIdentifier", keyIdentifier: authority.cert.generateSubjectKeyIdentifier().getBytes() },
    ...(altNames.length > 0 ? [{ name: "subjectAltName", altNames }] : []),
  ])
  cert.sign(authority.key, forge.md.sha256.create())
  return { certPem: forge.pki.certificateToPem(cert), keyPem: forge.pki.privateKeyToPem(keys.privateKey) }
}

/** An RSA key pair as PEM, e.g. for service-account token signing. */
export const rsaKeyPairPem = (): { readonly publicPem: string; readonly privatePem: string } => {
  const keys = rsaKeyPair()
  return { publicPem: forge.pki.publicKeyToPem(keys.publicKey), privatePem: forge.pki.privateKeyToPem(keys.privateKey) }
}
