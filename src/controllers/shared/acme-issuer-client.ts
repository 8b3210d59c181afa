// The ACME client of the account an issuer registered, for the Order and
// Challenge controllers. Not ready (no account yet, key missing) is a normal
// waiting state, not an error.
import { Effect } from "effect"
import type { AcmeIssuer } from "../../api/issuer.ts"
import { Secrets } from "../../api/kinds.ts"
import type { IssuerRef } from "../../api/references.ts"
import type { AcmeClient } from "../../acme/client.ts"
import { ResourceStore } from "../../store/resource-store.ts"
import { accountClient } from "../issuers/acme-account.ts"
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
    const keySecret = yield* store.get(Secrets, { namespace: secretNamespace, name: acme.privateKeySecretRef.name }).pipe(Effect.option)
    const keyPem = keySecret._tag === "Some" ? secretText(keySecret.value, acme.privateKeySecretRef.key ?? "tls.key") : undefined
    if (keyPem === undefined) return { _tag: "NotReady", message: `ACME account key secret "${acme.privateKeySecretRef.name}" not found` } as AcmeIssuerAccess
    const client = yield* accountClient(acme, secretNamespace, keyPem, accountUrl)
    return { _tag: "Ready", issuer: issuer.value, acme, client } as AcmeIssuerAccess
  })
