// DNS-01 self check: is the TXT record visible? Like cert-manager's
// checkAuthoritativeNss, every nameserver asked must already serve the value;
// NXDOMAIN only means "not yet". The detail texts are cert-manager's, since
// they end up in the Challenge's status.reason.
import { Effect } from "effect"
import type { SelfCheckResult } from "../solver.ts"
import { query } from "./dns-query.ts"
import type { DnsTransport } from "./dns-transport.ts"
import { Rcode, rcodeName, txtValues } from "./message.ts"
import { formatNameserver, type Nameserver } from "./nameserver.ts"

export interface TxtExpectation {
  /** The record's name, e.g. _acme-challenge.example.com. */
  readonly fqdn: string
  /** The Challenge's DNS name, for the "not yet propagated" text. */
  readonly dnsName: string
  readonly value: string
}

const checkOne = (server: Nameserver, expected: TxtExpectation): Effect.Effect<SelfCheckResult, never, DnsTransport> =>
  query(server, expected.fqdn, "TXT").pipe(
    Effect.map((answer): SelfCheckResult => {
      if (answer.rcode !== Rcode.NOERROR && answer.rcode !== Rcode.NXDOMAIN) {
        return { ok: false, detail: `NS ${formatNameserver(server)} returned ${rcodeName(answer.rcode)} for ${expected.fqdn}` }
      }
      return txtValues(answer.answers).includes(expected.value)
        ? { ok: true }
        : { ok: false, detail: `DNS record for "${expected.dnsName}" not yet propagated` }
    }),
    Effect.catch((error) => Effect.succeed<SelfCheckResult>({ ok: false, detail: error.message })),
  )

export const checkTxtPropagated = (
  servers: ReadonlyArray<Nameserver>,
  expected: TxtExpectation,
): Effect.Effect<SelfCheckResult, never, DnsTransport> =>
  Effect.gen(function* () {
    if (servers.length === 0) return { ok: false, detail: "no nameserver to ask for the DNS-01 record" } as const
    for (const server of servers) {
      const result = yield* checkOne(server, expected)
      if (!result.ok) return result
    }
    return { ok: true } as const
  })
