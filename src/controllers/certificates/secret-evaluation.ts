// Does the Secret hold what the Certificate asks for? The reasons and
// messages are cert-manager's, since they are what users search for.
import { Effect } from "effect"
import type { Certificate } from "../../api/certificate.ts"
import type { Secret } from "../../api/core.ts"
import { certificateMatchesPrivateKey, parseCertificate, type ParsedCertificate } from "../../pki/certificate.ts"
import { privateKeySpecViolations } from "../../pki/keys.ts"
import { annotations } from "../../api/annotations.ts"
import { formatTimestamp } from "../shared/time.ts"
import { secretText } from "../shared/secret-data.ts"
import { keySpecOf } from "../../rules/key-spec.ts"
import { renewalTime } from "./renewal.ts"

export type SecretVerdict =
  | { readonly _tag: "UpToDate"; readonly certificate: ParsedCertificate; readonly renewal: Date }
  | { readonly _tag: "Reissue"; readonly reason: string; readonly message: string }

const reissue = (reason: string, message: string): SecretVerdict => ({ _tag: "Reissue", reason, message })

const sameSet = (left: ReadonlyArray<string>, right: ReadonlyArray<string>, fold = (value: string) => value) => {
  const a = new Set(left.map(fold))
  const b = new Set(right.map(fold))
  return a.size === b.size && [...a].every((value) => b.has(value))
}

/** The first way the issued certificate differs from the spec, named by field. */
const specMismatch = (certificate: Certificate, parsed: ParsedCertificate): string | undefined => {
  const spec = certificate.spec
  const lower = (value: string) => value.toLowerCase()
  if (spec.commonName !== undefined && spec.commonName !== "" && parsed.commonName !== spec.commonName) return "spec.commonName"
  if (!sameSet(spec.dnsNames ?? [], parsed.dnsNames, lower)) return "spec.dnsNames"
  if (!sameSet(spec.ipAddresses ?? [], parsed.ipAddresses)) return "spec.ipAddresses"
  if (!sameSet(spec.uris ?? [], parsed.uris)) return "spec.uris"
  if (!sameSet(spec.emailAddresses ?? [], parsed.emailAddresses, lower)) return "spec.emailAddresses"
  if ((spec.isCA ?? false) !== parsed.isCA) return "spec.isCA"
  return undefined
}

export const evaluateSecret = (certificate: Certificate, secret: Secret | undefined, now: Date): Effect.Effect<SecretVerdict> =>
  Effect.gen(function* () {
    if (secret === undefined) return reissue("DoesNotExist", "Issuing certificate as Secret does not exist")
    const certificatePem = secretText(secret, "tls.crt")
    const keyPem = secretText(secret, "tls.key")
    if (keyPem === undefined || keyPem.trim() === "") return reissue("MissingData", "Issuing certificate as Secret does not contain a private key")
    if (certificatePem === undefined || certificatePem.trim() === "") return reissue("MissingData", "Issuing certificate as Secret does not contain a certificate")
    const parsed = yield* parseCertificate(certificatePem).pipe(Effect.option)
    if (parsed._tag === "None") return reissue("InvalidCertificate", "Issuing certificate as Secret contains an invalid certificate")
    const matches = yield* certificateMatchesPrivateKey(certificatePem, keyPem).pipe(Effect.orElseSucceed(() => false))
    if (!matches) return reissue("InvalidKeyPair", "Issuing certificate as Secret contains a private key that does not match the certificate")

    const issuerName = secret.metadata.annotations?.[annotations.issuerName]
    const issuerKind = secret.metadata.annotations?.[annotations.issuerKind] ?? "Issuer"
    const wantedKind = certificate.spec.issuerRef.kind ?? "Issuer"
    if (issuerName !== certificate.spec.issuerRef.name || issuerKind !== wantedKind) {
      return reissue("IncorrectIssuer", `Issuing certificate as Secret was previously issued by "${issuerKind}.cert-manager.io/${issuerName ?? ""}"`)
    }
    const violations = yield* privateKeySpecViolations(keyPem, keySpecOf(certificate)).pipe(Effect.orElseSucceed(() => ["spec.privateKey" as const]))
    if (violations.length > 0) return reissue("SecretMismatch", `Issuing certificate as Secret does not match spec: ${violations.join(", ")}`)
    const mismatch = specMismatch(certificate, parsed.value)
    if (mismatch !== undefined) return reissue("SecretMismatch", `Issuing certificate as Secret was previously issued with a different ${mismatch}`)

    if (now.getTime() >= parsed.value.notAfter.getTime()) {
      return reissue("Expired", `Certificate expired on ${formatTimestamp(parsed.value.notAfter)}`)
    }
    const renewal = renewalTime(certificate.spec, parsed.value.notBefore, parsed.value.notAfter)
    if (now.getTime() >= renewal.getTime()) {
      return reissue("Renewing", `Renewing certificate as renewal was scheduled at ${formatTimestamp(renewal)}`)
    }
    return { _tag: "UpToDate", certificate: parsed.value, renewal }
  })
