// Which key authorization answers which HTTP-01 token, kept from a watch of
// every Challenge in the store. Fed by the store rather than by present, so
// whichever replica an ACME server's request reaches answers any Challenge's
// token, not only the ones that replica presented.
import { Context, Effect, Layer, Option, Schedule, Stream, SubscriptionRef } from "effect"
import type { Challenge } from "../../api/acme-challenge.ts"
import { Challenges } from "../../api/kinds.ts"
import { ResourceStore, type WatchEvent } from "../../store/resource-store.ts"

interface Entry {
  readonly key: string
  /** namespace/name of the Challenge the token belongs to. */
  readonly challenge: string
}

type Tokens = ReadonlyMap<string, Entry>

export class Http01TokenIndex extends Context.Service<
  Http01TokenIndex,
  {
    /** The key authorization to serve for token, if an HTTP-01 Challenge in the store has that token. */
    readonly lookup: (token: string) => Effect.Effect<Option.Option<string>>
    /** Completes once lookup(challenge's token) gives the Challenge's key. */
    readonly awaitServed: (challenge: Challenge) => Effect.Effect<void>
  }
>()("certops/solvers/http01/Http01TokenIndex") {}

const challengeId = (challenge: Challenge) => `${challenge.metadata.namespace ?? ""}/${challenge.metadata.name}`

/** The index after one watch event. */
export const applyWatchEvent = (tokens: Tokens, event: WatchEvent<Challenge>): Tokens => {
  const { spec } = event.object
  if (spec.type !== "HTTP-01") return tokens
  const id = challengeId(event.object)
  const next = new Map(tokens)
  if (event.type !== "DELETED") next.set(spec.token, { key: spec.key, challenge: id })
  // Only the token's own Challenge takes it away.
  else if (tokens.get(spec.token)?.challenge === id) next.delete(spec.token)
  return next
}

/** After a watch failure: 1 s, 2 s, 4 s … at most 30 s between tries, for as long as it takes. */
const rewatch = Schedule.min([Schedule.exponential("1 second"), Schedule.spaced("30 seconds")])

export const http01TokenIndexLayer: Layer.Layer<Http01TokenIndex, never, ResourceStore> = Layer.effect(
  Http01TokenIndex,
  Effect.gen(function* () {
    const store = yield* ResourceStore
    const tokens = yield* SubscriptionRef.make<Tokens>(new Map())

    // A restarted watch replays every Challenge as ADDED; a Challenge deleted
    // while it was down keeps its entry, which only serves a stale key
    // authorization for a token nobody asks for any more.
    yield* store.watch(Challenges).pipe(
      Stream.runForEach((event) => SubscriptionRef.update(tokens, (current) => applyWatchEvent(current, event))),
      Effect.tapError((error) => Effect.logWarning("HTTP-01 token index: the Challenge watch failed; watching again", { error: error.message })),
      Effect.retry(rewatch),
      Effect.forkScoped,
    )

    return Http01TokenIndex.of({
      lookup: (token) => SubscriptionRef.get(tokens).pipe(Effect.map((current) => Option.fromUndefinedOr(current.get(token)?.key))),
      awaitServed: (challenge) =>
        SubscriptionRef.changes(tokens).pipe(
          Stream.filter((current) => current.get(challenge.spec.token)?.key === challenge.spec.key),
          Stream.runHead,
          Effect.asVoid,
        ),
    })
  }),
)
