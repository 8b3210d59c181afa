// Hooks into acme-client's HTTP layer, per client: the TLS trust of that
// issuer, the operation each request belongs to (for metrics), and the last
// problem document (acme-client's own errors keep only the detail text).
import { AsyncLocalStorage } from "node:async_hooks"
import type { Agent } from "node:https"

export interface Problem {
  readonly status: number
  readonly type?: string
  readonly detail?: string
  readonly retryAfterMillis?: number
}

/** What one adapter call carries down to the HTTP requests it makes. */
export interface CallContext {
  readonly operation: string
  problem?: Problem | undefined
}

export const callContext = new AsyncLocalStorage<CallContext>()

export type RequestObserver = (operation: string, status: number | "error") => void

interface HttpResponse {
  readonly status: number
  readonly headers: Record<string, string | undefined>
  readonly data: unknown
}

interface HttpClientLike {
  request: (url: string, method: string, options?: Record<string, unknown>) => Promise<HttpResponse>
  maxBadNonceRetries: number
}

/** Retry-After is either seconds or an HTTP date (RFC 9110 §10.2.3). */
export const parseRetryAfter = (header: string | undefined, now = Date.now()): number | undefined => {
  if (header === undefined || header.trim() === "") return undefined
  const seconds = Number(header)
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1_000)
  const date = Date.parse(header)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

export const instrumentHttpClient = (
  http: HttpClientLike,
  options: { readonly agent: Agent; readonly maxBadNonceRetries: number; readonly observe: RequestObserver },
): void => {
  http.maxBadNonceRetries = options.maxBadNonceRetries
  const request = http.request.bind(http)
  http.request = async (url, method, requestOptions = {}) => {
    const context = callContext.getStore()
    const operation = context?.operation ?? "unknown"
    try {
      const response = await request(url, method, { ...requestOptions, httpsAgent: options.agent })
      options.observe(operation, response.status)
      if (context !== undefined && response.status < 400) context.problem = undefined
      if (response.status >= 400 && context !== undefined) {
        const body = (typeof response.data === "object" && response.data !== null ? response.data : {}) as { type?: string; detail?: string }
        const retryAfterMillis = parseRetryAfter(response.headers["retry-after"])
        context.problem = {
          status: response.status,
          ...(body.type === undefined ? {} : { type: body.type }),
          ...(body.detail === undefined ? {} : { detail: body.detail }),
          ...(retryAfterMillis === undefined ? {} : { retryAfterMillis }),
        }
      }
      return response
    } catch (error) {
      options.observe(operation, "error")
      throw error
    }
  }
}
