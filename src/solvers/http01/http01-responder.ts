// certops' own HTTP-01 responder: answers
// GET /.well-known/acme-challenge/<token> with the token's key authorization
// from the token index, and 404 to anything else. It runs on every replica
// (it reads the store, not the replica's own presents), apart from the
// ChallengeSolvers, which only the replica doing the issuing needs.
import { createServer, type IncomingMessage, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { Context, Effect, Layer, Option, Schema } from "effect"
import { IssuanceSettings } from "../../settings/issuance-settings.ts"
import type { ResourceStore } from "../../store/resource-store.ts"
import { http01TokenIndexLayer, Http01TokenIndex } from "./token-index.ts"

export class Http01Responder extends Context.Service<
  Http01Responder,
  {
    /** Where the responder listens (the port the OS chose, when asked for port 0). */
    readonly host: string
    readonly port: number
  }
>()("certops/solvers/http01/Http01Responder") {}

export class Http01ResponderError extends Schema.TaggedError<Http01ResponderError>()("Http01ResponderError", {
  address: Schema.String,
  detail: Schema.String,
}) {
  override get message() {
    return `the HTTP-01 responder cannot listen on ${this.address}: ${this.detail}`
  }
}

export interface Http01ResponderOptions {
  /** The address to listen on; 127.0.0.1 unless given (in a cluster, the pod's: 0.0.0.0). */
  readonly host?: string
}

export interface Reply {
  readonly status: 200 | 404
  readonly body: string
}

const CHALLENGE_PATH = /^\/\.well-known\/acme-challenge\/([A-Za-z0-9_-]+)$/

const notFound: Reply = { status: 404, body: "404 page not found\n" }

/** The reply to one request: only a known token's key authorization is ever served. */
export const replyTo = (method: string | undefined, url: string | undefined, index: Http01TokenIndex["Service"]): Effect.Effect<Reply> => {
  // The query string, if any, is not part of the path ACME servers ask for.
  const token = CHALLENGE_PATH.exec((url ?? "").split("?")[0]!)?.[1]
  if ((method !== "GET" && method !== "HEAD") || token === undefined) return Effect.succeed(notFound)
  return index.lookup(token).pipe(
    Effect.map(Option.match({ onNone: () => notFound, onSome: (key): Reply => ({ status: 200, body: key }) })),
  )
}

const listen = (host: string, port: number, handle: (request: IncomingMessage) => Promise<Reply>) =>
  Effect.acquireRelease(
    Effect.callback<Server, Http01ResponderError>((resume) => {
      const server = createServer((request, response) => {
        void handle(request).then(
          (reply) => response.writeHead(reply.status, { "content-type": "text/plain; charset=utf-8" }).end(reply.body),
          () => response.writeHead(500).end(),
        )
      })
      // Kept after listening too: a later server error must not go unhandled (resume ignores it then).
      server.on("error", (error) => resume(Effect.fail(new Http01ResponderError({ address: `${host}:${port}`, detail: error.message }))))
      server.listen(port, host, () => resume(Effect.succeed(server)))
    }),
    (server) =>
      Effect.callback<void>((resume) => {
        server.close(() => resume(Effect.void))
        // ACME servers keep connections alive; close() alone would wait for them.
        server.closeAllConnections()
      }),
  )

export const http01ResponderLayer = (
  options: Http01ResponderOptions = {},
): Layer.Layer<Http01Responder, Http01ResponderError, ResourceStore> =>
  Layer.effect(
    Http01Responder,
    Effect.gen(function* () {
      const index = yield* Http01TokenIndex
      const host = options.host ?? "127.0.0.1"
      const { http01SolverPort } = yield* IssuanceSettings
      // Requests arrive in node:http's callbacks; they run with this layer's services and logger.
      const run = Effect.runPromiseWith(yield* Effect.context<never>())
      const server = yield* listen(host, http01SolverPort, (request) => run(replyTo(request.method, request.url, index)))
      const { port } = server.address() as AddressInfo
      yield* Effect.logInfo("HTTP-01 responder listening", { host, port })
      return Http01Responder.of({ host, port })
    }),
  ).pipe(Layer.provide(http01TokenIndexLayer))
