// Nameservers that see the test bind9 from elsewhere, for self-check tests:
// a resolver that lags (it answers TXT questions with what bind9 said a few
// seconds ago, as a cache or a slow secondary does) and a DNS-over-HTTPS
// front (RFC 8484 POST, plain HTTP on loopback). Both are real servers on
// 127.0.0.1 that relay to bind9 over UDP.
import { createSocket } from "node:dgram"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import * as dnsPacket from "dns-packet"
import { Effect, type Scope } from "effect"

interface Upstream {
  readonly host: string
  readonly port: number
}

/** One question to upstream, its answer with our request's ID. */
const ask = (upstream: Upstream, request: Buffer): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const socket = createSocket("udp4")
    const timer = setTimeout(() => {
      socket.close()
      reject(new Error("upstream did not answer"))
    }, 2_000)
    socket.on("message", (answer) => {
      clearTimeout(timer)
      socket.close()
      resolve(answer)
    })
    socket.send(request, upstream.port, upstream.host)
  })

export interface LaggingNameserver {
  readonly port: number
  /** TXT questions answered from the past. */
  readonly lagged: () => number
}

/**
 * TXT answers are replayed as upstream gave them lagMillis ago; for the
 * first lagMillis after a name is first asked about, it answers as a cached
 * "no such record" would. Other questions pass straight through.
 */
export const laggingNameserver = (upstream: Upstream, lagMillis: number): Effect.Effect<LaggingNameserver, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.callback<LaggingNameserver & { readonly close: () => void }>((resume) => {
      const history = new Map<string, Array<{ readonly at: number; readonly answer: Buffer }>>()
      const socket = createSocket("udp4")
      let lagged = 0
      socket.on("message", (request, client) => {
        const packet = dnsPacket.decode(request)
        const question = packet.questions?.[0]
        void ask(upstream, request).then(
          (fresh) => {
            if (question?.type !== "TXT") return socket.send(fresh, client.port, client.address)
            const key = question.name.toLowerCase()
            const seen = history.get(key) ?? []
            const now = Date.now()
            seen.push({ at: now, answer: fresh })
            history.set(key, seen)
            const old = [...seen].reverse().find((entry) => entry.at <= now - lagMillis)
            if (old?.answer !== fresh) lagged++
            // The old answer under this request's ID, or the empty one it had cached.
            const replay =
              old === undefined
                ? dnsPacket.encode({ type: "response", id: packet.id ?? 0, flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE, questions: packet.questions ?? [], answers: [] })
                : Buffer.from(old.answer)
            replay.writeUInt16BE(request.readUInt16BE(0), 0)
            socket.send(replay, client.port, client.address)
          },
          () => undefined,
        )
      })
      socket.bind(0, "127.0.0.1", () =>
        resume(Effect.succeed({ port: socket.address().port, lagged: () => lagged, close: () => socket.close() })),
      )
    }),
    (server) => Effect.sync(server.close),
  )

export interface DohServer {
  readonly url: string
  readonly queries: () => number
}

export const dohServer = (upstream: Upstream): Effect.Effect<DohServer, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.callback<DohServer & { readonly close: () => void }>((resume) => {
      let queries = 0
      const server = createServer((request, response) => {
        if (request.method !== "POST" || request.headers["content-type"] !== "application/dns-message") {
          response.writeHead(415).end()
          return
        }
        const chunks: Array<Buffer> = []
        request.on("data", (chunk: Buffer) => chunks.push(chunk))
        request.on("end", () => {
          queries++
          void ask(upstream, Buffer.concat(chunks)).then(
            (answer) => response.writeHead(200, { "content-type": "application/dns-message" }).end(answer),
            () => response.writeHead(502).end(),
          )
        })
      })
      server.listen(0, "127.0.0.1", () => {
        const { port } = server.address() as AddressInfo
        resume(Effect.succeed({ url: `http://127.0.0.1:${port}/dns-query`, queries: () => queries, close: () => server.close() }))
      })
    }),
    (server) => Effect.sync(server.close),
  )
