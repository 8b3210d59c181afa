// The private key of the issuance in progress lives in a temporary Secret
// (status.nextPrivateKeySecretName) until the certificate is installed, so a
// restart mid-issuance reuses the key the CertificateRequest was made with.
// Its data is read from the server when needed, never kept in a cache.
import { Effect, Schema } from "effect"
import type { Certificate } from "../../api/certificate.ts"
import { Secrets } from "../../api/kinds.ts"
import { labels, managedByValue } from "../../api/annotations.ts"
import { generatePrivateKey, privateKeyMatchesSpec } from "../../pki/keys.ts"
import { keySpecOf, rotatesKey } from "../../rules/key-spec.ts"
import { EventRecorder } from "../../store/event-recorder.ts"
import { ResourceStore } from "../../store/resource-store.ts"
import { childName, controllerReference } from "../shared/owners.ts"
import { encodeSecretData, secretText } from "../shared/secret-data.ts"

export const nextKeySecretName = (certificate: Certificate): string => childName(certificate.metadata.name, "next-key")

export class NextPrivateKeyMissing extends Schema.TaggedError<NextPrivateKeyMissing>()("NextPrivateKeyMissing", {
  secret: Schema.String,
}) {
  override get message() {
    return `the temporary Secret "${this.secret}" holding the issuance's private key is gone or has no tls.key`
  }
}

/** The key of an issuance in progress, from the server. */
export const readNextPrivateKey = (namespace: string, name: string) =>
  Effect.gen(function* () {
    const store = yield* ResourceStore
    const secret = yield* store.get(Secrets, { namespace, name }, { fresh: true }).pipe(Effect.option)
    const pem = secret._tag === "Some" ? secretText(secret.value, "tls.key") : undefined
    if (pem === undefined) return yield* new NextPrivateKeyMissing({ secret: `${namespace}/${name}` })
    return pem
  })

/** The key for this issuance and the Secret that holds it. */
export const ensureNextPrivateKey = (certificate: Certificate, currentKeyPem: string | undefined) =>
  Effect.gen(function* () {
    const store = yield* ResourceStore
    const events = yield* EventRecorder
    const namespace = certificate.metadata.namespace ?? ""
    const name = nextKeySecretName(certificate)
    const spec = keySpecOf(certificate)
    // Only after a crash mid-issuance does the Secret exist already.
    const cached = yield* store.get(Secrets, { namespace, name }, { cachedOnly: true }).pipe(Effect.option)
    const existing = cached._tag === "None" ? cached : yield* store.get(Secrets, { namespace, name }, { fresh: true }).pipe(Effect.option)
    const stored = existing._tag === "Some" ? secretText(existing.value, "tls.key") : undefined
    if (stored !== undefined && privateKeyMatchesSpec(stored, spec)) return { secretName: name, keyPem: stored }

    const reuse = !rotatesKey(certificate) && currentKeyPem !== undefined && privateKeyMatchesSpec(currentKeyPem, spec)
    const keyPem = reuse ? currentKeyPem : yield* generatePrivateKey(spec)
    const secret = {
      apiVersion: "v1" as const,
      kind: "Secret" as const,
      metadata: {
        name,
        namespace,
        labels: { [labels.managedBy]: managedByValue },
        ownerReferences: [controllerReference(certificate)],
      },
      type: "Opaque",
      data: encodeSecretData({ "tls.key": keyPem }),
    }
    if (existing._tag === "Some") yield* store.update(Secrets, { ...existing.value, data: secret.data })
    else yield* store.create(Secrets, secret)
    if (!reuse) yield* events.record(certificate, "Normal", "Generated", `Stored new private key in temporary Secret resource "${name}"`)
    return { secretName: name, keyPem }
  })
