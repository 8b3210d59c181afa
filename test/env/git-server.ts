// A Git smart-HTTP server: Git's own `git http-backend` (CGI) behind a small
// node:http server with basic auth. Pushes are allowed for authenticated users.
import { spawn } from "node:child_process"
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import { timingSafeEqual } from "node:crypto"
import { Effect, type Scope } from "effect"
import { binaries, requireBinary } from "./binaries.ts"
import { ComponentError } from "./errors.ts"

export interface GitServer {
  /** Base URL; a repository `name.git` under `root` is at `${url}/name.git`. */
  readonly url: string
  readonly root: string
  readonly username: string
  readonly password: string
}

export interface GitServerOptions {
  readonly root: string
  readonly username: string
  readonly password: string
  readonly port?: number
}

const sameText = (a: string, b: string) => {
  const left = Buffer.from(a)
  const right = Buffer.from(b)
  return left.length === right.length && timingSafeEqual(left, right)
}

const authenticatedUser = (request: IncomingMessage, options: GitServerOptions): string | undefined => {
  const header = request.headers.authorization ?? ""
  if (!header.startsWith("Basic ")) return undefined
  const decoded = Buffer.from(header.slice(6), "base64").toString("utf8")
  const colon = decoded.indexOf(":")
  const user = decoded.slice(0, colon)
  const password = decoded.slice(colon + 1)
  return colon > 0 && sameText(user, options.username) && sameText(password, options.password) ? user : undefined
}

/** Splits a CGI response into its header block and the rest of the body. */
const headerEnd = (buffer: Buffer) => {
  const crlf = buffer.indexOf("\r\n\r\n")
  if (crlf >= 0) return { at: crlf, length: 4 }
  const lf = buffer.indexOf("\n\n")
  return lf >= 0 ? { at: lf, length: 2 } : undefined
}

const serveCgi = (git: string, root: string, user: string, request: IncomingMessage, response: ServerResponse) => {
  const url = new URL(request.url ?? "/", "http://git.invalid")
  const child = spawn(git, ["http-backend"], {
    env: {
      PATH: process.env["PATH"] ?? "/usr/bin:/bin",
      GIT_PROJECT_ROOT: root,
      GIT_HTTP_EXPORT_ALL: "1",
      GATEWAY_INTERFACE: "CGI/1.1",
      REQUEST_METHOD: request.method ?? "GET",
      PATH_INFO: decodeURIComponent(url.pathname),
      QUERY_STRING: url.search.slice(1),
      CONTENT_TYPE: request.headers["content-type"] ?? "",
      CONTENT_LENGTH: request.headers["content-length"] ?? "",
      HTTP_CONTENT_ENCODING: request.headers["content-encoding"] ?? "",
      GIT_PROTOCOL: String(request.headers["git-protocol"] ?? ""),
      REMOTE_USER: user,
      REMOTE_ADDR: request.socket.remoteAddress ?? "127.0.0.1",
    },
    stdio: ["pipe", "pipe", "inherit"],
  })
  request.pipe(child.stdin)
  let head = Buffer.alloc(0)
  let headersSent = false
  child.stdout.on("data", (chunk: Buffer) => {
    if (headersSent) return void response.write(chunk)
    head = Buffer.concat([head, chunk])
    const end = headerEnd(head)
    if (end === undefined) return
    let status = 200
    for (const line of head.subarray(0, end.at).toString("latin1").split(/\r?\n/)) {
      const colon = line.indexOf(":")
      const name = line.slice(0, colon).trim()
      const value = line.slice(colon + 1).trim()
      if (name.toLowerCase() === "status") status = Number.parseInt(value, 10)
      else if (name !== "") response.setHeader(name, value)
    }
    response.writeHead(status)
    headersSent = true
    response.write(head.subarray(end.at + end.length))
  })
  child.on("close", (code) => {
    if (!headersSent) response.writeHead(code === 0 ? 200 : 500)
    response.end()
  })
}

export const startGitServer = (options: GitServerOptions): Effect.Effect<GitServer, ComponentError, Scope.Scope> =>
  Effect.gen(function* () {
    const git = yield* requireBinary("git-server", binaries.git)
    const server = createServer((request, response) => {
      const user = authenticatedUser(request, options)
      if (user === undefined) {
        response.writeHead(401, { "WWW-Authenticate": 'Basic realm="certops test git"' })
        return void response.end("authentication required\n")
      }
      serveCgi(git, options.root, user, request, response)
    })
    const port = yield* Effect.acquireRelease(
      Effect.callback<number, ComponentError>((resume) => {
        server.once("error", (error) =>
          resume(Effect.fail(new ComponentError({ component: "git-server", detail: `cannot listen: ${error.message}` }))),
        )
        server.listen(options.port ?? 0, "127.0.0.1", () => {
          const address = server.address()
          resume(Effect.succeed(typeof address === "object" && address !== null ? address.port : 0))
        })
      }),
      () =>
        Effect.callback<void>((resume) => {
          server.close(() => resume(Effect.void))
          server.closeAllConnections()
        }),
    )
    return { url: `http://127.0.0.1:${port}`, root: options.root, username: options.username, password: options.password }
  })
