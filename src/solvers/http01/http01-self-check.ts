// HTTP-01 self check: GET http://<dnsName>[:port]/.well-known/acme-challenge/<token>
// and compare the body with the key authorization, as cert-manager's
// testReachability does. With self-check nameservers configured, the name is
// resolved there (A records) and the request goes to that address with the
// name in the Host header; otherwise the system resolver decides. The detail
// texts are cert-manager's, since they end up in the Challenge's status.
import { isIP } from "node:net"
import { Effect, Result } from "effect"
import type { Challenge } from "../../api/acme-challenge.ts"
import { queryFirstAnswering } from "../dns01/dns-query.ts"
import type { DnsTransport } from "../dns01/dns-transport.ts"
import { Rcode } from "../dns01/message.ts"
import { formatNameserver, parseNameserver, type Nameserver } from "../../rules/nameserver.ts"
import type { SelfCheckResult } from "../solver.ts"
import { CHALLENGE_PATH_PREFIX } from "./http01-ingress.ts"
import { httpGet } from "./http-get.ts"

/** cert-manager's client timeout and body limit. */
const TIMEOUT = "10 seconds"
const MAX_BODY_BYTES = 1024 * 1024

export interface Http01SelfCheckSettings {
  readonly port: number
  /** host:port of the nameservers to resolve the name at; empty: the system resolver. */
  readonly nameservers: ReadonlyArray<string>
}

export const challengeUrl = (challenge: Challenge, port: number): string => {
  const { dnsName, token } = challenge.spec
  const host = isIP(dnsName) === 6 ? `[${dnsName}]` : dnsName
  return `http://${host}${port === 80 ? "" : `:${port}`}${CHALLENGE_PATH_PREFIX}${token}`
}

/** cert-manager shows at most 24 characters of a wrong body. */
const shown = (body: string) => (body.length > 24 ? `${body.slice(0, 24).trim()}... (truncated)` : body)

/** The first A record of name at the nameservers, or why there is none (worded like Go's resolver). */
const resolveAt = (servers: ReadonlyArray<Nameserver>, name: string): Effect.Effect<Result.Result<string, string>, never, DnsTransport> => {
  const at = servers.map(formatNameserver).join(",")
  return queryFirstAnswering(servers, name, "A").pipe(
    Effect.map((answer) => {
      const record = answer.answers.find((record) => record.type === "A")
      if (answer.rcode === Rcode.NOERROR && record?.type === "A") return Result.succeed(record.data)
      return Result.fail(`lookup ${name} on ${at}: no such host`)
    }),
    Effect.catch((error) => Effect.succeed(Result.fail(`lookup ${name} on ${at}: ${error.message}`))),
  )
}

const connectAddress = (challenge: Challenge, nameservers: ReadonlyArray<string>): Effect.Effect<Result.Result<string, string>, never, DnsTransport> => {
  const { dnsName } = challenge.spec
  if (nameservers.length === 0 || isIP(dnsName) !== 0) return Effect.succeed(Result.succeed(dnsName))
  const servers = Result.all(nameservers.map((address) => parseNameserver(address, "self-check nameserver")))
  return Result.isFailure(servers) ? Effect.succeed(Result.fail(servers.failure.detail)) : resolveAt(servers.success, dnsName)
}

export const checkHttp01 = (challenge: Challenge, settings: Http01SelfCheckSettings): Effect.Effect<SelfCheckResult, never, DnsTransport> =>
  Effect.gen(function* () {
    const { token, key } = challenge.spec
    const url = challengeUrl(challenge, settings.port)
    const requestFailed = (error: string): SelfCheckResult => ({
      ok: false,
      detail: `failed to perform self check GET request '${url}': Get "${url}": ${error}`,
    })
    const address = yield* connectAddress(challenge, settings.nameservers)
    if (Result.isFailure(address)) return requestFailed(`dial tcp: ${address.failure}`)
    const response = yield* httpGet({
      connectTo: address.success,
      port: settings.port,
      path: `${CHALLENGE_PATH_PREFIX}${token}`,
      hostHeader: new URL(url).host,
      timeout: TIMEOUT,
      maxBodyBytes: MAX_BODY_BYTES,
    }).pipe(Effect.result)
    if (Result.isFailure(response)) return requestFailed(response.failure.detail)
    const { status, body } = response.success
    if (status !== 200) return { ok: false, detail: `wrong status code '${status}', expected '200'` }
    const presented = body.toString("utf8")
    if (presented !== key) {
      return { ok: false, detail: `did not get expected response when querying endpoint, expected ${JSON.stringify(key)} but got: ${shown(presented)}` }
    }
    return { ok: true }
  })
