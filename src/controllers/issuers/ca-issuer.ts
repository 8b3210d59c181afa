// A CA issuer is ready when its Secret holds a CA certificate and the key
// that matches it.
import { Effect } from "effect"
import { Secrets } from "../../api/kinds.ts"
import type { CAIssuer } from "../../api/issuer.ts"
import { factsOfData } from "../../pki/tls-secret-facts.ts"
import { ResourceStore } from "../../store/resource-store.ts"
import { secretText } from "../shared/secret-data.ts"

export type CaCheck =
  | { readonly ready: true; readonly certificatePem: string; readonly privateKeyPem: string }
  | { readonly ready: false; readonly reason: "ErrGetKeyPair" | "ErrInvalidKeyPair"; readonly message: string }

const notReady = (reason: "ErrGetKeyPair" | "ErrInvalidKeyPair", detail: string): CaCheck => ({
  ready: false,
  reason,
  message: `Error getting keypair for CA issuer: ${detail}`,
})

/** Reads and checks the CA key pair; used by the issuer and by signing. */
export const loadCaKeyPair = (ca: CAIssuer, namespace: string): Effect.Effect<CaCheck, never, ResourceStore> =>
  Effect.gen(function* () {
    const store = yield* ResourceStore
    const secret = yield* store.get(Secrets, { namespace, name: ca.secretName }, { fresh: true }).pipe(Effect.option)
    if (secret._tag === "None") {
      return notReady("ErrGetKeyPair", `secret "${ca.secretName}" not found`)
    }
    const certificatePem = secretText(secret.value, "tls.crt")
    const privateKeyPem = secretText(secret.value, "tls.key")
    if (certificatePem === undefined || privateKeyPem === undefined) {
      return notReady("ErrGetKeyPair", `secret "${ca.secretName}" has no tls.crt or tls.key`)
    }
    // The native reading: signing reads the pair for every request it signs.
    const facts = factsOfData(secret.value.data)
    if (facts.certificate === undefined || !facts.certificate.isCA) {
      return notReady("ErrInvalidKeyPair", `certificate in secret "${ca.secretName}" is not a CA certificate`)
    }
    if (facts.privateKey === undefined || facts.privateKey.publicKeySha256 !== facts.certificate.publicKeySha256) {
      return notReady("ErrInvalidKeyPair", `private key in secret "${ca.secretName}" does not match the certificate`)
    }
    return { ready: true, certificatePem, privateKeyPem }
  })
