// The daemon's observability endpoints on their own port: /metrics for
// Prometheus, /livez and /readyz for the kubelet's probes, 404 for anything
// else. Kept off the webhook's port so that probes and scrapes never queue
// behind Git pushes, and so the port can stay cluster-internal.
import { createServer } from "node:http"
import { NodeHttpServer } from "@effect/platform-node"
import { Context, Duration, Effect, Layer } from "effect"
import { HttpRouter, HttpServer, type HttpServerError, HttpServerResponse } from "effect/http"
import type { ResourceStore } from "../store/resource-store.ts"
import { exposition } from "../metrics/exposition.ts"
import { scrapeMetrics, type MetricsSources } from "./metrics.ts"
import { formatCheckResults, runChecks, storeAnswers, type ReadinessCheck } from "./readiness.ts"

export class ObservabilityServer extends Context.Service<
  ObservabilityServer,
  {
    /** Where the server listens (the port the OS chose, when asked for port 0). */
    readonly host: string
    readonly port: number
  }
>()("certops/observability/ObservabilityServer") {}

export interface ObservabilityServerOptions {
  /** 127.0.0.1 unless given: metrics are not for the world. In a pod, 0.0.0.0. */
  readonly host?: string
  /** 8080 unless given; 0 lets the OS choose (tests). */
  readonly port?: number
  /** What /readyz requires; the store answering unless given. */
  readonly readiness?: ReadonlyArray<ReadinessCheck<ResourceStore>>
}

export const defaultObservabilityAddress = { host: "127.0.0.1", port: 8080 } as const

/** Below Prometheus' default 10 s scrape timeout, so that the 503 and its reason reach the scraper. */
const scrapeTimeout = Duration.seconds(5)

const text = (body: string, status = 200) => HttpServerResponse.text(body, { status })

const metrics = scrapeMetrics.pipe(
  Effect.mapError((error) => error.message),
  Effect.timeoutOrElse({ duration: scrapeTimeout, orElse: () => Effect.fail(`the store gave no answer within ${Duration.format(scrapeTimeout)}`) }),
  Effect.match({
    onSuccess: (body) => HttpServerResponse.text(body, { contentType: exposition.contentType }),
    // An honest failed scrape (up == 0) rather than a partial page that hides the Certificates.
    onFailure: (reason) => text(`metrics unavailable: ${reason}\n`, 503),
  }),
)

const readyz = (checks: ReadonlyArray<ReadinessCheck<ResourceStore>>) =>
  Effect.map(runChecks(checks), (results) =>
    results.every(({ failure }) => failure === undefined) ? text("ok") : text(formatCheckResults(results), 503),
  )

/** The routes alone, for a server that also serves other things. */
export const observabilityRoutes = (checks: ReadonlyArray<ReadinessCheck<ResourceStore>>) =>
  Layer.mergeAll(
    HttpRouter.add("GET", "/metrics", metrics),
    HttpRouter.add("GET", "/livez", text("ok")),
    HttpRouter.add("GET", "/readyz", readyz(checks)),
  )

/** Serves the observability routes on host:port for as long as the layer lives. */
export const observabilityServerLayer = (
  options: ObservabilityServerOptions = {},
): Layer.Layer<ObservabilityServer, HttpServerError.ServeError, MetricsSources> => {
  const host = options.host ?? defaultObservabilityAddress.host
  const port = options.port ?? defaultObservabilityAddress.port
  const checks = options.readiness ?? [storeAnswers]
  // Probes every few seconds and scrapes every 15 s would drown the log; a failure says why in its response.
  const serve = HttpRouter.serve(observabilityRoutes(checks), { disableLogger: true, disableListenLog: true })
  const address = Layer.effect(
    ObservabilityServer,
    Effect.gen(function* () {
      const server = yield* HttpServer.HttpServer
      const bound = "port" in server.address ? server.address.port : port
      yield* Effect.logInfo("observability server listening", { host, port: bound })
      return ObservabilityServer.of({ host, port: bound })
    }),
  )
  return Layer.mergeAll(serve, address).pipe(Layer.provide(NodeHttpServer.layer(createServer, { host, port })))
}
