// The first step of an Order: ask the ACME server for one and record its URLs
// and authorizations, so that every later step (and a restart) works from
// status alone without creating a second ACME order.
import { Effect } from "effect"
import type { Order } from "../../api/acme-order.ts"
import type { AcmeAuthorization, AcmeClient, AcmeOrder } from "../../acme/client.ts"

type Status = NonNullable<Order["status"]>

export const orderIdentifiers = (order: Order): ReadonlyArray<{ readonly type: "dns" | "ip"; readonly value: string }> => {
  const names = new Set(order.spec.dnsNames ?? [])
  // cert-manager includes the common name when it is not among the DNS names.
  if (order.spec.commonName !== undefined && order.spec.commonName !== "" && !(order.spec.ipAddresses ?? []).includes(order.spec.commonName)) {
    names.add(order.spec.commonName)
  }
  return [...[...names].map((value) => ({ type: "dns" as const, value })), ...(order.spec.ipAddresses ?? []).map((value) => ({ type: "ip" as const, value }))]
}

const identifierKey = (identifiers: ReadonlyArray<{ readonly type: string; readonly value: string }>) =>
  identifiers.map((identifier) => `${identifier.type}:${identifier.value.toLowerCase()}`).sort().join(",")

/** What the Order's status records of an ACME order and its authorizations. */
const recorded = (status: Status | undefined, order: AcmeOrder, authorizations: ReadonlyArray<AcmeAuthorization>): Status => ({
  ...status,
  url: order.url,
  finalizeURL: order.finalize,
  state: order.status,
  authorizations: authorizations.map((authorization) => ({
    url: authorization.url,
    identifier: authorization.identifier.value,
    wildcard: authorization.wildcard ?? false,
    initialState: authorization.status === "deactivated" || authorization.status === "revoked" ? "invalid" : authorization.status,
    challenges: authorization.challenges.map((challenge) => ({ url: challenge.url, token: challenge.token, type: challenge.type })),
  })),
})

/**
 * Creates the ACME order, or adopts the one an earlier attempt created, and
 * reads its authorizations, for one status write. The Order is marked
 * `pending` (without a URL) before the ACME call; finding that mark means a
 * crash may have come between the call and recording its URL, so the
 * account's orders are searched for an unclaimed one with the same names
 * before a new one is made. A second ACME order per Order is thus avoided
 * even across kill -9.
 */
export const createAcmeOrder = <E, R>(
  client: AcmeClient,
  order: Order,
  record: (status: Status) => Effect.Effect<Order, E, R>,
  claimedUrls: Effect.Effect<ReadonlySet<string>, E, R>,
) =>
  Effect.gen(function* () {
    const identifiers = orderIdentifiers(order)
    const withAuthorizations = (acmeOrder: AcmeOrder) =>
      Effect.forEach(acmeOrder.authorizations, (url) => client.getAuthorization(url), { concurrency: 4 }).pipe(
        Effect.map((authorizations) => recorded(order.status, acmeOrder, authorizations)),
      )
    let current = order
    if (order.status?.state === "pending") {
      const claimed = yield* claimedUrls
      const urls = yield* client.listOrders()
      for (const url of [...urls].reverse()) {
        if (claimed.has(url)) continue
        const candidate = yield* client.getOrder(url)
        if (candidate.status === "invalid" || identifierKey(candidate.identifiers) !== identifierKey(identifiers)) continue
        return yield* record(yield* withAuthorizations({ ...candidate, url }))
      }
    } else {
      current = yield* record({ ...order.status, state: "pending" })
    }
    const created = yield* client.createOrder(identifiers).pipe(
      // The server answered with an error: no order exists, so the mark goes (no search next time).
      Effect.tapError((error) =>
        error.status === undefined
          ? Effect.void
          : Effect.gen(function* () {
              const { state: _state, ...unmarked } = current.status ?? {}
              yield* record(unmarked).pipe(Effect.ignore)
            }),
      ),
    )
    return yield* record(yield* withAuthorizations(created))
  })
