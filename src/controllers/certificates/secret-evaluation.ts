// Does the Secret hold what the Certificate asks for? The reasons and
// messages are cert-manager's, since they are what users search for.
import { Effect } from "effect"
import type { Certificate } from "../../api/certificate.ts"
import type { Secret } from "../../api/core.ts"
import type { CertificateFacts } from "../../pki/certificate-facts.ts"
import { keySpecViolations } from "../../pki/keys.ts"
import { canonicalIp } from "../../pki/names.ts"
import { digestOf, tlsSecretFacts, type TlsSecretFacts } from "../../pki/tls-secret-facts.ts"
import { annotations } from "../../api/annotations.ts"
import { formatTimestamp } from "../shared/time.ts"
import { keySpecOf } from "../../rules/key-spec.ts"
import { renewalTime } from "./renewal.ts"

export type SecretVerdict =
  | { readonly _tag: "UpToDate"; readonly certificate: CertificateFacts; readonly renewal: Date }
  | { readonly _tag: "Reissue"; readonly reason: string; readonly message: string }

const reissue = (reason: string, message: string): SecretVerdict => ({ _tag: "Reissue", reason, message })

const sameSet = (left: ReadonlyArray<string>, right: ReadonlyArray<string>, fold = (value: string) => value) => {
  const a = new Set(left.map(fold))
  const b = new Set(right.map(fold))
  return a.size === b.size && [...a].every((value) => b.has(value))
}

/** The first way the issued certificate differs from the spec, named by field. */
const specMismatch = (certificate: Certificate, parsed: CertificateFacts): string | undefined => {
  const spec = certificate.spec
  const lower = (value: string) => value.toLowerCase()
  if (spec.commonName !== undefined && spec.commonName !== "" && parsed.commonName !== spec.commonName) return "spec.commonName"
  if (!sameSet(spec.dnsNames ?? [], parsed.dnsNames, lower)) return "spec.dnsNames"
  if (!sameSet(spec.ipAddresses ?? [], parsed.ipAddresses, canonicalIp)) return "spec.ipAddresses"
  if (!sameSet(spec.uris ?? [], parsed.uris)) return "spec.uris"
  if (!sameSet(spec.emailAddresses ?? [], parsed.emailAddresses, lower)) return "spec.emailAddresses"
  if ((spec.isCA ?? false) !== parsed.isCA) return "spec.isCA"
  return undefined
}

const emptyDigest = digestOf("")

const hasContent = (facts: TlsSecretFacts, key: string) => facts.digests[key] !== undefined && facts.digests[key] !== emptyDigest

export const evaluateSecret = (certificate: Certificate, secret: Secret | undefined, now: Date): Effect.Effect<SecretVerdict> =>
  Effect.sync(() => {
    if (secret === undefined) return reissue("DoesNotExist", "Issuing certificate as Secret does not exist")
    const facts = tlsSecretFacts(secret)
    if (!hasContent(facts, "tls.key")) return reissue("MissingData", "Issuing certificate as Secret does not contain a private key")
    if (!hasContent(facts, "tls.crt")) return reissue("MissingData", "Issuing certificate as Secret does not contain a certificate")
    const parsed = facts.certificate
    if (parsed === undefined) return reissue("InvalidCertificate", "Issuing certificate as Secret contains an invalid certificate")
    if (facts.privateKey === undefined || facts.privateKey.publicKeySha256 !== parsed.publicKeySha256) {
      return reissue("InvalidKeyPair", "Issuing certificate as Secret contains a private key that does not match the certificate")
    }

    if (secret.metadata.annotations?.[annotations.temporaryCertificate] === "true") {
      return reissue("TemporaryCertificate", "Issuing certificate as Secret contains a temporary certificate")
    }
    const issuerName = secret.metadata.annotations?.[annotations.issuerName]
    const issuerKind = secret.metadata.annotations?.[annotations.issuerKind] ?? "Issuer"
    const wantedKind = certificate.spec.issuerRef.kind ?? "Issuer"
    if (issuerName !== certificate.spec.issuerRef.name || issuerKind !== wantedKind) {
      return reissue("IncorrectIssuer", `Issuing certificate as Secret was previously issued by "${issuerKind}.cert-manager.io/${issuerName ?? ""}"`)
    }
    const violations = keySpecViolations(facts.privateKey, keySpecOf(certificate))
    if (violations.length > 0) return reissue("SecretMismatch", `Issuing certificate as Secret does not match spec: ${violations.join(", ")}`)
    const mismatch = specMismatch(certificate, parsed)
    if (mismatch !== undefined) return reissue("SecretMismatch", `Issuing certificate as Secret was previously issued with a different ${mismatch}`)

    if (now.getTime() >= parsed.notAfter.getTime()) {
      return reissue("Expired", `Certificate expired on ${formatTimestamp(parsed.notAfter)}`)
    }
    const renewal = renewalTime(certificate.spec, parsed.notBefore, parsed.notAfter)
    if (now.getTime() >= renewal.getTime()) {
      return reissue("Renewing", `Renewing certificate as renewal was scheduled at ${formatTimestamp(renewal)}`)
    }
    return { _tag: "UpToDate", certificate: parsed, renewal } satisfies SecretVerdict
  })
