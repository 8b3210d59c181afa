// Where a DNS-01 challenge's TXT record goes: `_acme-challenge.<dnsName>.`,
// or with `cnameStrategy: Follow` the end of the CNAME chain that starts
// there (as cert-manager's followCNAMEs), and the zone that holds it. Shared
// by the RFC 2136 and webhook solvers, so both follow a delegation the same
// way and fail on a loop or a dangling CNAME with the same words.
//
//   _acme-challenge.www.example.com.  CNAME  www.acme-delegation.example.net.
//   www.acme-delegation.example.net.  (no CNAME): the record goes here,
//                                     in zone acme-delegation.example.net.
import { Effect, Schema } from "effect"
import type { Challenge } from "../../api/acme-challenge.ts"
import { formatQueryServer, type QueryServer } from "../../rules/nameserver.ts"
import { queryFirstAnswering } from "./dns-query.ts"
import type { DnsTransport } from "./dns-transport.ts"
import { Rcode } from "./message.ts"
import { findZone } from "./zone-discovery.ts"

export class ChallengeRecordError extends Schema.TaggedError<ChallengeRecordError>()("ChallengeRecordError", {
  detail: Schema.String,
  /** False for a CNAME loop: it stays a loop until someone edits the zone. */
  retryable: Schema.Boolean,
}) {
  override get message() {
    return this.detail
  }
}

export interface ChallengeRecord {
  /** The name the TXT record is written at, with a trailing dot. */
  readonly fqdn: string
  /** The zone that holds it, with a trailing dot. */
  readonly zone: string
}

/** Far more than any sane delegation; a longer chain is treated like a loop. */
const MAX_CNAME_HOPS = 10

const withDot = (name: string) => (name.endsWith(".") ? name : `${name}.`)

const sameName = (left: string, right: string) => withDot(left).toLowerCase() === withDot(right).toLowerCase()

const challengeRecordName = (dnsName: string): string => `_acme-challenge.${dnsName.replace(/\.$/, "")}.`

const followsCnames = (challenge: Challenge): boolean => challenge.spec.solver.dns01?.cnameStrategy === "Follow"

const describeChain = (chain: ReadonlyArray<string>) => chain.join(" → ")

/** The CNAME chain from fqdn (fqdn first), asking the first of nameservers that answers. */
const followCnames = (
  fqdn: string,
  nameservers: ReadonlyArray<QueryServer>,
): Effect.Effect<ReadonlyArray<string>, ChallengeRecordError, DnsTransport> =>
  Effect.gen(function* () {
    const chain = [withDot(fqdn)]
    for (;;) {
      const name = chain[chain.length - 1]!
      const answer = yield* queryFirstAnswering(nameservers, name, "CNAME").pipe(
        Effect.mapError((error) => new ChallengeRecordError({ detail: `could not look up the CNAME of ${name}: ${error.message}`, retryable: true })),
      )
      // NXDOMAIN and friends: no CNAME here, so the chain ends (cert-manager does the same).
      if (answer.rcode !== Rcode.NOERROR) return chain
      const cname = answer.answers.find((record) => record.type === "CNAME" && sameName(record.name, name))
      if (cname === undefined || cname.type !== "CNAME") return chain
      const target = withDot(cname.data)
      if (chain.some((seen) => sameName(seen, target))) {
        return yield* new ChallengeRecordError({ detail: `CNAME loop: ${describeChain([...chain, target])}`, retryable: false })
      }
      chain.push(target)
      if (chain.length > MAX_CNAME_HOPS + 1) {
        return yield* new ChallengeRecordError({ detail: `CNAME chain longer than ${MAX_CNAME_HOPS} hops: ${describeChain(chain)}`, retryable: false })
      }
    }
  })

/** `_acme-challenge.<dnsName>.`, then each CNAME target in turn when the solver follows them. */
const chainOf = (challenge: Challenge, cnameNameservers: ReadonlyArray<QueryServer>): Effect.Effect<ReadonlyArray<string>, ChallengeRecordError, DnsTransport> => {
  const start = challengeRecordName(challenge.spec.dnsName)
  return followsCnames(challenge) ? followCnames(start, cnameNameservers) : Effect.succeed([start])
}

/** Where the record is written, and so looked for: the chain's end. */
export const challengeRecordFqdn = (challenge: Challenge, cnameNameservers: ReadonlyArray<QueryServer>): Effect.Effect<string, ChallengeRecordError, DnsTransport> =>
  Effect.map(chainOf(challenge, cnameNameservers), (chain) => chain[chain.length - 1]!)

/**
 * The record and its zone for a challenge. cnameNameservers answer the CNAME
 * questions (recursive resolvers); zoneNameservers find the zone (the
 * solver's own nameserver for RFC 2136, the resolvers for a webhook).
 */
export const locateChallengeRecord = (
  challenge: Challenge,
  nameservers: { readonly cname: ReadonlyArray<QueryServer>; readonly zone: ReadonlyArray<QueryServer> },
): Effect.Effect<ChallengeRecord, ChallengeRecordError, DnsTransport> =>
  Effect.gen(function* () {
    const chain = yield* chainOf(challenge, nameservers.cname)
    const fqdn = chain[chain.length - 1]!
    const zone = yield* findZone(fqdn, nameservers.zone).pipe(
      Effect.mapError((error) => {
        const servers = nameservers.zone.map(formatQueryServer).join(", ")
        // At the end of a CNAME chain, no zone means the CNAME points nowhere.
        const detail =
          chain.length > 1
            ? `dangling CNAME: ${describeChain(chain)}, and ${fqdn} is in no zone that ${servers} knows (${error.message})`
            : error._tag === "ZoneNotFound"
              ? error.detail
              : `could not find the zone of "${fqdn}": ${error.message}`
        return new ChallengeRecordError({ detail, retryable: true })
      }),
    )
    return { fqdn, zone }
  })
