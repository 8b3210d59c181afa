// One RFC 2136 update, signed with TSIG when a key is given: encode, sign,
// send, then believe nothing in the answer before its signature verifies.
import { Clock, Effect, Schema } from "effect"
import { DnsTransport, type DnsTransportError } from "./dns-transport.ts"
import { decodeMessage, newMessageId, Rcode, rcodeName, type MalformedMessage } from "./message.ts"
import { formatNameserver, type Nameserver } from "../../rules/nameserver.ts"
import { DEFAULT_FUDGE_SECONDS, signMessage, TsigRejected, verifyResponse, type TsigKey } from "./tsig.ts"
import { encodeUpdate, type TxtChange } from "./update-message.ts"

/** The server answered the update with an error rcode. */
export class DnsUpdateFailed extends Schema.TaggedError<DnsUpdateFailed>()("DnsUpdateFailed", {
  server: Schema.String,
  zone: Schema.String,
  rcode: Schema.String,
  /** Whether the update (and so the answer) was TSIG-signed. */
  signed: Schema.Boolean,
}) {
  override get message() {
    return `the server replied ${this.rcode}`
  }
}

export type DnsUpdateError = DnsUpdateFailed | TsigRejected | DnsTransportError | MalformedMessage

const nowSeconds = Effect.map(Clock.currentTimeMillis, (millis) => Math.floor(millis / 1000))

export const sendUpdate = (
  server: Nameserver,
  zone: string,
  change: TxtChange,
  key: TsigKey | undefined,
): Effect.Effect<void, DnsUpdateError, DnsTransport> =>
  Effect.gen(function* () {
    const transport = yield* DnsTransport
    const message = encodeUpdate(newMessageId(), zone, change)
    const signing =
      key === undefined ? undefined : { key, ...signMessage(message, key, { timeSigned: yield* nowSeconds, fudge: DEFAULT_FUDGE_SECONDS }) }
    const answer = yield* decodeMessage(yield* transport.exchange(server, signing?.bytes ?? message))
    const failed = new DnsUpdateFailed({ server: formatNameserver(server), zone, rcode: rcodeName(answer.rcode), signed: key !== undefined })
    if (signing !== undefined) {
      if (answer.signed !== undefined) {
        yield* Effect.fromResult(verifyResponse(answer.signed, signing.key, signing.mac, yield* nowSeconds))
      } else if (answer.rcode === Rcode.NOERROR) {
        // Success claimed without a signature could come from anyone.
        return yield* new TsigRejected({ by: "certops", detail: "the server's answer to a signed update carries no TSIG signature" })
      } else {
        // An unsigned refusal (FORMERR from a server without TSIG, say) is
        // still a refusal; at worst a forger makes certops try again.
        return yield* failed
      }
    }
    if (answer.rcode !== Rcode.NOERROR) return yield* failed
  })
