// The two requests an informer is made of, for one kind and selection: a
// consistent list (all pages at one resourceVersion) and a watch from a
// resourceVersion. Kept apart from the informer so that a test can put
// itself between the informer and a real API server.
import { Duration, Effect, Random, Stream } from "effect"
import type { KubeObject } from "../../api/meta.ts"
import type { ResourceType } from "../../api/resource-type.ts"
import type { KubeApiError } from "./api-errors.ts"
import type { KubeClientService } from "./client.ts"
import { collectionPath } from "./paths.ts"
import type { Selection } from "./selection.ts"
import { decodeListPage, decodeWatchMessage, type WatchMessage } from "./wire.ts"

export interface ListResult {
  readonly items: ReadonlyArray<KubeObject>
  readonly resourceVersion: string
}

export interface ListWatch {
  readonly type: ResourceType<any>
  readonly selection: Selection
  readonly list: Effect.Effect<ListResult, KubeApiError>
  /** Changes after `resourceVersion`; ends when the server closes the watch (after a few minutes). */
  readonly watch: (resourceVersion: string) => Stream.Stream<WatchMessage, KubeApiError>
}

export interface ListWatchOptions {
  /** Objects per list page. */
  readonly pageSize?: number
}

/**
 * The server ends each watch after a random 2.5 to 4.5 minutes (client-go
 * picks 5 to 10): below undici's 5-minute body timeout, since a quiet watch
 * sends nothing but the bookmark just before its end.
 */
const watchSeconds = { min: 150, max: 270 } as const
/** No line for this long past the server's deadline: the connection is dead. */
const silenceGrace = Duration.seconds(30)

export const makeListWatch = (
  client: KubeClientService,
  type: ResourceType<any>,
  selection: Selection,
  options: ListWatchOptions = {},
): ListWatch => {
  const path = collectionPath(type, selection.namespace)
  const labelSelector = selection.labelSelector

  const page = (token: string | undefined) =>
    client
      .request({ method: "GET", path, query: { labelSelector, limit: String(options.pageSize ?? 500), continue: token } })
      .pipe(Effect.flatMap((body) => decodeListPage(type, body)))

  // Every page after the first is served at the first page's resourceVersion.
  const list = Effect.gen(function* () {
    const first = yield* page(undefined)
    const items = [...first.items]
    let token = first.continue
    while (token !== undefined) {
      const next = yield* page(token)
      items.push(...next.items)
      token = next.continue
    }
    return { items, resourceVersion: first.resourceVersion }
  })

  const watch = (resourceVersion: string) =>
    Stream.unwrap(
      Effect.map(Random.nextIntBetween(watchSeconds.min, watchSeconds.max), (seconds) =>
        client
          .stream({
            method: "GET",
            path,
            query: {
              watch: "true",
              resourceVersion,
              allowWatchBookmarks: "true",
              timeoutSeconds: String(seconds),
              labelSelector,
            },
          })
          .pipe(
            Stream.mapEffect((line) => decodeWatchMessage(type, line)),
            Stream.timeout(Duration.sum(Duration.seconds(seconds), silenceGrace)),
          ),
      ),
    )

  return { type, selection, list, watch }
}
