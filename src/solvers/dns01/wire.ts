// The few pieces of the DNS wire format (RFC 1035 §4) that dns-packet leaves
// to us: names in the canonical form TSIG's MAC covers, and walking a
// message record by record to find where its last record starts (dns-packet
// decodes records but does not say where each one lies).
//
// The readers throw RangeError on malformed input; certops runs them only
// under decodeMessage (message.ts), which turns that into a typed error.

const HEADER_LENGTH = 12

/** Where ARCOUNT, the number of additional records, sits in the header. */
const ARCOUNT_OFFSET = 10

/**
 * A name in wire form, uncompressed and lower-cased: the canonical form
 * (RFC 4034 §6.2) in which TSIG covers key and algorithm names.
 */
export const canonicalName = (name: string): Buffer => {
  const labels = name.toLowerCase().replace(/\.$/, "").split(".").filter((label) => label !== "")
  const parts = labels.map((label) => {
    const bytes = Buffer.from(label, "ascii")
    if (bytes.length > 63) throw new RangeError(`the DNS label "${label}" is longer than 63 bytes`)
    return Buffer.concat([Buffer.of(bytes.length), bytes])
  })
  return Buffer.concat([...parts, Buffer.of(0)])
}

const checkBounds = (message: Buffer, end: number) => {
  if (end > message.length) throw new RangeError("the DNS message ends in the middle of a record")
}

/** Reads the name at offset, following compression pointers; `end` is where it ends at offset. */
export const readName = (message: Buffer, offset: number): { readonly name: string; readonly end: number } => {
  const labels: Array<string> = []
  let position = offset
  let end: number | undefined
  // A pointer must point backwards, so a message can hold only so many jumps.
  for (let jumps = 0; jumps < 128; jumps++) {
    checkBounds(message, position + 1)
    const length = message[position]!
    if (length === 0) return { name: labels.length === 0 ? "." : labels.join("."), end: end ?? position + 1 }
    if ((length & 0xc0) === 0xc0) {
      checkBounds(message, position + 2)
      const target = ((length & 0x3f) << 8) | message[position + 1]!
      if (target >= position) throw new RangeError("a DNS name pointer points forwards")
      end ??= position + 2
      position = target
      continue
    }
    if ((length & 0xc0) !== 0) throw new RangeError("a DNS label has an unknown type")
    checkBounds(message, position + 1 + length)
    labels.push(message.toString("ascii", position + 1, position + 1 + length))
    position += 1 + length
  }
  throw new RangeError("a DNS name has too many compression pointers")
}

/** The offset after the resource record that starts at offset. */
const skipRecord = (message: Buffer, offset: number): number => {
  const { end } = readName(message, offset)
  checkBounds(message, end + 10)
  const rdataLength = message.readUInt16BE(end + 8)
  checkBounds(message, end + 10 + rdataLength)
  return end + 10 + rdataLength
}

/** Where each resource record (answer, authority and additional) of a message starts. */
export const recordOffsets = (message: Buffer): ReadonlyArray<number> => {
  checkBounds(message, HEADER_LENGTH)
  const questions = message.readUInt16BE(4)
  const records = message.readUInt16BE(6) + message.readUInt16BE(8) + message.readUInt16BE(ARCOUNT_OFFSET)
  let position = HEADER_LENGTH
  for (let index = 0; index < questions; index++) {
    position = readName(message, position).end + 4
    checkBounds(message, position)
  }
  const offsets: Array<number> = []
  for (let index = 0; index < records; index++) {
    offsets.push(position)
    position = skipRecord(message, position)
  }
  return offsets
}

/** A copy of the message with ARCOUNT changed by delta (adding or removing a TSIG record). */
export const withAdditionalCount = (message: Buffer, delta: number): Buffer => {
  const copy = Buffer.from(message)
  copy.writeUInt16BE(copy.readUInt16BE(ARCOUNT_OFFSET) + delta, ARCOUNT_OFFSET)
  return copy
}

export const u16 = (value: number): Buffer => {
  const bytes = Buffer.alloc(2)
  bytes.writeUInt16BE(value)
  return bytes
}

export const u32 = (value: number): Buffer => {
  const bytes = Buffer.alloc(4)
  bytes.writeUInt32BE(value)
  return bytes
}

/** TSIG's 48-bit time (seconds since the epoch). */
export const u48 = (value: number): Buffer => {
  const bytes = Buffer.alloc(6)
  bytes.writeUIntBE(value, 0, 6)
  return bytes
}
