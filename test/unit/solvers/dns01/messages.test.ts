// Encoding UPDATE messages (byte for byte what nsupdate sends), queries, and
// reading names and records off the wire.
import * as dnsPacket from "dns-packet"
import { Effect, Result } from "effect"
import { describe, expect, it } from "vitest"
import { decodeMessage, encodeQuery, Rcode, txtValues } from "../../../../src/solvers/dns01/message.ts"
import { parseNameserver } from "../../../../src/rules/nameserver.ts"
import { splitSigned } from "../../../../src/solvers/dns01/tsig.ts"
import { encodeUpdate } from "../../../../src/solvers/dns01/update-message.ts"
import { readName, recordOffsets } from "../../../../src/solvers/dns01/wire.ts"
import { captures } from "./tsig-vectors.ts"

/** The update nsupdate sent, without its TSIG record: what encodeUpdate must produce. */
const nsupdateMessage = (hex: string) => splitSigned(Buffer.from(hex, "hex"))!.unsigned

describe("UPDATE messages", () => {
  it("adding a TXT value is what nsupdate sends for `update add … 60 TXT`", () => {
    const expected = nsupdateMessage(captures.sha256.request)
    const encoded = encodeUpdate(expected.readUInt16BE(0), "vectors.test.", {
      action: "add",
      name: "_acme-challenge.www.vectors.test.",
      value: "value-sha256",
      ttl: 60,
    })
    expect(encoded.toString("hex")).toBe(expected.toString("hex"))
  })

  it("deleting one TXT value is what nsupdate sends for `update delete … TXT \"value\"` (class NONE, TTL 0)", () => {
    const expected = nsupdateMessage(captures.delete.request)
    const encoded = encodeUpdate(expected.readUInt16BE(0), "vectors.test.", {
      action: "delete",
      name: "_acme-challenge.www.vectors.test.",
      value: "value-sha256",
      ttl: 60,
    })
    expect(encoded.toString("hex")).toBe(expected.toString("hex"))
  })

  it("splits a value longer than 255 bytes into several strings of one record", () => {
    const value = "x".repeat(300)
    const packet = dnsPacket.decode(encodeUpdate(1, "example.test.", { action: "add", name: "_acme-challenge.example.test.", value, ttl: 60 }))
    const [record] = packet.authorities ?? []
    expect(record?.type).toBe("TXT")
    const strings = (record as dnsPacket.TxtAnswer).data as Array<Buffer>
    expect(strings.map((string) => string.length)).toEqual([255, 45])
    expect(txtValues(packet.answers ?? [])).toEqual([])
    expect(txtValues([record!])).toEqual([value])
  })
})

describe("queries and answers", () => {
  it("asks recursively with EDNS0", () => {
    const packet = dnsPacket.decode(encodeQuery(7, "_acme-challenge.example.test.", "TXT"))
    expect(packet).toMatchObject({ id: 7, flag_rd: true, questions: [{ name: "_acme-challenge.example.test", type: "TXT", class: "IN" }] })
    expect(packet.additionals?.[0]).toMatchObject({ type: "OPT", udpPayloadSize: 4096 })
  })

  it("reads rcode, answers and the signature of an answer", async () => {
    const answer = await Effect.runPromise(decodeMessage(Buffer.from(captures.notauthZone.response, "hex")))
    expect(answer.rcode).toBe(Rcode.NOTAUTH)
    expect(answer.signed?.record.keyName).toBe("vector-sha256")
  })

  it("turns a malformed answer into a typed error", async () => {
    const cut = Buffer.from(captures.sha256.response, "hex").subarray(0, 30)
    const error = await Effect.runPromise(Effect.flip(decodeMessage(cut)))
    expect(error._tag).toBe("MalformedMessage")
  })
})

describe("wire names", () => {
  // "a.example" at 12, then "b" pointing back at "example" (offset 14).
  const compressed = Buffer.concat([
    Buffer.alloc(12),
    Buffer.from([1, 0x61, 7, ...Buffer.from("example"), 0]),
    Buffer.from([1, 0x62, 0xc0, 14]),
  ])

  it("follows compression pointers", () => {
    expect(readName(compressed, 12)).toEqual({ name: "a.example", end: 23 })
    expect(readName(compressed, 23)).toEqual({ name: "b.example", end: 27 })
  })

  it("refuses a pointer forwards (a loop)", () => {
    const looping = Buffer.concat([Buffer.alloc(12), Buffer.from([0xc0, 12])])
    expect(() => readName(looping, 12)).toThrow(RangeError)
  })

  it("finds where each record starts", () => {
    const message = Buffer.from(captures.sha256.request, "hex")
    const offsets = recordOffsets(message)
    // One update, one TSIG record.
    expect(offsets).toHaveLength(2)
    expect(readName(message, offsets[1]!).name).toBe("vector-sha256")
  })
})

describe("nameserver addresses", () => {
  const parsed = (text: string) => Result.match(parseNameserver(text), { onSuccess: (server) => server, onFailure: (error) => error.detail })

  it.each([
    ["10.0.0.1", { host: "10.0.0.1", port: 53 }],
    [" 10.0.0.1:5353 ", { host: "10.0.0.1", port: 5353 }],
    ["10.0.0.1:", { host: "10.0.0.1", port: 53 }],
    ["[2001:db8::1]:5353", { host: "2001:db8::1", port: 5353 }],
    ["[2001:db8::1]", { host: "2001:db8::1", port: 53 }],
    ["2001:db8::1", { host: "2001:db8::1", port: 53 }],
    ["ns.example.test:5353", { host: "ns.example.test", port: 5353 }],
  ])("%s", (text, server) => {
    expect(parsed(text)).toEqual(server)
  })

  it.each([
    ["", "RFC2136 nameserver missing"],
    [":53", "RFC2136 nameserver has no host defined, :53"],
    ["10.0.0.1:dns", "RFC2136 nameserver is invalid: address 10.0.0.1:dns: invalid port"],
    ["10.0.0.1:70000", "RFC2136 nameserver is invalid: address 10.0.0.1:70000: invalid port"],
  ])("refuses %j", (text, detail) => {
    expect(parsed(text)).toBe(detail)
  })
})
