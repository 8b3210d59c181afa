// An authoritative nameserver in memory, offered as a DnsTransport: enough
// RFC 2136 and TSIG for the solvers' unit tests. (The integration tests
// talk to a real bind9.)
import * as dnsPacket from "dns-packet"
import { Effect, Layer } from "effect"
import { DnsTransport, DnsTransportError } from "../../../../src/solvers/dns01/dns-transport.ts"
import { Rcode } from "../../../../src/solvers/dns01/message.ts"
import { formatQueryServer } from "../../../../src/rules/nameserver.ts"
import { signMessage, splitSigned, type TsigKey } from "../../../../src/solvers/dns01/tsig.ts"

export interface FakeNameserverOptions {
  /** The one zone served, without a trailing dot. */
  readonly zone: string
  /** Keys updates may be signed with; an update signed otherwise gets NOTAUTH. */
  readonly keys?: ReadonlyArray<TsigKey>
  /** Refuse unsigned updates, as bind does with allow-update { key … }. */
  readonly requireSignature?: boolean
  /** Answer signed updates without signing the answer. */
  readonly unsignedAnswers?: boolean
  /** Answer every update with this rcode instead of applying it. */
  readonly updateRcode?: number
  /** A records to serve (name → address). */
  readonly addresses?: Readonly<Record<string, string>>
  /** CNAME records to serve (name → target), answered to CNAME questions as a resolver would. */
  readonly cnames?: Readonly<Record<string, string>>
  /** Answer nothing: every exchange times out. */
  readonly unreachable?: boolean
}

export interface FakeNameserver {
  readonly layer: Layer.Layer<DnsTransport>
  /** The TXT values at name. */
  readonly txt: (name: string) => ReadonlyArray<{ readonly value: string; readonly ttl: number }>
  /** Every question asked, as "server type name". */
  readonly questions: Array<string>
  /** The key name of each update applied, or "unsigned". */
  readonly updates: Array<string>
}

const bare = (name: string) => name.replace(/\.$/, "").toLowerCase()

const OPCODE_UPDATE = 5

export const fakeNameserver = (options: FakeNameserverOptions): FakeNameserver => {
  const zone = bare(options.zone)
  const records = new Map<string, Array<{ value: string; ttl: number }>>()
  const questions: Array<string> = []
  const updates: Array<string> = []
  const inZone = (name: string) => name === zone || name.endsWith(`.${zone}`)

  const respond = (request: dnsPacket.DecodedPacket, opcode: number, rcode: number, answers: Array<dnsPacket.Answer> = []) =>
    dnsPacket.encode({ type: "response", id: request.id ?? 0, flags: (opcode << 11) | rcode, questions: request.questions ?? [], answers })

  const query = (server: string, request: dnsPacket.DecodedPacket): Buffer => {
    const question = request.questions![0]!
    const name = bare(question.name)
    questions.push(`${server} ${question.type} ${name}`)
    if (!inZone(name)) return respond(request, 0, Rcode.REFUSED)
    const txt = records.get(name) ?? []
    const address = options.addresses?.[name]
    const answers: Array<dnsPacket.Answer> = []
    if (question.type === "SOA" && name === zone) {
      answers.push({ type: "SOA", name: zone, ttl: 5, data: { mname: `ns.${zone}`, rname: `hostmaster.${zone}`, serial: 1 } })
    }
    if (question.type === "TXT") for (const { value, ttl } of txt) answers.push({ type: "TXT", name, ttl, data: [value] })
    if (question.type === "NS" && name === zone) answers.push({ type: "NS", name: zone, ttl: 5, data: `ns.${zone}` })
    if (question.type === "A" && address !== undefined) answers.push({ type: "A", name, ttl: 5, data: address })
    const cname = options.cnames?.[name]
    if (question.type === "CNAME" && cname !== undefined) answers.push({ type: "CNAME", name, ttl: 5, data: cname })
    const exists = name === zone || txt.length > 0 || address !== undefined || cname !== undefined
    return respond(request, 0, exists ? Rcode.NOERROR : Rcode.NXDOMAIN, answers)
  }

  const update = (bytes: Buffer, request: dnsPacket.DecodedPacket): Buffer => {
    const signed = splitSigned(bytes)
    const key = signed === undefined ? undefined : options.keys?.find((candidate) => bare(candidate.name) === bare(signed.record.keyName))
    const answer = (rcode: number) => {
      const message = respond(request, OPCODE_UPDATE, rcode)
      if (signed === undefined || key === undefined || options.unsignedAnswers === true) return message
      return signMessage(message, key, { timeSigned: signed.record.timeSigned, fudge: signed.record.fudge, requestMac: signed.record.mac }).bytes
    }
    if (signed !== undefined) {
      const genuine = key !== undefined && signMessage(signed.unsigned, key, signed.record).mac.equals(signed.record.mac)
      if (!genuine) return respond(request, OPCODE_UPDATE, Rcode.NOTAUTH)
    } else if (options.requireSignature === true) {
      return respond(request, OPCODE_UPDATE, Rcode.REFUSED)
    }
    if (bare(request.questions![0]!.name) !== zone) return answer(Rcode.NOTAUTH)
    if (options.updateRcode !== undefined) return answer(options.updateRcode)
    for (const record of request.authorities ?? []) {
      if (record.type !== "TXT") continue
      const name = bare(record.name)
      const value = (Array.isArray(record.data) ? record.data : [record.data]).map((chunk) => chunk.toString()).join("")
      const present = (records.get(name) ?? []).filter((existing) => existing.value !== value)
      // Class IN adds; class NONE (which dns-packet decodes as UNKNOWN_254) deletes that value.
      records.set(name, record.class === "IN" ? [...present, { value, ttl: record.ttl ?? 0 }] : present)
    }
    updates.push(key?.name ?? "unsigned")
    return answer(Rcode.NOERROR)
  }

  const layer = Layer.succeed(
    DnsTransport,
    DnsTransport.of({
      exchange: (server, request) =>
        Effect.suspend(() => {
          const address = formatQueryServer(server)
          if (options.unreachable === true) return Effect.fail(new DnsTransportError({ server: address, detail: "no answer over UDP within 2s" }))
          const packet = dnsPacket.decode(request)
          const opcode = (request.readUInt16BE(2) >> 11) & 0xf
          return Effect.succeed(opcode === OPCODE_UPDATE ? update(request, packet) : query(address, packet))
        }),
    }),
  )

  return { layer, txt: (name) => records.get(bare(name)) ?? [], questions, updates }
}
