// The ACME client of the account an issuer registered, for the Order and
// Challenge controllers. Not ready (no account yet, key missing) is a normal
// waiting state, not an error.
import { Effect } from "effect"
import type { AcmeIssuer } from "../../api/issuer.ts"
import { Secrets } from "../../api/kinds.ts"
import type { IssuerRef } from "../../api/references.ts"
import type { AcmeClient } from "../../acme/client.ts"
import { ResourceStore } from "../../store/resource-store.ts"
import { AcmeAccounts } from "../../acme/accounts.ts"
import { isProjected } from "../../pki/tls-secret-facts.ts"
import { accountConfig } from "../issuers/acme-account.ts"
import { isTrue } from "./conditions.ts"
import { getIssuer, issuerSecretNamespace, type AnyIssuer } from "./issuer-lookup.ts"
import { describeIssuerRef } from "../../rules/issuer-refs.ts"
import { secretText } from "./secret-data.ts"

export type AcmeIssuerAccess =
  | { readonly _tag: "Ready"; readonly issuer: AnyIssuer; readonly acme: AcmeIssuer; readonly client: AcmeClient }
  | { readonly _tag: "NotReady"; readonly message: string }

export const acmeIssuerClient = (ref: IssuerRef, namespace: string) =>
  Effect.gen(function* () {
    const store = yield* ResourceStore
    const issuer = yield* getIssuer(ref, namespace).pipe(Effect.option)
    if (issuer._tag === "None") return { _tag: "NotReady", message: `${describeIssuerRef(ref, namespace)} not found` } as AcmeIssuerAccess
    const acme = issuer.value.spec.acme
    const accountUrl = issuer.value.status?.acme?.uri
    if (acme === undefined) return { _tag: "NotReady", message: `${describeIssuerRef(ref, namespace)} is not an ACME issuer` } as AcmeIssuerAccess
    if (!isTrue(issuer.value.status?.conditions, "Ready") || accountUrl === undefined) {
      return { _tag: "NotReady", message: `${describeIssuerRef(ref, namespace)} has no registered ACME account yet` } as AcmeIssuerAccess
    }
    const secretNamespace = yield* issuerSecretNamespace(issuer.value)
    const keyRef = { namespace: secretNamespace, name: acme.privateKeySecretRef.name }
    // The cache knows the key Secret's version (not its data): the key is read
    // from the server only when the issuer or its key Secret changed.
    const keySecret = yield* store.get(Secrets, keyRef).pipe(Effect.option)
    if (keySecret._tag === "None") return { _tag: "NotReady", message: `ACME account key secret "${acme.privateKeySecretRef.name}" not found` } as AcmeIssuerAccess
    const version = `${issuer.value.metadata.resourceVersion ?? ""}/${keySecret.value.metadata.resourceVersion ?? ""}`
    const accounts = yield* AcmeAccounts
    const missing = `ACME account key secret "${acme.privateKeySecretRef.name}" has no key "${acme.privateKeySecretRef.key ?? "tls.key"}"`
    const client = yield* accounts
      .clientFor(
        issuer.value.metadata.uid ?? describeIssuerRef(ref, namespace),
        version,
        Effect.gen(function* () {
          const fresh = isProjected(keySecret.value) ? yield* store.get(Secrets, keyRef, { fresh: true }) : keySecret.value
          const keyPem = secretText(fresh, acme.privateKeySecretRef.key ?? "tls.key")
          if (keyPem === undefined) return yield* Effect.fail(missing)
          return yield* accountConfig(acme, secretNamespace, keyPem, accountUrl)
        }),
      )
      .pipe(Effect.result)
    if (client._tag === "Failure") {
      const failure = client.failure
      return { _tag: "NotReady", message: typeof failure === "string" ? failure : failure.message } as AcmeIssuerAccess
    }
    return { _tag: "Ready", issuer: issuer.value, acme, client: client.success } as AcmeIssuerAccess
  })
