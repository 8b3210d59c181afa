// The informer's loop against a scripted list/watch source, on the test
// clock: where each watch resumes, relisting on 410, backoff, Retry-After.
// (test/integration/store/kubernetes.test.ts runs it against a real server.)
import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Option, Queue, Stream, type Cause } from "effect"
import { TestClock } from "effect/testing"
import { Certificates } from "../../../../src/api/kinds.ts"
import type { KubeObject } from "../../../../src/api/meta.ts"
import { KubeApiError } from "../../../../src/store/kubernetes/api-errors.ts"
import { makeInformer } from "../../../../src/store/kubernetes/informer.ts"
import type { ListResult, ListWatch } from "../../../../src/store/kubernetes/list-watch.ts"
import { everything } from "../../../../src/store/kubernetes/selection.ts"
import type { WatchMessage } from "../../../../src/store/kubernetes/wire.ts"
import type { WatchEvent } from "../../../../src/store/resource-store.ts"

const object = (name: string, resourceVersion: string): KubeObject => ({
  apiVersion: "cert-manager.io/v1",
  kind: "Certificate",
  metadata: { name, namespace: "web", uid: `uid-${name}`, resourceVersion },
})

interface Connection {
  readonly resourceVersion: string
  readonly events: Queue.Queue<WatchMessage, KubeApiError | Cause.Done>
}

/** A list/watch source whose every list answer and watch line the test hands out. */
const scriptedSource = Effect.gen(function* () {
  const lists = yield* Queue.unbounded<Effect.Effect<ListResult, KubeApiError>>()
  const connections = yield* Queue.unbounded<Connection>()
  const source: ListWatch = {
    type: Certificates,
    selection: everything,
    list: Effect.flatten(Queue.take(lists)),
    watch: (resourceVersion) =>
      Stream.unwrap(
        Effect.gen(function* () {
          const events = yield* Queue.unbounded<WatchMessage, KubeApiError | Cause.Done>()
          yield* Queue.offer(connections, { resourceVersion, events })
          return Stream.fromQueue(events)
        }),
      ),
  }
  const listed = (items: ReadonlyArray<KubeObject>, resourceVersion: string) => Queue.offer(lists, Effect.succeed({ items, resourceVersion }))
  return { source, lists, connections, listed }
})

const failure = (status: number, retryAfterMillis?: number) =>
  new KubeApiError({ status, reason: "Test", detail: `answered ${status}`, ...(retryAfterMillis === undefined ? {} : { retryAfterMillis }) })

const watching = (stream: Stream.Stream<WatchEvent<KubeObject>, unknown>) =>
  Effect.gen(function* () {
    const seen: Array<string> = []
    yield* Effect.forkScoped(Stream.runForEach(stream, (event) => Effect.sync(() => seen.push(`${event.type} ${event.object.metadata.name}`))))
    return seen
  })

const noConnectionYet = (connections: Queue.Queue<Connection>) =>
  Effect.gen(function* () {
    yield* Effect.yieldNow
    assert.isTrue(Option.isNone(yield* Queue.poll(connections)), "no watch before the backoff is over")
  })

describe("informer", () => {
  it.effect("watches from the list's version and resumes each watch where the last stopped", () =>
    Effect.gen(function* () {
      const { source, connections, listed } = yield* scriptedSource
      yield* listed([object("a", "5")], "10")
      const informer = yield* makeInformer(source)
      yield* informer.synced
      const seen = yield* watching(informer.changes(everything))

      const first = yield* Queue.take(connections)
      assert.strictEqual(first.resourceVersion, "10")
      yield* Queue.offerAll(first.events, [{ type: "MODIFIED", object: object("a", "11") }, { type: "BOOKMARK", resourceVersion: "15" }])
      yield* Queue.end(first.events)

      // The server ended the watch: the next starts at once, from the bookmark.
      const second = yield* Queue.take(connections)
      assert.strictEqual(second.resourceVersion, "15")
      yield* Queue.offer(second.events, { type: "ADDED", object: object("b", "16") })
      yield* Effect.yieldNow
      assert.deepStrictEqual(seen, ["ADDED a", "MODIFIED a", "ADDED b"])
    }),
  )

  it.effect("lists again after a 410 and tells watchers what changed meanwhile", () =>
    Effect.gen(function* () {
      const { source, connections, listed } = yield* scriptedSource
      yield* listed([object("a", "5"), object("b", "6")], "10")
      const informer = yield* makeInformer(source)
      const seen = yield* watching(informer.changes(everything))
      const first = yield* Queue.take(connections)
      yield* Queue.fail(first.events, failure(410))

      yield* listed([object("b", "6"), object("c", "18")], "20")
      const second = yield* Queue.take(connections)
      assert.strictEqual(second.resourceVersion, "20")
      assert.deepStrictEqual(seen, ["ADDED a", "ADDED b", "ADDED c", "DELETED a"])
      assert.deepStrictEqual(informer.list(everything).map((o) => o.metadata.name), ["b", "c"])
    }),
  )

  it.effect("reconnects with a growing, jittered backoff that waits out Retry-After", () =>
    Effect.gen(function* () {
      const { source, connections, listed } = yield* scriptedSource
      yield* listed([], "10")
      yield* makeInformer(source)
      const first = yield* Queue.take(connections)
      yield* Queue.fail(first.events, failure(0))

      // 250 ms ±20%.
      yield* TestClock.adjust("199 millis")
      yield* noConnectionYet(connections)
      yield* TestClock.adjust("102 millis")
      const second = yield* Queue.take(connections)
      assert.strictEqual(second.resourceVersion, "10")

      // 500 ms ±20% would be next, but the server asked for 5 s.
      yield* Queue.fail(second.events, failure(429, 5000))
      yield* TestClock.adjust("4999 millis")
      yield* noConnectionYet(connections)
      yield* TestClock.adjust("1 millis")
      yield* Queue.take(connections)
    }),
  )

  it.effect("counts a watch that closes at once with nothing in it as a failure", () =>
    Effect.gen(function* () {
      const { source, connections, listed } = yield* scriptedSource
      yield* listed([], "10")
      yield* makeInformer(source)
      yield* Queue.end((yield* Queue.take(connections)).events)
      yield* noConnectionYet(connections)
      yield* TestClock.adjust("301 millis")
      yield* Queue.take(connections)
    }),
  )

  it.effect("makes a read wait for the first list, and says why it never came", () =>
    Effect.gen(function* () {
      const { source, lists } = yield* scriptedSource
      yield* Queue.offer(lists, Effect.fail(failure(403)))
      const informer = yield* makeInformer(source, { syncTimeout: "30 seconds" })
      const read = yield* Effect.forkChild(informer.synced.pipe(Effect.flip))
      yield* TestClock.adjust("30 seconds")
      const error = yield* Fiber.join(read)
      assert.strictEqual(error._tag, "Forbidden")
    }),
  )
})
