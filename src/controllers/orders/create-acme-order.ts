// The first step of an Order: ask the ACME server for one and record its URLs
// and authorizations, so that every later step (and a restart) works from
// status alone without creating a second ACME order.
import { Effect } from "effect"
import type { Order } from "../../api/acme-order.ts"
import type { AcmeClient } from "../../acme/client.ts"

type Status = NonNullable<Order["status"]>

export const orderIdentifiers = (order: Order): ReadonlyArray<{ readonly type: "dns" | "ip"; readonly value: string }> => {
  const names = new Set(order.spec.dnsNames ?? [])
  // cert-manager includes the common name when it is not among the DNS names.
  if (order.spec.commonName !== undefined && order.spec.commonName !== "" && !(order.spec.ipAddresses ?? []).includes(order.spec.commonName)) {
    names.add(order.spec.commonName)
  }
  return [...[...names].map((value) => ({ type: "dns" as const, value })), ...(order.spec.ipAddresses ?? []).map((value) => ({ type: "ip" as const, value }))]
}

export const createAcmeOrder = (client: AcmeClient, order: Order) =>
  Effect.gen(function* () {
    const created = yield* client.createOrder(orderIdentifiers(order))
    const authorizations = yield* Effect.forEach(created.authorizations, (url) => client.getAuthorization(url), { concurrency: 4 })
    const status: Status = {
      ...order.status,
      url: created.url,
      finalizeURL: created.finalize,
      state: created.status,
      authorizations: authorizations.map((authorization) => ({
        url: authorization.url,
        identifier: authorization.identifier.value,
        wildcard: authorization.wildcard ?? false,
        initialState: authorization.status === "deactivated" || authorization.status === "revoked" ? "invalid" : authorization.status,
        challenges: authorization.challenges.map((challenge) => ({ url: challenge.url, token: challenge.token, type: challenge.type })),
      })),
    }
    return status
  })
