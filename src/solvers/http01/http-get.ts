// One plain-HTTP GET, optionally to an address resolved elsewhere (the
// self-check nameservers) with the Host header naming the site. The thin
// adapter around node:http for the HTTP-01 self check.
import { request } from "node:http"
import { Duration, Effect, Schema } from "effect"

export class HttpGetError extends Schema.TaggedError<HttpGetError>()("HttpGetError", {
  detail: Schema.String,
}) {
  override get message() {
    return this.detail
  }
}

export interface HttpGet {
  /** What to connect to: a name for the system resolver, or an address. */
  readonly connectTo: string
  readonly port: number
  readonly path: string
  /** The Host header: the site's name, whatever address is connected to. */
  readonly hostHeader: string
  readonly timeout: Duration.Input
  /** Bytes of body kept; the rest is not read. */
  readonly maxBodyBytes: number
}

export interface HttpGetResponse {
  readonly status: number
  readonly body: Buffer
}

export const httpGet = (get: HttpGet): Effect.Effect<HttpGetResponse, HttpGetError> =>
  Effect.callback<HttpGetResponse, HttpGetError>((resume) => {
    const outgoing = request(
      // No keep-alive agent: one request, then the connection goes.
      { host: get.connectTo, port: get.port, path: get.path, headers: { host: get.hostHeader, "user-agent": "certops" }, agent: false },
      (response) => {
        const chunks: Array<Buffer> = []
        let received = 0
        const done = () => {
          resume(Effect.succeed({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).subarray(0, get.maxBodyBytes) }))
          response.destroy()
        }
        response.on("data", (chunk: Buffer) => {
          chunks.push(chunk)
          received += chunk.length
          if (received >= get.maxBodyBytes) done()
        })
        response.on("end", done)
        response.on("error", (error) => resume(Effect.fail(new HttpGetError({ detail: error.message }))))
      },
    )
    outgoing.on("error", (error) => resume(Effect.fail(new HttpGetError({ detail: error.message }))))
    outgoing.end()
    return Effect.sync(() => outgoing.destroy())
  }).pipe(
    Effect.timeoutOrElse({
      duration: get.timeout,
      orElse: () => Effect.fail(new HttpGetError({ detail: `no response within ${Duration.format(Duration.fromInputUnsafe(get.timeout))}` })),
    }),
  )
