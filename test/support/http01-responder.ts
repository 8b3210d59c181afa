// A bare HTTP-01 responder on the port pebble validates on, for tests that
// exercise ACME without certops' own solver.
import { createServer, type Server } from "node:http"

export interface Http01Responder {
  readonly tokens: Map<string, string>
  readonly close: () => Promise<void>
}

export const startHttp01Responder = async (port: number): Promise<Http01Responder> => {
  const tokens = new Map<string, string>()
  const server: Server = createServer((request, response) => {
    const token = /^\/\.well-known\/acme-challenge\/([^/]+)$/.exec(request.url ?? "")?.[1]
    const keyAuthorization = token === undefined ? undefined : tokens.get(token)
    response.writeHead(keyAuthorization === undefined ? 404 : 200, { "content-type": "text/plain" })
    response.end(keyAuthorization ?? "")
  })
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve))
  return { tokens, close: () => new Promise((resolve) => server.close(() => resolve())) }
}
