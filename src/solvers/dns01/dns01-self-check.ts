// DNS-01 self check: is the TXT record visible, and to whom? Like
// cert-manager's checkDNSPropagation, every nameserver asked must already
// serve the value (NXDOMAIN only means "not yet"); by default those are the
// authoritative nameservers of the record's zone, found through the
// recursive ones; with recursive-only, the recursive ones themselves.
// Unlike cert-manager ("propagation check failed"), a failed check says which
// nameserver saw what: no record, a stale value, an error rcode, no answer.
import { getServers } from "node:dns"
import { Effect, Result } from "effect"
import type { Challenge } from "../../api/acme-challenge.ts"
import { formatQueryServer, parseQueryServer, type Nameserver, type QueryServer } from "../../rules/nameserver.ts"
import type { IssuanceSettings } from "../../settings/issuance-settings.ts"
import type { SelfCheckResult } from "../solver.ts"
import { query, queryFirstAnswering } from "./dns-query.ts"
import type { DnsTransport } from "./dns-transport.ts"
import { Rcode, rcodeName, txtValues } from "./message.ts"
import { findZone } from "./zone-discovery.ts"
import { challengeRecordFqdn } from "./challenge-record.ts"

interface TxtExpectation {
  /** The record's name, e.g. _acme-challenge.example.com. (after any CNAMEs were followed). */
  readonly fqdn: string
  /** The Challenge's DNS name, for the "not yet propagated" text. */
  readonly dnsName: string
  readonly value: string
}

/**
 * The recursive nameservers DNS-01 asks: the configured ones, else the
 * solver's own nameserver (RFC 2136), else the system resolver's.
 */
export const recursiveNameservers = (
  settings: IssuanceSettings,
  solverNameserver?: Nameserver,
): Result.Result<ReadonlyArray<QueryServer>, string> => {
  if (settings.selfCheckNameservers.length > 0) {
    return Result.mapError(
      Result.all(settings.selfCheckNameservers.map((text) => parseQueryServer(text))),
      (error) => error.detail,
    )
  }
  if (solverNameserver !== undefined) return Result.succeed([solverNameserver])
  const system = Result.all(getServers().map((text) => parseQueryServer(text, "system nameserver")))
  return Result.isSuccess(system) && system.success.length > 0
    ? Result.succeed(system.success)
    : Result.fail("no nameserver to ask for DNS-01 records: the system has none; set self-check-nameservers")
}

const shortValue = (value: string) => JSON.stringify(value.length > 20 ? `${value.slice(0, 20)}…` : value)

/** What a nameserver saw, when not the value: not yet there (pending), or an error. */
interface Sighting {
  readonly pending: boolean
  readonly text: string
}

/** What one nameserver sees: undefined when it serves the value, else what it saw, naming it. */
const askOne = (server: QueryServer, expected: TxtExpectation): Effect.Effect<Sighting | undefined, never, DnsTransport> => {
  const name = formatQueryServer(server)
  return query(server, expected.fqdn, "TXT").pipe(
    Effect.map((answer): Sighting | undefined => {
      if (answer.rcode !== Rcode.NOERROR && answer.rcode !== Rcode.NXDOMAIN) {
        return { pending: false, text: `NS ${name} returned ${rcodeName(answer.rcode)} for ${expected.fqdn}` }
      }
      const values = txtValues(answer.answers)
      if (values.includes(expected.value)) return undefined
      if (values.length > 0) return { pending: true, text: `${name} serves a stale value at ${expected.fqdn}: ${values.map(shortValue).join(", ")}` }
      return { pending: true, text: `${name} has no TXT record at ${expected.fqdn}${answer.rcode === Rcode.NXDOMAIN ? " (NXDOMAIN)" : ""}` }
    }),
    Effect.catch((error) =>
      Effect.succeed({ pending: false, text: error._tag === "DnsTransportError" ? `${name} did not answer: ${error.detail}` : `${name}: ${error.message}` }),
    ),
  )
}

/** The addresses of the zone's nameservers, asked on port. */
const authoritativeServers = (
  fqdn: string,
  resolvers: ReadonlyArray<QueryServer>,
  port: number,
): Effect.Effect<Result.Result<ReadonlyArray<Nameserver>, string>, never, DnsTransport> =>
  Effect.gen(function* () {
    const zone = yield* findZone(fqdn, resolvers)
    const answer = yield* queryFirstAnswering(resolvers, zone, "NS")
    const names = answer.answers.flatMap((record) => (record.type === "NS" ? [record.data] : []))
    if (names.length === 0) return Result.fail(`zone ${zone} has no NS records at ${resolvers.map(formatQueryServer).join(", ")}`)
    const addresses = yield* Effect.forEach(names, (name) =>
      queryFirstAnswering(resolvers, name, "A").pipe(
        Effect.map((found) => found.answers.flatMap((record) => (record.type === "A" ? [record.data] : []))),
        Effect.orElseSucceed(() => []),
      ),
    )
    const servers = [...new Set(addresses.flat())].map((host) => ({ host, port }))
    return servers.length > 0 ? Result.succeed(servers) : Result.fail(`no address for the nameservers of zone ${zone} (${names.join(", ")})`)
  }).pipe(Effect.catch((error) => Effect.succeed(Result.fail(`could not find the authoritative nameservers of ${fqdn}: ${error.message}`))))

const checkTxtPropagated = (servers: ReadonlyArray<QueryServer>, expected: TxtExpectation): Effect.Effect<SelfCheckResult, never, DnsTransport> =>
  Effect.gen(function* () {
    if (servers.length === 0) return { ok: false, detail: "no nameserver to ask for the DNS-01 record" } as const
    const seen = yield* Effect.forEach(servers, (server) => askOne(server, expected), { concurrency: "unbounded" })
    const problems = seen.filter((problem) => problem !== undefined)
    if (problems.length === 0) return { ok: true } as const
    const texts = problems.map((problem) => problem.text).join("; ")
    // cert-manager's words when the record is only late, the plain facts when a server failed.
    return { ok: false, detail: problems.every((problem) => problem.pending) ? `DNS record for "${expected.dnsName}" not yet propagated: ${texts}` : texts } as const
  })

/**
 * A DNS-01 Challenge's self check, for either solver: the record is looked
 * for where present put it (the end of its CNAME chain, with Follow).
 * solverNameserver: an RFC 2136 solver's own server, asked when none are configured.
 */
export const selfCheckChallenge = (
  settings: IssuanceSettings,
  challenge: Challenge,
  solverNameserver?: Nameserver,
): Effect.Effect<SelfCheckResult, never, DnsTransport> =>
  Effect.gen(function* () {
    const resolvers = recursiveNameservers(settings, solverNameserver)
    if (Result.isFailure(resolvers)) return { ok: false, detail: resolvers.failure } as const
    const fqdn = yield* challengeRecordFqdn(challenge, resolvers.success).pipe(Effect.result)
    if (Result.isFailure(fqdn)) return { ok: false, detail: fqdn.failure.detail } as const
    // The resolvers themselves when told so, or when the one asked is the RFC 2136 primary that took the update.
    const askResolvers = settings.selfCheckRecursiveOnly || (solverNameserver !== undefined && settings.selfCheckNameservers.length === 0)
    const servers = askResolvers ? Result.succeed(resolvers.success) : yield* authoritativeServers(fqdn.success, resolvers.success, settings.selfCheckAuthoritativePort)
    if (Result.isFailure(servers)) return { ok: false, detail: servers.failure } as const
    return yield* checkTxtPropagated(servers.success, { fqdn: fqdn.success, dnsName: challenge.spec.dnsName, value: challenge.spec.key })
  })
