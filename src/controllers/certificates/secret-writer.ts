// Writes the issued certificate into the Certificate's Secret, as cert-manager
// lays it out: kubernetes.io/tls with tls.crt, tls.key, ca.crt, the
// annotations tools read, secretTemplate, and a PKCS#12 keystore on request.
import { Effect, Schema } from "effect"
import type { Certificate } from "../../api/certificate.ts"
import type { Secret } from "../../api/core.ts"
import { Secrets } from "../../api/kinds.ts"
import type { CertificateFacts } from "../../pki/certificate-facts.ts"
import { encodePkcs12 } from "../../pki/pkcs12.ts"
import { ResourceStore } from "../../store/resource-store.ts"
import { annotations, labels, managedByValue } from "../../api/annotations.ts"
import { encodeSecretData, secretText } from "../shared/secret-data.ts"

export interface Issued {
  readonly chainPem: string
  readonly keyPem: string
  readonly caPem: string
  readonly parsed: CertificateFacts
  /** A temporary certificate (pki/temporary-certificate.ts): marked so, and not yet the issuance's end. */
  readonly temporary?: boolean
}

const issuedAnnotations = (certificate: Certificate, parsed: CertificateFacts): Record<string, string> => ({
  [annotations.certificateName]: certificate.metadata.name,
  [annotations.issuerName]: certificate.spec.issuerRef.name,
  [annotations.issuerKind]: certificate.spec.issuerRef.kind ?? "Issuer",
  [annotations.issuerGroup]: certificate.spec.issuerRef.group ?? "cert-manager.io",
  [annotations.commonName]: parsed.commonName ?? "",
  [annotations.altNames]: parsed.dnsNames.join(","),
  [annotations.ipSans]: parsed.ipAddresses.join(","),
  [annotations.uriSans]: parsed.uris.join(","),
  [annotations.emailSans]: parsed.emailAddresses.join(","),
})

/** A keystore was asked for, but its password is not there (yet): the user's to fix, not a retry loop. */
export class KeystorePasswordMissing extends Schema.TaggedError<KeystorePasswordMissing>()("KeystorePasswordMissing", {
  detail: Schema.String,
}) {
  override get message() {
    return this.detail
  }
}

/** The keystore password from its Secret, or an error naming what is missing. */
const keystorePassword = (certificate: Certificate) =>
  Effect.gen(function* () {
    const pkcs12 = certificate.spec.keystores?.pkcs12
    if (pkcs12 === undefined || !pkcs12.create) return undefined
    if (pkcs12.password !== undefined) return pkcs12.password
    const store = yield* ResourceStore
    const ref = pkcs12.passwordSecretRef
    // Admission refuses a keystore with neither; one made where no policy runs gets the same words.
    if (ref === undefined) return yield* new KeystorePasswordMissing({ detail: "spec.keystores.pkcs12 needs exactly one of password and passwordSecretRef" })
    const secret = yield* store.get(Secrets, { namespace: certificate.metadata.namespace ?? "", name: ref.name }, { fresh: true }).pipe(Effect.option)
    const password = secret._tag === "Some" ? secretText(secret.value, ref.key ?? "password") : undefined
    if (password === undefined) {
      return yield* new KeystorePasswordMissing({ detail: `PKCS#12 keystore password Secret "${ref.name}" not found or has no key "${ref.key ?? "password"}"` })
    }
    return password
  })

export const writeCertificateSecret = (certificate: Certificate, existing: Secret | undefined, issued: Issued) =>
  Effect.gen(function* () {
    const store = yield* ResourceStore
    const password = yield* keystorePassword(certificate)
    const keystore =
      password === undefined
        ? undefined
        : yield* encodePkcs12({
            privateKeyPem: issued.keyPem,
            certificatePem: issued.chainPem,
            ...(issued.caPem === "" ? {} : { caPem: issued.caPem }),
            password,
          })
    const template = certificate.spec.secretTemplate
    const data = encodeSecretData({
      "tls.crt": issued.chainPem,
      "tls.key": issued.keyPem,
      "ca.crt": issued.caPem === "" ? undefined : issued.caPem,
      "keystore.p12": keystore,
    })
    const labelSet = { ...template?.labels, [labels.managedBy]: managedByValue, [labels.fao]: "true" }
    const annotationSet = {
      ...template?.annotations,
      ...issuedAnnotations(certificate, issued.parsed),
      ...(issued.temporary === true ? { [annotations.temporaryCertificate]: "true" } : {}),
    }
    const key = { namespace: certificate.metadata.namespace ?? "", name: certificate.spec.secretName }
    if (existing === undefined) {
      return yield* store.create(Secrets, { apiVersion: "v1", kind: "Secret", metadata: { ...key, labels: labelSet, annotations: annotationSet }, type: "kubernetes.io/tls", data })
    }
    // A merge patch: what certops owns is set, the rest of the Secret (other
    // keys, labels and annotations of others) stays as it is, and nothing of
    // it needs to be read first. A CA the new chain lacks goes.
    return yield* store.patch(Secrets, key, {
      metadata: { labels: labelSet, annotations: issued.temporary === true ? annotationSet : { ...annotationSet, [annotations.temporaryCertificate]: null } },
      type: "kubernetes.io/tls",
      data: { ...data, ...(issued.caPem === "" ? { "ca.crt": null } : {}) },
    })
  })
