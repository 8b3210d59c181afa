// An ACME issuer's account: the key in the Secret named by
// privateKeySecretRef (created if absent, reused if present) and its
// registration with the server.
import { createHash } from "node:crypto"
import { Effect, Schema } from "effect"
import type { AcmeIssuer } from "../../api/issuer.ts"
import { Secrets } from "../../api/kinds.ts"
import { AcmeAccounts } from "../../acme/accounts.ts"
import type { AcmeClient } from "../../acme/client.ts"
import { generatePrivateKey } from "../../pki/keys.ts"
import { ResourceStore } from "../../store/resource-store.ts"
import { labels, managedByValue } from "../../api/annotations.ts"
import { encodeSecretData, secretText } from "../shared/secret-data.ts"

export class AccountKeyUnavailable extends Schema.TaggedError<AccountKeyUnavailable>()("AccountKeyUnavailable", {
  detail: Schema.String,
}) {
  override get message() {
    return this.detail
  }
}

const accountKeyName = (acme: AcmeIssuer) => acme.privateKeySecretRef.key ?? "tls.key"

/** The account key, generating and storing one when the Secret does not exist yet. */
export const ensureAccountKey = (acme: AcmeIssuer, namespace: string) =>
  Effect.gen(function* () {
    const store = yield* ResourceStore
    const name = acme.privateKeySecretRef.name
    const existing = yield* store.get(Secrets, { namespace, name }, { fresh: true }).pipe(Effect.option)
    if (existing._tag === "Some") {
      const pem = secretText(existing.value, accountKeyName(acme))
      if (pem === undefined || !pem.includes("PRIVATE KEY")) {
        return yield* Effect.fail(new AccountKeyUnavailable({ detail: `secret "${name}" has no private key under "${accountKeyName(acme)}"` }))
      }
      return pem
    }
    if (acme.disableAccountKeyGeneration === true) {
      return yield* Effect.fail(new AccountKeyUnavailable({ detail: `secret "${name}" not found and account key generation is disabled` }))
    }
    const pem = yield* generatePrivateKey({ algorithm: "RSA", size: 2048, encoding: "PKCS1" })
    yield* store.create(Secrets, {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name, namespace, labels: { [labels.managedBy]: managedByValue } },
      type: "Opaque",
      data: encodeSecretData({ [accountKeyName(acme)]: pem }),
    })
    return pem
  })

/** Identifies the key without revealing it, for status.acme.lastPrivateKeyHash. */
export const keyHash = (pem: string): string => createHash("sha256").update(pem.trim()).digest("base64")

/** What the client for an issuer's account is made from; `accountUrl` skips registration when known. */
export const accountConfig = (acme: AcmeIssuer, namespace: string, accountKeyPem: string, accountUrl?: string) =>
  Effect.gen(function* () {
    const store = yield* ResourceStore
    let hmacKey: string | undefined
    if (acme.externalAccountBinding !== undefined) {
      const ref = acme.externalAccountBinding.keySecretRef
      const secret = yield* store.get(Secrets, { namespace, name: ref.name }, { fresh: true }).pipe(Effect.option)
      hmacKey = secret._tag === "Some" ? secretText(secret.value, ref.key ?? "secret") : undefined
      if (hmacKey === undefined) {
        return yield* Effect.fail(new AccountKeyUnavailable({ detail: `external account binding secret "${ref.name}" not found or has no key "${ref.key ?? "secret"}"` }))
      }
    }
    return {
      directoryUrl: acme.server,
      accountKeyPem,
      ...(accountUrl === undefined ? {} : { accountUrl }),
      ...(acme.caBundle === undefined ? {} : { caBundlePem: Buffer.from(acme.caBundle, "base64").toString("utf8") }),
      ...(acme.skipTLSVerify === true ? { skipTLSVerify: true } : {}),
      ...(acme.externalAccountBinding === undefined || hmacKey === undefined
        ? {}
        : { externalAccountBinding: { keyId: acme.externalAccountBinding.keyID, hmacKey: hmacKey.trim() } }),
    }
  })

/** The client for an issuer's account; `accountUrl` skips registration when known. */
export const accountClient = (acme: AcmeIssuer, namespace: string, accountKeyPem: string, accountUrl?: string) =>
  Effect.gen(function* () {
    const accounts = yield* AcmeAccounts
    const client: AcmeClient = accounts.client(yield* accountConfig(acme, namespace, accountKeyPem, accountUrl))
    return client
  })
