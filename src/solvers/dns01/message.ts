// The DNS queries certops sends and what it reads from answers, on
// dns-packet. Decoding is where untrusted bytes come in, so it is the one
// place that turns a malformed message into a typed error.
import { randomInt } from "node:crypto"
import * as dnsPacket from "dns-packet"
import { Effect, Schema } from "effect"
import { splitSigned, type SignedParts } from "./tsig.ts"

const rcodeNames = [
  "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED", "YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE",
] as const

export type RcodeName = (typeof rcodeNames)[number]

export const Rcode = Object.fromEntries(rcodeNames.map((name, code) => [name, code])) as { readonly [Name in RcodeName]: number }

export const rcodeName = (rcode: number): string => rcodeNames[rcode] ?? `RCODE${rcode}`

export class MalformedMessage extends Schema.TaggedError<MalformedMessage>()("MalformedMessage", {
  detail: Schema.String,
}) {
  override get message() {
    return `malformed DNS answer: ${this.detail}`
  }
}

export interface DecodedMessage {
  readonly rcode: number
  readonly answers: ReadonlyArray<dnsPacket.Answer>
  /** Present when the message carries a TSIG record. */
  readonly signed: SignedParts | undefined
}

/** A fresh message ID; unpredictable, since unsigned answers are matched by it. */
export const newMessageId = (): number => randomInt(0x10000)

export type QueryType = "SOA" | "TXT" | "A" | "CNAME" | "NS"

/** A recursive query, with EDNS0 so that big TXT sets come over UDP (as cert-manager asks). */
export const encodeQuery = (id: number, name: string, type: QueryType): Buffer =>
  dnsPacket.encode({
    type: "query",
    id,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ name, type, class: "IN" }],
    additionals: [{ type: "OPT", name: ".", udpPayloadSize: 4096, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }],
  })

export const decodeMessage = (bytes: Buffer): Effect.Effect<DecodedMessage, MalformedMessage> =>
  Effect.try({
    try: () => {
      const packet = dnsPacket.decode(bytes)
      // The header's 4-bit rcode; TSIG's own errors (BADSIG…) are in its record.
      return { rcode: bytes.readUInt8(3) & 0x0f, answers: packet.answers ?? [], signed: splitSigned(bytes) }
    },
    catch: (error) => new MalformedMessage({ detail: error instanceof Error ? error.message : String(error) }),
  })

/**
 * The TXT values among answers, each record's strings joined into one value.
 * Any owner name counts, as in cert-manager: a resolver that followed a
 * CNAME answers with the target's records.
 */
export const txtValues = (answers: ReadonlyArray<dnsPacket.Answer>): ReadonlyArray<string> =>
  answers.flatMap((answer) =>
    answer.type === "TXT" ? [(Array.isArray(answer.data) ? answer.data : [answer.data]).map((chunk) => chunk.toString()).join("")] : [],
  )
