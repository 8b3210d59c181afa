// The thin adapter around @kubernetes/client-node: a kubeconfig, and JSON
// requests and streaming watches over the library's own transport (its TLS
// agent and credential plugins). The only file here that touches Promises.
//
// Why not the generated API classes: they address the core group and custom
// resources differently, have no generic status subresource, and turn
// timestamps into Date objects. Why not k8s.Watch: it hides the HTTP answer,
// so a 429's Retry-After is lost, and it aborts a watch after 30 s of
// silence, while a quiet watch legitimately says nothing for minutes.
import { createHash } from "node:crypto"
import type * as https from "node:https"
import type * as tls from "node:tls"
import * as k8s from "@kubernetes/client-node"
import { Agent } from "undici"
import { Cause, Clock, Context, Duration, Effect, Layer, Schema, Stream } from "effect"
import { version } from "../../version.ts"
import { apiErrorFromResponse, KubeApiError, unreachable } from "./api-errors.ts"

export interface KubeRequest {
  readonly method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE"
  /** From the server root, e.g. `/api/v1/namespaces/a/secrets`. */
  readonly path: string
  readonly query?: { readonly [name: string]: string | undefined }
  readonly body?: unknown
  /** Defaults to application/json; a merge patch is application/merge-patch+json. */
  readonly contentType?: string
}

export interface KubeClientService {
  /** The API server's URL, for messages. */
  readonly server: string
  /** One request: the JSON body of a 2xx answer, or the error the server gave. */
  readonly request: (request: KubeRequest) => Effect.Effect<unknown, KubeApiError>
  /** A streaming GET (a watch): one JSON value per line until the server ends it. */
  readonly stream: (request: KubeRequest) => Stream.Stream<unknown, KubeApiError>
}

export class KubeClient extends Context.Service<KubeClient, KubeClientService>()("certops/store/kubernetes/KubeClient") {}

export class KubeConfigError extends Schema.TaggedError<KubeConfigError>()("KubeConfigError", {
  source: Schema.String,
  detail: Schema.String,
}) {
  override get message() {
    return `cannot load the kubeconfig (${this.source}): ${this.detail}`
  }
}

/**
 * From `path`, else the default chain: $KUBECONFIG, ~/.kube/config, then the
 * in-cluster service account.
 */
export const loadKubeConfig = (path?: string): Effect.Effect<k8s.KubeConfig, KubeConfigError> =>
  Effect.try({
    try: () => {
      const config = new k8s.KubeConfig()
      if (path === undefined) config.loadFromDefault()
      else config.loadFromFile(path)
      if (config.getCurrentCluster() === null) throw new Error("it names no current cluster")
      return config
    },
    catch: (cause) =>
      new KubeConfigError({ source: path ?? "default", detail: cause instanceof Error ? cause.message : String(cause) }),
  })

const userAgent = `certops/${version}`

type Purpose = "request" | "watch"

/**
 * A hung API server must not hang a reconcile: undici would wait 5 minutes.
 * Watches are long by design and have their own silence limit instead.
 */
const requestTimeout = Duration.seconds(30)

