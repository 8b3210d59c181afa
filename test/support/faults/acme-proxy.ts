// A loopback HTTPS proxy in front of pebble that answers chosen ACME requests
// itself with an error (429 rateLimited, 503 serverInternal) and a proper
// RFC 7807 problem document, and records every request it sees.
//
// The Host header is passed through, so pebble builds every URL it hands out
// (directory, Location, Link, order and authz URLs) on the proxy's origin, and
// the JWS "url" it checks matches: nothing needs rewriting.
import { request as httpsRequest, createServer, Agent } from "node:https"
import type { IncomingMessage, ServerResponse } from "node:http"
import { Effect, type Scope } from "effect"
import { createAuthority, issueLeaf } from "../../env/pki.ts"

/** Which kind of ACME endpoint a pebble path belongs to. */
export type Endpoint = "directory" | "newNonce" | "newAccount" | "newOrder" | "order" | "authz" | "challenge" | "finalize" | "cert" | "account" | "other"

export const endpointOf = (path: string): Endpoint => {
  if (path.startsWith("/dir")) return "directory"
  if (path.startsWith("/nonce-plz")) return "newNonce"
  if (path.startsWith("/sign-me-up")) return "newAccount"
  if (path.startsWith("/order-plz")) return "newOrder"
  if (path.startsWith("/my-order/")) return "order"
  if (path.startsWith("/authZ/")) return "authz"
  if (path.startsWith("/chalZ/")) return "challenge"
  if (path.startsWith("/finalize-order/")) return "finalize"
  if (path.startsWith("/certZ/")) return "cert"
  if (path.startsWith("/my-account")) return "account"
  return "other"
}

export interface RecordedRequest {
  /** Endpoint kind plus what makes it one client's request: the path, and for newOrder the identifiers. */
  readonly key: string
  readonly endpoint: Endpoint
  readonly method: string
  readonly path: string
  readonly at: number
  /** The status the client got. */
  readonly status: number
  /** Set when the proxy answered itself. */
  readonly injected?: { readonly status: number; readonly retryAfterSeconds?: number }
  /** The problem type of an error answer, pebble's or the proxy's own. */
  readonly problemType?: string
}

export interface Injection {
  readonly status: 429 | 503
  readonly retryAfterSeconds?: number
}

/** Decides, per request (POSTs and GETs alike), whether to answer it with an error. */
export type FaultRule = (request: { readonly endpoint: Endpoint; readonly method: string; readonly key: string; readonly seen: number }) => Injection | undefined

export interface AcmeProxy {
  readonly directoryUrl: string
  readonly tlsCaPem: string
  readonly requests: ReadonlyArray<RecordedRequest>
}

/** The identifiers of a newOrder JWS, so one order's retries can be told from another's. */
const newOrderIdentifiers = (body: Buffer): string => {
  try {
    const jws = JSON.parse(body.toString("utf8")) as { payload?: string }
    const payload = JSON.parse(Buffer.from(jws.payload ?? "", "base64url").toString("utf8")) as { identifiers?: Array<{ value: string }> }
    return (payload.identifiers ?? []).map((identifier) => identifier.value).sort().join(",")
  } catch {
    return "?"
  }
}

const problemFor = (injection: Injection) =>
  injection.status === 429
    ? { type: "urn:ietf:params:acme:error:rateLimited", detail: "certops fault proxy: too many requests, retry later", status: 429 }
    : { type: "urn:ietf:params:acme:error:serverInternal", detail: "certops fault proxy: service unavailable", status: 503 }

export const startAcmeProxy = (upstream: { readonly directoryUrl: string; readonly tlsCaPem: string }, rule: FaultRule): Effect.Effect<AcmeProxy, never, Scope.Scope> =>
  Effect.gen(function* () {
    const target = new URL(upstream.directoryUrl)
    const ca = createAuthority("certops-fault-proxy-ca")
    const leaf = issueLeaf(ca, { commonName: "acme-proxy", dnsNames: ["localhost"], ips: ["127.0.0.1"], usage: "server" })
    const agent = new Agent({ keepAlive: true, ca: upstream.tlsCaPem })
    const requests: Array<RecordedRequest> = []
    const seen = new Map<string, number>()

    const handle = (request: IncomingMessage, response: ServerResponse, body: Buffer) => {
      const path = request.url ?? "/"
      const method = request.method ?? "GET"
      const endpoint = endpointOf(path)
      const pathOnly = path.split("?")[0]!
      const key = endpoint === "newOrder" && method === "POST" ? `newOrder:${newOrderIdentifiers(body)}` : `${endpoint}:${pathOnly}`
      const count = (seen.get(`${endpoint}:${method}`) ?? 0) + 1
      seen.set(`${endpoint}:${method}`, count)
      const at = Date.now()
      const injection = rule({ endpoint, method, key, seen: count })
      if (injection !== undefined) {
        const problem = problemFor(injection)
        const headers: Record<string, string> = { "Content-Type": "application/problem+json", "Cache-Control": "no-store" }
        if (injection.retryAfterSeconds !== undefined) headers["Retry-After"] = String(injection.retryAfterSeconds)
        response.writeHead(injection.status, headers)
        response.end(JSON.stringify(problem))
        requests.push({ key, endpoint, method, path, at, status: injection.status, injected: injection, problemType: problem.type })
        return
      }
      const forwarded = httpsRequest(
        {
          host: target.hostname,
          port: target.port,
          method,
          path,
          agent,
          headers: { ...request.headers },
        },
        (upstreamResponse) => {
          const status = upstreamResponse.statusCode ?? 0
          response.writeHead(status === 0 ? 502 : status, upstreamResponse.headers)
          if (status < 400) {
            requests.push({ key, endpoint, method, path, at, status })
            return void upstreamResponse.pipe(response)
          }
          const chunks: Array<Buffer> = []
          upstreamResponse.on("data", (chunk: Buffer) => chunks.push(chunk))
          upstreamResponse.on("end", () => {
            const body = Buffer.concat(chunks)
            let problemType: string | undefined
            try {
              problemType = (JSON.parse(body.toString("utf8")) as { type?: string }).type
            } catch {
              problemType = undefined
            }
            requests.push({ key, endpoint, method, path, at, status, ...(problemType === undefined ? {} : { problemType }) })
            response.end(body)
          })
        },
      )
      forwarded.on("error", (error) => {
        requests.push({ key, endpoint, method, path, at, status: 502 })
        response.writeHead(502, { "Content-Type": "text/plain" })
        response.end(`proxy: ${error.message}`)
      })
      forwarded.end(body)
    }

    const server = createServer({ cert: leaf.certPem, key: leaf.keyPem }, (request, response) => {
      const chunks: Array<Buffer> = []
      request.on("data", (chunk: Buffer) => chunks.push(chunk))
      request.on("end", () => handle(request, response, Buffer.concat(chunks)))
    })
    const port = yield* Effect.acquireRelease(
      Effect.callback<number>((resume) => {
        server.listen(0, "127.0.0.1", () => {
          const address = server.address()
          resume(Effect.succeed(typeof address === "object" && address !== null ? address.port : 0))
        })
      }),
      () =>
        Effect.callback<void>((resume) => {
          server.close(() => resume(Effect.void))
          server.closeAllConnections()
          agent.destroy()
        }),
    )
    return { directoryUrl: `https://127.0.0.1:${port}${target.pathname}`, tlsCaPem: ca.certPem, requests }
  })
