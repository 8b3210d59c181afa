// The challenge scheduler (DESIGN.md §1): keeps a view of every Challenge from
// the store's watch and, whenever one changes, starts the oldest queued ones
// that fit — at most the configured number processing, never two for one
// (dnsName, type). Event-driven: a freed slot is refilled at once.
//
// Starting a challenge is a decision in memory that wakes the challenge's
// fiber; the challenge writes `processing: true` itself, together with
// `presented: true`, in one status write. Until that write is seen the grant
// counts as processing here, so the limit holds; a grant lost in a crash is
// simply made again.
import { Cause, Effect, Queue, Schedule, Stream, type Scope } from "effect"
import type { Challenge } from "../api/acme-challenge.ts"
import { Challenges } from "../api/kinds.ts"
import { objectKeyString } from "../runtime/reconciler.ts"
import { keyOf, ResourceStore, type ObjectKey } from "../store/resource-store.ts"
import { decide, isFinal, type ChallengeSlot } from "./decide.ts"

export const slotOf = (challenge: Challenge, granted = false): ChallengeSlot => ({
  key: objectKeyString(keyOf(challenge)),
  dnsName: challenge.spec.dnsName,
  type: challenge.spec.type,
  createdAt: Date.parse(challenge.metadata.creationTimestamp ?? "") || 0,
  processing: granted || challenge.status?.processing === true,
  ...(challenge.status?.state === undefined ? {} : { state: challenge.status.state }),
})

export interface ChallengeScheduler {
  /** Whether the challenge may be processed now: it holds a slot, granted here or recorded in its status. */
  readonly holds: (challenge: Challenge) => boolean
  /** Follows the Challenges and grants slots, waking each challenge it starts; runs for the scope. */
  readonly run: (options: {
    readonly limit: number
    readonly namespace?: string
    readonly wake: (key: ObjectKey) => Effect.Effect<void>
  }) => Effect.Effect<void, never, ResourceStore | Scope.Scope>
}

export const makeChallengeScheduler = (): ChallengeScheduler => {
  /** Granted in memory, `processing: true` not yet seen in the store. */
  const granted = new Set<string>()
  const slots = new Map<string, ChallengeSlot>()

  const holds = (challenge: Challenge) => challenge.status?.processing === true || granted.has(objectKeyString(keyOf(challenge)))

  const run: ChallengeScheduler["run"] = ({ limit, namespace, wake }) =>
    Effect.gen(function* () {
      const store = yield* ResourceStore
      const changed = yield* Queue.sliding<void>(1)

      const schedule = Effect.gen(function* () {
        yield* Queue.take(changed)
        const chosen = decide(slots.values(), limit)
        for (const slot of chosen) {
          granted.add(slot.key)
          // Counted as running at once, before the challenge writes it.
          slots.set(slot.key, { ...slot, processing: true })
        }
        yield* Effect.forEach(
          chosen,
          (slot) => {
            const [space = "", name = ""] = slot.key.split("/")
            return wake({ namespace: space, name })
          },
          { discard: true },
        )
      }).pipe(Effect.forever)

      const follow = store.watch(Challenges, namespace === undefined ? {} : { namespace }).pipe(
        Stream.runForEach((event) =>
          Effect.gen(function* () {
            const key = objectKeyString(keyOf(event.object))
            if (event.type === "DELETED") {
              slots.delete(key)
              granted.delete(key)
            } else {
              const slot = slotOf(event.object, granted.has(key))
              // Recorded in the store (or over): the grant has served its purpose.
              if (event.object.status?.processing === true || isFinal(slot)) granted.delete(key)
              slots.set(key, slotOf(event.object, granted.has(key)))
            }
            yield* Queue.offer(changed, undefined)
          }),
        ),
        Effect.tapCause((cause) => Effect.logWarning("scheduler: challenge watch ended; restarting", { cause: Cause.pretty(cause) })),
        Effect.retry(Schedule.spaced("1 second")),
        Effect.forever,
      )

      yield* Effect.forkScoped(follow)
      yield* Effect.forkScoped(schedule)
    })

  return { holds, run }
}
