// The challenge scheduler (DESIGN.md §1): keeps a view of every Challenge from
// the store's watch and, whenever one changes, starts the oldest queued ones
// that fit — at most the configured number processing, never two for one
// (dnsName, type). Event-driven: a freed slot is refilled at once.
import { Cause, Effect, Queue, Schedule, Stream, type Scope } from "effect"
import type { Challenge } from "../api/acme-challenge.ts"
import { Challenges } from "../api/kinds.ts"
import { IssuanceSettings } from "../settings/issuance-settings.ts"
import { EventRecorder } from "../store/event-recorder.ts"
import { keyOf, ResourceStore } from "../store/resource-store.ts"
import { objectKeyString } from "../runtime/reconciler.ts"
import { decide, isFinal, type ChallengeSlot } from "./decide.ts"

export const slotOf = (challenge: Challenge): ChallengeSlot => ({
  key: objectKeyString(keyOf(challenge)),
  dnsName: challenge.spec.dnsName,
  type: challenge.spec.type,
  createdAt: Date.parse(challenge.metadata.creationTimestamp ?? "") || 0,
  processing: challenge.status?.processing === true,
  ...(challenge.status?.state === undefined ? {} : { state: challenge.status.state }),
})

export const runChallengeScheduler: Effect.Effect<void, never, ResourceStore | EventRecorder | Scope.Scope> = Effect.gen(function* () {
  const store = yield* ResourceStore
  const events = yield* EventRecorder
  const settings = yield* IssuanceSettings
  const slots = new Map<string, ChallengeSlot>()
  const changed = yield* Queue.sliding<void>(1)

  const start = (slot: ChallengeSlot) =>
    Effect.gen(function* () {
      const [namespace = "", name = ""] = slot.key.split("/")
      const challenge = yield* store.get(Challenges, { namespace, name })
      if (challenge.status?.processing === true || isFinal(slotOf(challenge))) return
      yield* store.updateStatus(Challenges, { ...challenge, status: { ...challenge.status, processing: true } })
      // Counted as running at once, before the watch reports the write.
      slots.set(slot.key, { ...slot, processing: true })
      yield* events.record(challenge, "Normal", "Started", "Challenge scheduled for processing")
    }).pipe(Effect.catch((error) => Effect.logWarning("scheduler: could not start challenge", { challenge: slot.key, error: error.message })))

  const schedule = Effect.gen(function* () {
    yield* Queue.take(changed)
    const chosen = decide(slots.values(), settings.maxConcurrentChallenges)
    yield* Effect.forEach(chosen, start, { discard: true })
  }).pipe(Effect.forever)

  const follow = store.watch(Challenges, settings.namespace === undefined ? {} : { namespace: settings.namespace }).pipe(
    Stream.runForEach((event) =>
      Effect.gen(function* () {
        const key = objectKeyString(keyOf(event.object))
        if (event.type === "DELETED") slots.delete(key)
        else slots.set(key, slotOf(event.object))
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
