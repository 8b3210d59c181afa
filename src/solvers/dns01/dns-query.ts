// Asking one nameserver one question. What the rcode means is the caller's
// business: NXDOMAIN is an answer when walking up to a zone, an error nowhere.
import { Effect } from "effect"
import { DnsTransport, type DnsTransportError } from "./dns-transport.ts"
import { decodeMessage, encodeQuery, newMessageId, type DecodedMessage, type MalformedMessage, type QueryType } from "./message.ts"
import type { QueryServer } from "../../rules/nameserver.ts"

export type QueryError = DnsTransportError | MalformedMessage

export const query = (server: QueryServer, name: string, type: QueryType): Effect.Effect<DecodedMessage, QueryError, DnsTransport> =>
  Effect.gen(function* () {
    const transport = yield* DnsTransport
    const answer = yield* transport.exchange(server, encodeQuery(newMessageId(), name, type))
    return yield* decodeMessage(answer)
  })

/**
 * Asks each server in turn until one answers, as cert-manager's DNSQuery
 * does; fails with the last server's error when none does.
 */
export const queryFirstAnswering = (
  servers: ReadonlyArray<QueryServer>,
  name: string,
  type: QueryType,
): Effect.Effect<DecodedMessage, QueryError, DnsTransport> => Effect.firstSuccessOf(servers.map((server) => query(server, name, type)))