export const makeKubeClient = (config: k8s.KubeConfig): KubeClientService => {
  const server = config.getCurrentCluster()!.server.replace(/\/+$/, "")
  const http = new k8s.IsomorphicFetchHttpLibrary()

  // client-node 2.0's applySecurityAuthentication builds a new undici Agent
  // for every request, so every request paid a TLS handshake and a fresh
  // secure context: a third of certops' CPU under load. The TLS material
  // (CA, client certificate) is read per request as before, so a rotated
  // file still takes effect, but requests with the same material share one
  // keep-alive connection pool.
  /** Requests share at most this many connections (undici queues the rest); each watch holds one of its own. */
  const requestConnections = 64
  let pools: { readonly key: string; readonly requests: Agent; readonly watches: Agent } | undefined
  const poolFor = (tlsOptions: tls.ConnectionOptions, purpose: Purpose): Agent => {
    const material = createHash("sha256")
    for (const value of Object.values(tlsOptions)) {
      for (const part of [value].flat()) material.update(Buffer.isBuffer(part) || typeof part === "string" ? part : JSON.stringify(part) ?? "").update("\0")
    }
    const key = material.digest("hex")
    if (pools?.key !== key) {
      // New material (a rotated certificate) leaves the old pools idle: close them.
      if (pools !== undefined) for (const old of [pools.requests, pools.watches]) void old.close()
      const connect = { ...tlsOptions, keepAlive: true, keepAliveInitialDelay: 30_000 } as NonNullable<Agent.Options["connect"]>
      pools = { key, requests: new Agent({ connect, connections: requestConnections }), watches: new Agent({ connect }) }
    }
    return purpose === "watch" ? pools.watches : pools.requests
  }

  /** Headers for the token, basic auth or exec credential; the pooled TLS agent for the CA and client certificate. */
  const authenticate = async (context: k8s.RequestContext, purpose: Purpose) => {
    const options: https.RequestOptions = {}
    await config.applyToHTTPSOptions(options)
    if (config.getCurrentCluster()?.proxyUrl !== undefined) {
      // Proxies are rare enough to keep the library's own per-request dispatcher.
      return config.applySecurityAuthentication(context)
    }
    for (const [name, value] of Object.entries(options.headers ?? {})) if (value !== undefined) context.setHeaderParam(name, String(value))
    if (options.auth != null) context.setHeaderParam("Authorization", `Basic ${Buffer.from(options.auth).toString("base64")}`)
    const { ca, cert, key, pfx, passphrase, rejectUnauthorized, servername } = options
    const tlsOptions = Object.fromEntries(
      Object.entries({ ca, cert, key, pfx, passphrase, rejectUnauthorized, servername }).filter(([, value]) => value !== undefined && value !== null),
    ) as tls.ConnectionOptions
    if (Object.keys(tlsOptions).length > 0) context.setDispatcher(poolFor(tlsOptions, purpose))
  }

  const urlOf = (call: KubeRequest): string => {
    const url = new URL(server + call.path)
    for (const [name, value] of Object.entries(call.query ?? {})) if (value !== undefined) url.searchParams.set(name, value)
    return url.toString()
  }

  /** Sends and waits for the status line and headers; the body is read by the caller. */
  const send = (call: KubeRequest, signal: AbortSignal, purpose: Purpose) =>
    Effect.tryPromise({
      try: async () => {
        const context = new k8s.RequestContext(urlOf(call), call.method)
        context.setHeaderParam("Accept", "application/json")
        context.setHeaderParam("User-Agent", userAgent)
        if (call.body !== undefined) {
          context.setHeaderParam("Content-Type", call.contentType ?? "application/json")
          context.setBody(JSON.stringify(call.body))
        }
        context.setSignal(signal)
        await authenticate(context, purpose)
        return await http.send(context).toPromise()
      },
      catch: unreachable,
    })

  const readText = (response: k8s.ResponseContext) => Effect.tryPromise({ try: () => response.body.text(), catch: unreachable })

  const failure = (response: k8s.ResponseContext) =>
    Effect.gen(function* () {
      const body = yield* readText(response).pipe(Effect.orElseSucceed(() => ""))
      return yield* apiErrorFromResponse(response.httpStatusCode, response.headers, body, yield* Clock.currentTimeMillis)
    })

  const parse = (text: string, status: number) =>
    Effect.try({
      try: () => (text === "" ? undefined : (JSON.parse(text) as unknown)),
      catch: () => new KubeApiError({ status, reason: "MalformedResponse", detail: `not JSON: ${text.slice(0, 200)}` }),
    })

  const request: KubeClientService["request"] = (call) =>
    Effect.scoped(
      Effect.gen(function* () {
        const controller = yield* abortIfAbandoned
        const response = yield* send(call, controller.signal, "request")
        if (response.httpStatusCode < 200 || response.httpStatusCode > 299) return yield* failure(response)
        return yield* parse(yield* readText(response), response.httpStatusCode)
      }),
    ).pipe(
      Effect.timeoutOrElse({
        duration: requestTimeout,
        orElse: () => Effect.fail(new KubeApiError({ status: 0, reason: "Timeout", detail: `no answer within ${Duration.format(requestTimeout)}` })),
      }),
    )

  const stream: KubeClientService["stream"] = (call) =>
    Stream.unwrap(
      Effect.gen(function* () {
        // Aborting is how the connection is closed when the stream ends or is interrupted.
        const controller = yield* abortOnExit
        const response = yield* send(call, controller.signal, "watch")
        if (response.httpStatusCode !== 200) return yield* failure(response)
        const body = response.body.stream()
        if (body === null) return yield* new KubeApiError({ status: 200, reason: "MalformedResponse", detail: "an answer without a body" })
        return Stream.fromReadableStream({ evaluate: () => body, onError: unreachable }).pipe(
          Stream.decodeText,
          Stream.splitLines,
          Stream.filter((line) => line.trim() !== ""),
          Stream.mapEffect((line) => parse(line, 200)),
        )
      }),
    )

  return { server, request, stream }
}

/** Aborting is how a streaming connection is closed, however its stream ends. */
const abortOnExit = Effect.acquireRelease(
  Effect.sync(() => new AbortController()),
  (controller) => Effect.sync(() => controller.abort()),
)

/**
 * A request whose answer was read needs no abort: one builds a DOMException
 * with its stack, a few percent of certops' CPU when every request paid for
 * it. Only a caller that stopped waiting (a timeout, an interrupt) aborts.
 */
const abortIfAbandoned = Effect.acquireRelease(
  Effect.sync(() => new AbortController()),
  (controller, exit) => (exit._tag === "Failure" && Cause.hasInterrupts(exit.cause) ? Effect.sync(() => controller.abort()) : Effect.void),
)

export const kubeClientLayer = (options: { readonly kubeconfigPath?: string } = {}): Layer.Layer<KubeClient, KubeConfigError> =>
  Layer.effect(KubeClient, Effect.map(loadKubeConfig(options.kubeconfigPath), makeKubeClient))
