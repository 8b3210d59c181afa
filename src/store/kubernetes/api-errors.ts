// What the API server answered when a request failed, and how that becomes
// one of the store's typed errors (src/store/errors.ts).
import { Option, Schema } from "effect"
import { AlreadyExists, Conflict, Forbidden, Invalid, NotFound, StoreUnavailable, type ReadError, type WriteError } from "../errors.ts"

/** A failed API request: the HTTP status and the Status object the server sent with it. */
export class KubeApiError extends Schema.TaggedError<KubeApiError>()("KubeApiError", {
  /** The HTTP status, or 0 when no answer came (refused, reset, timed out). */
  status: Schema.Number,
  /** The Status reason when the server gave one: "AlreadyExists", "Conflict", "Expired", … */
  reason: Schema.String,
  detail: Schema.String,
  /** From a Retry-After header or `details.retryAfterSeconds` (429 and some 5xx). */
  retryAfterMillis: Schema.optionalKey(Schema.Number),
}) {
  override get message() {
    return this.status === 0 ? `API server unreachable: ${this.detail}` : `API server answered ${this.status} ${this.reason}: ${this.detail}`
  }
}

/** metav1.Status, the body of every error answer and of a watch ERROR event. */
const WireStatus = Schema.Struct({
  code: Schema.optionalKey(Schema.Number),
  reason: Schema.optionalKey(Schema.String),
  message: Schema.optionalKey(Schema.String),
  details: Schema.optionalKey(Schema.Struct({ retryAfterSeconds: Schema.optionalKey(Schema.Number) })),
})
const decodeStatus = Schema.decodeUnknownOption(WireStatus)

/** Retry-After is either delay-seconds or an HTTP date (RFC 9110 §10.2.3). */
export const parseRetryAfter = (header: string | undefined, now: number): number | undefined => {
  if (header === undefined || header.trim() === "") return undefined
  const text = header.trim()
  if (/^\d+$/.test(text)) return Number(text) * 1000
  const date = Date.parse(text)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

const reasonForStatus = (status: number): string =>
  status === 429 ? "TooManyRequests" : status >= 500 ? "InternalError" : `HTTP${status}`

/** An error answer: the HTTP status with whatever Status body came along. */
export const apiErrorFromResponse = (
  status: number,
  headers: { readonly [name: string]: string },
  body: string,
  now: number,
): KubeApiError => {
  const parsed = Option.getOrUndefined(Option.flatMap(Option.liftThrowable(JSON.parse)(body), decodeStatus))
  const retryAfterSeconds = parsed?.details?.retryAfterSeconds
  const retryAfterMillis = parseRetryAfter(headers["retry-after"], now) ?? (retryAfterSeconds === undefined ? undefined : retryAfterSeconds * 1000)
  return new KubeApiError({
    status,
    reason: parsed?.reason ?? reasonForStatus(status),
    detail: parsed?.message ?? (body.trim().slice(0, 500) || `HTTP ${status}`),
    ...(retryAfterMillis === undefined ? {} : { retryAfterMillis }),
  })
}

/** A watch ERROR event carries a Status instead of an object. */
export const apiErrorFromStatus = (object: unknown): KubeApiError => {
  const status = Option.getOrUndefined(decodeStatus(object))
  const retryAfterSeconds = status?.details?.retryAfterSeconds
  return new KubeApiError({
    status: status?.code ?? 500,
    reason: status?.reason ?? "Unknown",
    detail: status?.message ?? "the watch reported an error",
    ...(retryAfterSeconds === undefined ? {} : { retryAfterMillis: retryAfterSeconds * 1000 }),
  })
}

/** No answer at all: fetch's TypeError wraps the socket error as its cause. */
export const unreachable = (cause: unknown): KubeApiError => {
  const describe = (error: unknown): string => {
    if (!(error instanceof Error)) return String(error)
    const code = (error as { code?: unknown }).code
    const inner = error.cause === undefined ? "" : `: ${describe(error.cause)}`
    return `${error.message}${typeof code === "string" && !error.message.includes(code) ? ` (${code})` : ""}${inner}`
  }
  return new KubeApiError({ status: 0, reason: "Unreachable", detail: describe(cause) })
}

/** The server no longer has history that old (410 Gone): only a fresh list helps. */
export const isExpired = (error: KubeApiError): boolean => error.status === 410

const isTransient = (error: KubeApiError): boolean =>
  error.status === 0 || error.status === 429 || error.status >= 500 || isExpired(error)

export interface Target {
  readonly kind: string
  readonly namespace?: string
  readonly name: string
}

const unavailable = (operation: string, error: KubeApiError) =>
  new StoreUnavailable({
    operation,
    detail: error.message,
    retryable: isTransient(error),
    ...(error.retryAfterMillis === undefined ? {} : { retryAfterMillis: error.retryAfterMillis }),
  })

const forbidden = (operation: string, error: KubeApiError) => new Forbidden({ operation, detail: error.message })

/** A failed list or watch: the store promises only StoreUnavailable or Forbidden there. */
export const toListError = (operation: string, error: KubeApiError): StoreUnavailable | Forbidden => {
  if (error.status === 401 || error.status === 403) return forbidden(operation, error)
  // 404 on a collection means the kind is not served (yet): a CRD being installed.
  if (error.status === 404) return new StoreUnavailable({ operation, detail: error.message, retryable: true })
  return unavailable(operation, error)
}

export const toReadError = (operation: string, target: Target, error: KubeApiError): ReadError =>
  error.status === 404 ? new NotFound(target) : toListError(operation, error)

export const toWriteError = (operation: string, target: Target, error: KubeApiError): WriteError => {
  switch (error.status) {
    case 404:
      return new NotFound(target)
    case 409:
      return error.reason === "AlreadyExists" ? new AlreadyExists(target) : new Conflict({ ...target, detail: error.detail })
    case 400:
    case 422:
      return new Invalid({ ...target, detail: error.detail })
    case 401:
    case 403:
      return forbidden(operation, error)
    default:
      return unavailable(operation, error)
  }
}
