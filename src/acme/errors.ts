import { Schema } from "effect"

/**
 * An ACME call that failed. `problemType` and `status` come from the server's
 * problem document when there is one (RFC 8555 §6.7), so messages read like
 * cert-manager's: "400 urn:ietf:params:acme:error:invalidEmail: …".
 */
export class AcmeError extends Schema.TaggedError<AcmeError>()("AcmeError", {
  operation: Schema.String,
  detail: Schema.String,
  status: Schema.optionalKey(Schema.Number),
  problemType: Schema.optionalKey(Schema.String),
  /** Worth trying again later: rate limits, 5xx, network failures. */
  retryable: Schema.Boolean,
  /** What the server asked for in Retry-After, when it did. */
  retryAfterMillis: Schema.optionalKey(Schema.Number),
}) {
  override get message(): string {
    const prefix = [this.status, this.problemType].filter((part) => part !== undefined).join(" ")
    return `${this.operation}: ${prefix === "" ? "" : `${prefix}: `}${this.detail}`
  }
}
