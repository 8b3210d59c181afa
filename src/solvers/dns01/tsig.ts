// TSIG (RFC 8945): signing a DNS message with a shared HMAC key, and checking
// the server's signature on its answer. No npm package signs TSIG, so
// certops does: dns-packet encodes the message, signMessage appends the TSIG
// record, and verifyResponse checks the answer before anything in it is
// believed. The secret stays Redacted and never enters an error text.
import { createHmac, timingSafeEqual } from "node:crypto"
import { Redacted, Result, Schema } from "effect"
import type { TsigAlgorithm } from "../../rules/tsig-algorithm.ts"
import { canonicalName, readName, recordOffsets, u16, u32, u48, withAdditionalCount } from "./wire.ts"

export interface TsigKey {
  /** The key's name, spelled as on the server (bind's `key "name" { … }`). */
  readonly name: string
  readonly algorithm: TsigAlgorithm
  readonly secret: Redacted.Redacted<Buffer>
}

/** A TSIG record's fields (RFC 8945 §4.2). */
export interface TsigRecord {
  readonly keyName: string
  readonly algorithmName: string
  /** Seconds since the epoch. */
  readonly timeSigned: number
  /** How many seconds either side of timeSigned the signature holds. */
  readonly fudge: number
  readonly mac: Buffer
  readonly originalId: number
  /** 0, or the TSIG error the signer reports (BADSIG, BADKEY, BADTIME, BADTRUNC). */
  readonly error: number
  readonly otherData: Buffer
}

/** A signed message taken apart: its TSIG record, and the bytes the MAC covers. */
export interface SignedParts {
  readonly record: TsigRecord
  /** The message as it was before signing: no TSIG record, ARCOUNT one less, the original ID (RFC 8945 §4.3.3). */
  readonly unsigned: Buffer
}

export const TSIG_TYPE = 250
const CLASS_ANY = 255

/** cert-manager's (miekg/dns's) fudge: a signature holds five minutes either side. */
export const DEFAULT_FUDGE_SECONDS = 300

const tsigErrorNames: Readonly<Record<number, string>> = { 16: "BADSIG", 17: "BADKEY", 18: "BADTIME", 22: "BADTRUNC" }

export const tsigErrorName = (error: number): string => tsigErrorNames[error] ?? `TSIG error ${error}`

export class TsigRejected extends Schema.TaggedError<TsigRejected>()("TsigRejected", {
  /** "server": it refused certops' signature. "certops": the server's answer failed verification. */
  by: Schema.Literals(["server", "certops"]),
  detail: Schema.String,
}) {
  override get message() {
    return this.detail
  }
}

/** The "TSIG variables" the MAC covers after the message (RFC 8945 §4.3.3). */
const variables = (record: Omit<TsigRecord, "mac" | "originalId">): Buffer =>
  Buffer.concat([
    canonicalName(record.keyName),
    u16(CLASS_ANY),
    u32(0),
    canonicalName(record.algorithmName),
    u48(record.timeSigned),
    u16(record.fudge),
    u16(record.error),
    u16(record.otherData.length),
    record.otherData,
  ])

const hmac = (key: TsigKey, parts: ReadonlyArray<Buffer>): Buffer => {
  const mac = createHmac(key.algorithm.hash, Redacted.value(key.secret))
  for (const part of parts) mac.update(part)
  return mac.digest()
}

const encodeRecord = (record: TsigRecord): Buffer => {
  const rdata = Buffer.concat([
    canonicalName(record.algorithmName),
    u48(record.timeSigned),
    u16(record.fudge),
    u16(record.mac.length),
    record.mac,
    u16(record.originalId),
    u16(record.error),
    u16(record.otherData.length),
    record.otherData,
  ])
  return Buffer.concat([canonicalName(record.keyName), u16(TSIG_TYPE), u16(CLASS_ANY), u32(0), u16(rdata.length), rdata])
}

export interface SignedMessage {
  readonly bytes: Buffer
  /** The request's MAC: the answer's MAC covers it (RFC 8945 §5.3). */
  readonly mac: Buffer
}

export interface SignOptions {
  /** Seconds since the epoch. */
  readonly timeSigned: number
  readonly fudge: number
  /** Signing an answer: the MAC of the request it answers, which the answer's MAC covers first. */
  readonly requestMac?: Buffer
}

/** Appends a TSIG record signing message (encoded, with its final ID) with key. */
export const signMessage = (message: Buffer, key: TsigKey, options: SignOptions): SignedMessage => {
  const fields = {
    keyName: key.name,
    algorithmName: key.algorithm.wireName,
    timeSigned: options.timeSigned,
    fudge: options.fudge,
    error: 0,
    otherData: Buffer.alloc(0),
  }
  const prior = options.requestMac === undefined ? [] : [u16(options.requestMac.length), options.requestMac]
  const mac = hmac(key, [...prior, message, variables(fields)])
  const record = encodeRecord({ ...fields, mac, originalId: message.readUInt16BE(0) })
  return { bytes: Buffer.concat([withAdditionalCount(message, 1), record]), mac }
}

