// Which zone an RFC 2136 update goes to, found as cert-manager finds it
// (FindZoneByFqdn): ask the nameservers (the first that answers) for the SOA
// of the record's name, then of each parent in turn, until one answers with a
// SOA record.
//
//   _acme-challenge.www.example.com.  NXDOMAIN (or NOERROR with no SOA): climb
//                   www.example.com.  NXDOMAIN: climb
//                       example.com.  NOERROR with its SOA: the zone
import { Effect, Schema } from "effect"
import { queryFirstAnswering, type QueryError } from "./dns-query.ts"
import type { DnsTransport } from "./dns-transport.ts"
import { Rcode, rcodeName } from "./message.ts"
import { formatQueryServer, type QueryServer } from "../../rules/nameserver.ts"

export class ZoneNotFound extends Schema.TaggedError<ZoneNotFound>()("ZoneNotFound", {
  fqdn: Schema.String,
  detail: Schema.String,
}) {
  override get message() {
    return this.detail
  }
}

/** The name and each parent below the root: a.b.c. → a.b.c., b.c., c. */
const namesUpFrom = (fqdn: string): ReadonlyArray<string> => {
  const labels = fqdn.replace(/\.$/, "").split(".")
  return labels.map((_, index) => `${labels.slice(index).join(".")}.`)
}

export const findZone = (fqdn: string, nameservers: ReadonlyArray<QueryServer>): Effect.Effect<string, ZoneNotFound | QueryError, DnsTransport> =>
  Effect.gen(function* () {
    const servers = `[${nameservers.map(formatQueryServer).join(", ")}]`
    for (const name of namesUpFrom(fqdn)) {
      const answer = yield* queryFirstAnswering(nameservers, name, "SOA")
      if (answer.rcode === Rcode.NXDOMAIN) continue
      if (answer.rcode !== Rcode.NOERROR) {
        return yield* new ZoneNotFound({
          fqdn,
          detail: `When querying the SOA record for the domain '${name}' using nameservers ${servers}, rcode was expected to be 'NOERROR' or 'NXDOMAIN', but got '${rcodeName(answer.rcode)}'`,
        })
      }
      // A CNAME cannot sit at a zone apex (RFC 2181 §10.1), so its SOA is further up.
      if (answer.answers.some((record) => record.type === "CNAME")) continue
      const soa = answer.answers.find((record) => record.type === "SOA")
      if (soa !== undefined) return `${soa.name.replace(/\.$/, "")}.`
    }
    return yield* new ZoneNotFound({
      fqdn,
      detail: `Could not find the SOA record in the DNS tree for the domain '${fqdn}' using nameservers ${servers}`,
    })
  })
