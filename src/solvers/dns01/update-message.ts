// RFC 2136 UPDATE messages that add or delete one TXT record, encoded with
// dns-packet: the zone goes in the question section (RFC 2136 §2.3) and the
// change in the authority section (§2.5), as nsupdate sends them.
import * as dnsPacket from "dns-packet"
import { canonicalName } from "./wire.ts"

const OPCODE_UPDATE = 5
/** RFC 2136 §2.5.4: "delete an RR from an RRset" is class NONE with TTL 0. */
const CLASS_NONE = 254

export interface TxtChange {
  /** add: put the value in place (adding a value already there changes nothing); delete: remove that value only. */
  readonly action: "add" | "delete"
  /** The record's owner name, fully qualified. */
  readonly name: string
  readonly value: string
  readonly ttl: number
}

/** A TXT string holds at most 255 bytes; longer values are split across strings. */
const txtStrings = (value: string): Array<Buffer> => {
  const bytes = Buffer.from(value, "utf8")
  const strings: Array<Buffer> = []
  for (let start = 0; start === 0 || start < bytes.length; start += 255) strings.push(bytes.subarray(start, start + 255))
  return strings
}

export const encodeUpdate = (id: number, zone: string, change: TxtChange): Buffer => {
  const zoneQuestion: dnsPacket.Question = { name: zone, type: "SOA", class: "IN" }
  const bytes = dnsPacket.encode({
    type: "query",
    id,
    flags: OPCODE_UPDATE << 11,
    questions: [zoneQuestion],
    authorities: [
      { type: "TXT", name: change.name, class: "IN", ttl: change.action === "add" ? change.ttl : 0, data: txtStrings(change.value) },
    ],
  })
  if (change.action === "delete") {
    // dns-packet knows no class NONE, so the record went out as IN; rewrite
    // its CLASS field, which follows the owner name and TYPE. dns-packet
    // never compresses names, so the offset is plain arithmetic.
    const classOffset = dnsPacket.encodingLength({ questions: [zoneQuestion] }) + canonicalName(change.name).length + 2
    bytes.writeUInt16BE(CLASS_NONE, classOffset)
  }
  return bytes
}
