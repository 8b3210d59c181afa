// Where a DNS server is: "host", "host:port", "[v6]:port" or a bare IPv6
// address, the port defaulting to 53. Follows cert-manager's ValidNameserver,
// and its error texts, for an RFC 2136 solver's `nameserver`. Self-check
// nameservers are written the same way, or as a DNS-over-HTTPS URL, as
// cert-manager's --dns01-recursive-nameservers may be.
import { isIP } from "node:net"
import { Result, Schema } from "effect"

export interface Nameserver {
  readonly host: string
  readonly port: number
}

export class InvalidNameserver extends Schema.TaggedError<InvalidNameserver>()("InvalidNameserver", {
  detail: Schema.String,
}) {
  override get message() {
    return this.detail
  }
}

const DNS_PORT = 53

/** host:port with IPv6 hosts bracketed, for messages. */
export const formatNameserver = ({ host, port }: Nameserver): string => (isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`)

const splitHostPort = (address: string): { readonly host: string; readonly port: string } => {
  const bracketed = /^\[([^\]]*)\](?::(.*))?$/.exec(address)
  if (bracketed !== null) return { host: bracketed[1]!, port: bracketed[2] ?? "" }
  // More than one colon and no brackets: a bare IPv6 address (Go refuses it; certops takes it).
  if (isIP(address) === 6) return { host: address, port: "" }
  const colon = address.lastIndexOf(":")
  return colon === -1 ? { host: address, port: "" } : { host: address.slice(0, colon), port: address.slice(colon + 1) }
}

/** role names the address in error texts: cert-manager's "RFC2136 nameserver" unless told otherwise. */
export const parseNameserver = (text: string, role = "RFC2136 nameserver"): Result.Result<Nameserver, InvalidNameserver> => {
  const invalid = (detail: string) => Result.fail(new InvalidNameserver({ detail: `${role} ${detail}` }))
  const address = text.trim()
  if (address === "") return invalid("missing")
  const { host, port } = splitHostPort(address)
  if (host === "") return invalid(`has no host defined, ${address}`)
  if (port === "") return Result.succeed({ host, port: DNS_PORT })
  const number = /^\d{1,5}$/.test(port) ? Number(port) : Number.NaN
  if (!(number >= 1 && number <= 65535)) return invalid(`is invalid: address ${address}: invalid port`)
  return Result.succeed({ host, port: number })
}

/** A DNS-over-HTTPS endpoint (RFC 8484): queries are POSTed to it as application/dns-message. */
export interface DohEndpoint {
  readonly url: string
}

/** Where a query may go: a nameserver over UDP/TCP, or a DoH endpoint. Updates go to nameservers only. */
export type QueryServer = Nameserver | DohEndpoint

export const isDoh = (server: QueryServer): server is DohEndpoint => "url" in server

export const formatQueryServer = (server: QueryServer): string => (isDoh(server) ? server.url : formatNameserver(server))

/**
 * A self-check nameserver: host:port as above, or an https:// URL (http://
 * too, for a resolver on the same host).
 */
export const parseQueryServer = (text: string, role = "self-check nameserver"): Result.Result<QueryServer, InvalidNameserver> => {
  const address = text.trim()
  if (!/^https?:\/\//i.test(address)) return parseNameserver(address, role)
  return URL.canParse(address)
    ? Result.succeed({ url: new URL(address).href })
    : Result.fail(new InvalidNameserver({ detail: `${role} is invalid: "${address}" is not a URL` }))
}
