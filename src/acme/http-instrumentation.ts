// Hooks into acme-client's HTTP layer, per client: the TLS trust of that
// issuer, the operation each request belongs to (for metrics), the last
// problem document (acme-client's own errors keep only the detail text), and
// a pool of the nonces the server hands out with every answer.
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
  getNonce: () => Promise<string>
  maxBadNonceRetries: number
}

/** Fresh nonces kept per client: more would only age. */
const noncePoolSize = 64

const isBadNonce = (response: HttpResponse) =>
  response.status === 400 && (response.data as { type?: string } | null)?.type === "urn:ietf:params:acme:error:badNonce"

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
  // acme-client asks newNonce for every signed request, although every answer
  // carries a fresh Replay-Nonce (RFC 8555 §6.5): half its requests were HEADs.
  // Each nonce is used once; the newest first, since a server may expire old ones.
  const nonces: Array<string> = []
  const fetchNonce = http.getNonce.bind(http)
  http.getNonce = () => {
    const pooled = nonces.pop()
    return pooled === undefined ? fetchNonce() : Promise.resolve(pooled)
  }
  const keep = (method: string, response: HttpResponse) => {
    const nonce = response.headers["replay-nonce"]
    // A HEAD's nonce is getNonce's answer, and a badNonce answer's nonce is the
    // one acme-client retries with: both are already spoken for.
    if (nonce === undefined || method.toLowerCase() === "head" || isBadNonce(response)) return
    nonces.push(nonce)
    if (nonces.length > noncePoolSize) nonces.shift()
  }
  const request = http.request.bind(http)
  http.request = async (url, method, requestOptions = {}) => {
    const context = callContext.getStore()
    const operation = context?.operation ?? "unknown"
    try {
      const response = await request(url, method, { ...requestOptions, httpsAgent: options.agent })
      options.observe(operation, response.status)
      keep(method, response)
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
