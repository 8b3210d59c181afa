// Readiness probes. A probe answers true or false and never fails: "not yet"
// is the normal state while a component starts.
import { request as httpRequest } from "node:http"
import { request as httpsRequest, type RequestOptions } from "node:https"
import { Effect } from "effect"

export interface TlsOptions {
  readonly ca?: string
  readonly cert?: string
  readonly key?: string
}

/** GETs a URL and hands status and body to `accept`. */
export const httpProbe = (
  url: string,
  accept: (status: number, body: string) => boolean,
  tls: TlsOptions = {},
): Effect.Effect<boolean> =>
  Effect.callback<boolean>((resume) => {
    const options: RequestOptions = { method: "GET", timeout: 2_000, ...tls }
    const request = (url.startsWith("https:") ? httpsRequest : httpRequest)(url, options, (response) => {
      let body = ""
      response.setEncoding("utf8")
      response.on("data", (chunk: string) => (body += chunk))
      response.on("end", () => resume(Effect.succeed(accept(response.statusCode ?? 0, body))))
      response.on("error", () => resume(Effect.succeed(false)))
    })
    request.on("timeout", () => request.destroy())
    request.on("error", () => resume(Effect.succeed(false)))
    request.end()
  })