const readRecordData = (message: Buffer, keyName: string, start: number, end: number): TsigRecord => {
  const algorithm = readName(message, start)
  let position = algorithm.end
  const timeSigned = message.readUIntBE(position, 6)
  const fudge = message.readUInt16BE(position + 6)
  const macSize = message.readUInt16BE(position + 8)
  position += 10
  const mac = Buffer.from(message.subarray(position, position + macSize))
  position += macSize
  const originalId = message.readUInt16BE(position)
  const error = message.readUInt16BE(position + 2)
  const otherLength = message.readUInt16BE(position + 4)
  position += 6
  const otherData = Buffer.from(message.subarray(position, position + otherLength))
  if (position + otherLength !== end) throw new RangeError("a TSIG record's fields do not fill its data")
  return { keyName, algorithmName: algorithm.name, timeSigned, fudge, mac, originalId, error, otherData }
}

/**
 * The TSIG record of a message and the bytes it signs, or undefined when the
 * message is not signed (TSIG must be its last record, RFC 8945 §5.1).
 * Throws RangeError on a malformed message.
 */
export const splitSigned = (message: Buffer): SignedParts | undefined => {
  const additionals = message.readUInt16BE(10)
  const last = recordOffsets(message).at(-1)
  if (additionals === 0 || last === undefined) return undefined
  const owner = readName(message, last)
  if (message.readUInt16BE(owner.end) !== TSIG_TYPE) return undefined
  const dataStart = owner.end + 10
  const record = readRecordData(message, owner.name, dataStart, dataStart + message.readUInt16BE(owner.end + 8))
  const unsigned = withAdditionalCount(message.subarray(0, last), -1)
  unsigned.writeUInt16BE(record.originalId, 0)
  return { record, unsigned }
}

const sameName = (a: string, b: string) => canonicalName(a).equals(canonicalName(b))

const serverRefusal = (key: TsigKey, error: number): string => {
  switch (tsigErrorName(error)) {
    case "BADSIG":
      return `the server could not verify the TSIG signature (BADSIG): its secret for key "${key.name}" differs from the Secret's, or it expects another algorithm than ${key.algorithm.wireName}`
    case "BADKEY":
      return `the server does not know TSIG key "${key.name}" with algorithm ${key.algorithm.wireName} (BADKEY)`
    case "BADTIME":
      return "the server refused the signing time (BADTIME): its clock and certops' differ by more than the fudge"
    case "BADTRUNC":
      return "the server refused a truncated MAC (BADTRUNC)"
    default:
      return `the server refused the TSIG signature (${tsigErrorName(error)})`
  }
}

/**
 * Checks the server's signature on its answer to a request certops signed
 * with key and requestMac: the answer's own TSIG error, then key and
 * algorithm, then the MAC (over the request MAC, the unsigned answer and its
 * TSIG variables), then the signing time against nowSeconds.
 */
export const verifyResponse = (
  signed: SignedParts,
  key: TsigKey,
  requestMac: Buffer,
  nowSeconds: number,
): Result.Result<void, TsigRejected> => {
  const { record } = signed
  const reject = (by: "server" | "certops", detail: string) => Result.fail(new TsigRejected({ by, detail }))
  if (record.error !== 0) return reject("server", serverRefusal(key, record.error))
  if (!sameName(record.keyName, key.name) || !sameName(record.algorithmName, key.algorithm.wireName)) {
    return reject("certops", `the answer is signed with key "${record.keyName}" (${record.algorithmName}), not with "${key.name}" (${key.algorithm.wireName})`)
  }
  const expected = hmac(key, [u16(requestMac.length), requestMac, signed.unsigned, variables(record)])
  // A truncated MAC (RFC 8945 §5.2.2.1) is refused: nothing certops talks to needs it.
  if (record.mac.length !== expected.length || !timingSafeEqual(record.mac, expected)) {
    return reject("certops", `the answer's TSIG signature does not verify with key "${key.name}": it was altered on the way or signed with another secret`)
  }
  if (Math.abs(nowSeconds - record.timeSigned) > record.fudge) {
    return reject(
      "certops",
      `the answer was signed at ${new Date(record.timeSigned * 1000).toISOString()}, more than ${record.fudge} s from certops' clock (${new Date(nowSeconds * 1000).toISOString()})`,
    )
  }
  return Result.void
}
