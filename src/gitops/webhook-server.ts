// POST /hooks/git: a verified push to the tracked branch triggers a sync at
// once instead of waiting for the next poll. A thin scoped adapter over
// node:http; the decision is verifyWebhook's.
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { Effect, Redacted, type Scope } from "effect"
import { pushedBranch, verifyWebhook } from "./webhook-signature.ts"

export interface WebhookOptions {
  readonly host: string
  readonly port: number
  readonly secret: Redacted.Redacted<string>
  readonly branch: string
  /** Called (synchronously, cheaply) for each accepted push. */
  readonly onPush: () => void
}

const maxBody = 5 * 1024 * 1024

export const serveWebhook = (options: WebhookOptions): Effect.Effect<{ readonly port: number }, Error, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.callback<Server, Error>((resume) => {
      const server = createServer((request, response) => {
        if (request.method !== "POST" || request.url?.split("?")[0] !== "/hooks/git") {
          response.writeHead(404).end()
          return
        }
        const chunks: Array<Buffer> = []
        let size = 0
        request.on("data", (chunk: Buffer) => {
          size += chunk.length
          if (size > maxBody) request.destroy()
          else chunks.push(chunk)
        })
        request.on("end", () => {
          const body = Buffer.concat(chunks)
          const headers = Object.fromEntries(Object.entries(request.headers).map(([key, value]) => [key, Array.isArray(value) ? value[0] : value]))
          const verdict = verifyWebhook(headers, body, Redacted.value(options.secret))
          if (!verdict.ok) {
            response.writeHead(401, { "content-type": "text/plain" }).end(`${verdict.reason}\n`)
            return
          }
          const branch = pushedBranch(body)
          if (branch !== undefined && branch !== options.branch) {
            response.writeHead(202, { "content-type": "text/plain" }).end(`ignored: push to ${branch}, tracking ${options.branch}\n`)
            return
          }
          options.onPush()
          response.writeHead(202, { "content-type": "text/plain" }).end("sync triggered\n")
        })
      })
      server.once("error", (error) => resume(Effect.fail(error)))
      server.listen(options.port, options.host, () => resume(Effect.succeed(server)))
    }),
    (server) =>
      Effect.callback<void>((resume) => {
        server.close(() => resume(Effect.void))
        server.closeAllConnections()
      }),
  ).pipe(Effect.map((server) => ({ port: (server.address() as AddressInfo).port })))
