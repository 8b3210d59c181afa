// A real KubeClient that tallies the requests it sends, "VERB resource[/sub]",
// so that a test can hold certops to its apiserver request budget without
// reading the apiserver's global counters (which every client moves).
import { Effect, Layer, Stream } from "effect"
import { KubeClient, loadKubeConfig, makeKubeClient, type KubeRequest } from "../../src/store/kubernetes/client.ts"

export interface RequestTally {
  readonly counts: Map<string, number>
  readonly reset: () => void
  readonly total: (filter?: (key: string) => boolean) => number
}

/** "GET secrets", "PUT challenges/status", "WATCH orders" from a request's method and path. */
export const requestKey = (request: KubeRequest, streaming: boolean): string => {
  const segments = request.path.split("/").filter((segment) => segment !== "")
  const scoped = segments.slice(segments[0] === "api" ? 2 : 3)
  const withinNamespace = scoped[0] === "namespaces" && scoped.length > 2 ? scoped.slice(2) : scoped
  const [resource = "?", , subresource] = withinNamespace
  const verb = streaming ? "WATCH" : request.method === "GET" && withinNamespace.length === 1 ? "LIST" : request.method
  return `${verb} ${resource}${subresource === undefined ? "" : `/${subresource}`}`
}

export const makeRequestTally = (): RequestTally => {
  const counts = new Map<string, number>()
  return {
    counts,
    reset: () => counts.clear(),
    total: (filter = () => true) => [...counts].filter(([key]) => filter(key)).reduce((sum, [, count]) => sum + count, 0),
  }
}

export const countingKubeClientLayer = (kubeconfigPath: string, tally: RequestTally) =>
  Layer.effect(
    KubeClient,
    Effect.map(loadKubeConfig(kubeconfigPath), (config) => {
      const client = makeKubeClient(config)
      const note = (key: string) => tally.counts.set(key, (tally.counts.get(key) ?? 0) + 1)
      return KubeClient.of({
        server: client.server,
        request: (request) => Effect.suspend(() => (note(requestKey(request, false)), client.request(request))),
        stream: (request) => Stream.suspend(() => (note(requestKey(request, true)), client.stream(request))),
      })
    }),
  )
