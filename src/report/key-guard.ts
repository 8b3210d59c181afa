// The last line of defence for "no key material in Git, ever" (DESIGN.md §5):
// every blob and commit message the reporter writes passes through here. The
// report types have no field for a key; this catches one smuggled into a
// message or reason.
import { Effect, Predicate, Schema } from "effect"

/**
 * Any PEM private key: PKCS#8 (`PRIVATE KEY`), `ENCRYPTED PRIVATE KEY`,
 * `RSA`/`EC`/`DSA`/`OPENSSH PRIVATE KEY`. Any whitespace between the words
 * counts, because rendering collapses line breaks into spaces; nothing else
 * does, so two table cells that happen to hold the halves do not match.
 */
const privateKeyPem = /-----BEGIN[A-Z0-9\s]*PRIVATE\s+KEY/

export class PrivateKeyRefused extends Schema.TaggedError<PrivateKeyRefused>()("PrivateKeyRefused", {
  /** What was being written: a path or "commit message". Never the content. */
  subject: Schema.String,
}) {
  override get message() {
    return `refused to write ${this.subject} to Git: it contains a PEM private key`
  }
}

export const containsPrivateKey = (content: string | Uint8Array): boolean =>
  privateKeyPem.test(typeof content === "string" ? content : Buffer.from(content).toString("latin1"))

export const refusePrivateKeys = (subject: string, content: string | Uint8Array): Effect.Effect<void, PrivateKeyRefused> =>
  containsPrivateKey(content) ? Effect.fail(new PrivateKeyRefused({ subject })) : Effect.void

const stringsIn = (value: unknown): ReadonlyArray<string> =>
  Predicate.isString(value) ? [value] : Predicate.isObjectOrArray(value) ? Object.values(value).flatMap(stringsIn) : []

/** Checks every string inside `value`, before it is rendered or queued anywhere. */
export const refusePrivateKeysIn = (subject: string, value: unknown): Effect.Effect<void, PrivateKeyRefused> =>
  stringsIn(value).some(containsPrivateKey) ? Effect.fail(new PrivateKeyRefused({ subject })) : Effect.void
