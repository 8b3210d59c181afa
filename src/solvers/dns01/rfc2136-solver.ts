// The DNS-01 solver over RFC 2136: present adds the TXT record
// `_acme-challenge.<dnsName>.` (or where its CNAMEs lead, with cnameStrategy
// Follow) holding the Challenge's key (TTL 60), cleanUp deletes that value
// only (a wildcard and a plain Challenge for one name share the record name),
// selfCheck asks whether the value is visible (dns01-self-check.ts). The zone
// is found by SOA lookup at the solver's nameserver, as cert-manager finds it.
import { Context, Effect, Result } from "effect"
import type { Challenge } from "../../api/acme-challenge.ts"
import type { Rfc2136Solver } from "../../api/issuer.ts"
import { IssuanceSettings } from "../../settings/issuance-settings.ts"
import { ResourceStore } from "../../store/resource-store.ts"
import { SolverError, type ChallengeSolver, type SelfCheckResult } from "../solver.ts"
import { locateChallengeRecord, type ChallengeRecordError } from "./challenge-record.ts"
import { recursiveNameservers, selfCheckChallenge } from "./dns01-self-check.ts"
import { DnsTransport } from "./dns-transport.ts"
import { sendUpdate, type DnsUpdateError } from "./dns-update.ts"
import { parseNameserver, type Nameserver } from "../../rules/nameserver.ts"
import { loadTsigKey } from "./tsig-secret.ts"

const SOLVER = "rfc2136"

/** cert-manager's TTL for challenge records. */
const RECORD_TTL = 60

const solverError = (detail: string, retryable: boolean) => new SolverError({ solver: SOLVER, detail, retryable })

const rfc2136Of = (challenge: Challenge): Rfc2136Solver | undefined => challenge.spec.solver.dns01?.rfc2136

const nameserverOf = (config: Rfc2136Solver): Result.Result<Nameserver, SolverError> =>
  Result.mapError(parseNameserver(config.nameserver), (error) => solverError(error.detail, false))

const describeRecordFailure = (error: ChallengeRecordError): SolverError => solverError(error.detail, error.retryable)

const updateHint = (error: Extract<DnsUpdateError, { _tag: "DnsUpdateFailed" }>): string => {
  if (!error.signed && (error.rcode === "REFUSED" || error.rcode === "NOTAUTH")) {
    return " (the update was not TSIG-signed: the solver sets no tsigKeyName or no tsigSecretSecretRef)"
  }
  switch (error.rcode) {
    case "NOTAUTH":
      return ` (${error.server} is not authoritative for zone "${error.zone}", or does not accept the TSIG key for it)`
    case "REFUSED":
      return ` (the update policy of ${error.server} does not allow this change)`
    default:
      return ""
  }
}

const describeUpdateFailure = (error: DnsUpdateError): SolverError => {
  switch (error._tag) {
    case "DnsUpdateFailed":
      return solverError(`DNS update failed. Server replied: ${error.rcode}${updateHint(error)}`, error.rcode === "SERVFAIL")
    case "TsigRejected":
      // The server refusing our signature is configuration; an answer that fails
      // verification may be corruption on the way, worth another try.
      return solverError(`DNS update failed: ${error.detail}`, error.by === "certops")
    case "DnsTransportError":
    case "MalformedMessage":
      return solverError(`DNS update failed: ${error.message}`, true)
  }
}

/** A solver with the IssuanceSettings in force when it is made. */
export const makeRfc2136Solver: Effect.Effect<ChallengeSolver, never, ResourceStore | DnsTransport> = Effect.gen(function* () {
  const settings = yield* IssuanceSettings
  // Just these services, so that a caller's span and log annotations still apply.
  const services = Context.pick(ResourceStore, DnsTransport)(yield* Effect.context<ResourceStore | DnsTransport>())

  const change = (action: "add" | "delete", challenge: Challenge, config: Rfc2136Solver) =>
    Effect.gen(function* () {
      const server = yield* Effect.fromResult(nameserverOf(config))
      const key = yield* loadTsigKey(challenge, config, settings.clusterResourceNamespace)
      const resolvers = yield* Effect.fromResult(recursiveNameservers(settings, server)).pipe(Effect.mapError((detail) => solverError(detail, false)))
      const { fqdn, zone } = yield* locateChallengeRecord(challenge, { cname: resolvers, zone: [server] }).pipe(Effect.mapError(describeRecordFailure))
      yield* sendUpdate(server, zone, { action, name: fqdn, value: challenge.spec.key, ttl: RECORD_TTL }, key).pipe(
        Effect.mapError(describeUpdateFailure),
      )
    }).pipe(
      Effect.provideContext(services),
      Effect.withSpan(`rfc2136.${action}`, { attributes: { dnsName: challenge.spec.dnsName } }),
    )

  const present = (challenge: Challenge) => {
    const config = rfc2136Of(challenge)
    return config === undefined
      ? Effect.fail(solverError("the Challenge's solver has no dns01.rfc2136 section", false))
      : change("add", challenge, config)
  }

  // Without an rfc2136 section nothing was presented, so there is nothing to remove.
  const cleanUp = (challenge: Challenge) => {
    const config = rfc2136Of(challenge)
    return config === undefined ? Effect.void : change("delete", challenge, config)
  }

  const selfCheck = (challenge: Challenge): Effect.Effect<SelfCheckResult> =>
    Effect.gen(function* () {
      const config = rfc2136Of(challenge)
      if (config === undefined) return { ok: false, detail: "the Challenge's solver has no dns01.rfc2136 section" } as const
      const server = nameserverOf(config)
      if (Result.isFailure(server)) return { ok: false, detail: server.failure.detail } as const
      return yield* selfCheckChallenge(settings, challenge, server.success)
    }).pipe(Effect.provideContext(services))

  return { present, selfCheck, cleanUp }
})
