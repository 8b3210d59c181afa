// API server answers to typed store errors: the mapping every store call relies on.
import { assert, describe, it } from "@effect/vitest"
import {
  apiErrorFromResponse,
  apiErrorFromStatus,
  isExpired,
  KubeApiError,
  parseRetryAfter,
  toListError,
  toReadError,
  toWriteError,
  unreachable,
} from "../../../../src/store/kubernetes/api-errors.ts"

const status = (code: number, reason: string, message = `${reason} happened`, details: object = {}) =>
  JSON.stringify({ kind: "Status", apiVersion: "v1", status: "Failure", code, reason, message, details })

const target = { kind: "Certificate", namespace: "web", name: "site" }
const answer = (code: number, reason: string, headers: Record<string, string> = {}) => apiErrorFromResponse(code, headers, status(code, reason), 0)

describe("API errors", () => {
  it("reads Retry-After as seconds or as an HTTP date", () => {
    assert.strictEqual(parseRetryAfter("3", 0), 3000)
    assert.strictEqual(parseRetryAfter(" 0 ", 0), 0)
    const now = Date.parse("2026-01-01T00:00:00Z")
    assert.strictEqual(parseRetryAfter("Thu, 01 Jan 2026 00:00:05 GMT", now), 5000)
    assert.strictEqual(parseRetryAfter("Wed, 31 Dec 2025 00:00:00 GMT", now), 0)
    assert.isUndefined(parseRetryAfter(undefined, now))
    assert.isUndefined(parseRetryAfter("soon", now))
  })

  it("takes the reason and message from the Status body, and Retry-After from header or details", () => {
    const throttled = apiErrorFromResponse(
      429,
      { "retry-after": "2" },
      status(429, "TooManyRequests", "storage is (re)initializing", { retryAfterSeconds: 1 }),
      0,
    )
    assert.deepInclude(throttled, { status: 429, reason: "TooManyRequests", detail: "storage is (re)initializing", retryAfterMillis: 2000 })
    assert.strictEqual(apiErrorFromResponse(429, {}, status(429, "TooManyRequests", "x", { retryAfterSeconds: 1 }), 0).retryAfterMillis, 1000)
    // Not every answer is a Status: a bare 404 from an unknown path is plain text.
    assert.deepInclude(apiErrorFromResponse(404, {}, "404 page not found\n", 0), { status: 404, reason: "HTTP404", detail: "404 page not found" })
  })

  it("reads a watch ERROR event's Status; a 410 means the history is gone", () => {
    const expired = apiErrorFromStatus({ kind: "Status", code: 410, reason: "Expired", message: "too old resource version: 1 (219)" })
    assert.isTrue(isExpired(expired))
    assert.strictEqual(expired.detail, "too old resource version: 1 (219)")
    assert.isFalse(isExpired(apiErrorFromStatus({ code: 500, reason: "InternalError" })))
  })

  it("describes a connection failure with its socket error", () => {
    const error = unreachable(new TypeError("fetch failed", { cause: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" }) }))
    assert.strictEqual(error.status, 0)
    assert.include(error.message, "ECONNREFUSED")
  })

  it("maps write failures by status and reason", () => {
    const tag = (error: KubeApiError) => toWriteError("create Certificate", target, error)._tag
    assert.strictEqual(tag(answer(404, "NotFound")), "NotFound")
    assert.strictEqual(tag(answer(409, "AlreadyExists")), "AlreadyExists")
    assert.strictEqual(tag(answer(409, "Conflict")), "Conflict")
    assert.strictEqual(tag(answer(422, "Invalid")), "Invalid")
    assert.strictEqual(tag(answer(400, "BadRequest")), "Invalid")
    assert.strictEqual(tag(answer(403, "Forbidden")), "Forbidden")
    assert.strictEqual(tag(answer(401, "Unauthorized")), "Forbidden")
    const conflict = toWriteError("update Certificate", target, answer(409, "Conflict"))
    assert.deepInclude(conflict, { kind: "Certificate", namespace: "web", name: "site", detail: "Conflict happened" })
  })

  it("marks throttling, server errors and lost connections retryable, with the server's delay", () => {
    const throttled = toWriteError("update Certificate", target, answer(429, "TooManyRequests", { "retry-after": "1" }))
    assert.deepInclude(throttled, { _tag: "StoreUnavailable", retryable: true, retryAfterMillis: 1000 })
    assert.deepInclude(toWriteError("x", target, answer(503, "ServiceUnavailable")), { _tag: "StoreUnavailable", retryable: true })
    assert.deepInclude(toWriteError("x", target, unreachable(new Error("socket hang up"))), { _tag: "StoreUnavailable", retryable: true })
    assert.deepInclude(toWriteError("x", target, answer(405, "MethodNotAllowed")), { _tag: "StoreUnavailable", retryable: false })
  })

  it("keeps reads and lists within their narrower error types", () => {
    assert.strictEqual(toReadError("get Certificate", target, answer(404, "NotFound"))._tag, "NotFound")
    assert.deepInclude(toReadError("get Certificate", target, answer(422, "Invalid")), { _tag: "StoreUnavailable", retryable: false })
    // A kind that is not served (a CRD not installed yet) may be soon.
    assert.deepInclude(toListError("list Certificate", answer(404, "NotFound")), { _tag: "StoreUnavailable", retryable: true })
    assert.strictEqual(toListError("list Certificate", answer(403, "Forbidden"))._tag, "Forbidden")
  })
})
