// Kubernetes Events for the objects certops manages, counted as Kubernetes
// counts them: the same reason and message for the same object again bumps
// `count` and `lastTimestamp` of one Event instead of adding another.
import { Clock, Context, Effect, Layer } from "effect"
import type { Event } from "../api/core.ts"
import type { KubeObject } from "../api/meta.ts"
import { Events } from "../api/kinds.ts"
import { timestamp } from "./object-semantics.ts"
import { ResourceStore } from "./resource-store.ts"

export type EventType = "Normal" | "Warning"

export interface EventRecorderService {
  /** Best effort, like every Kubernetes event recorder: a failure is logged, never raised. */
  readonly record: (involved: KubeObject, type: EventType, reason: string, message: string) => Effect.Effect<void>
}

export class EventRecorder extends Context.Service<EventRecorder, EventRecorderService>()("certops/store/EventRecorder") {}

export const reportingComponent = "certops"

/** How many distinct events are remembered for counting (client-go keeps 4096 too). */
const rememberedEvents = 4096

interface Seen {
  readonly namespace: string
  readonly name: string
  readonly count: number
}

export const eventRecorderLayer = Layer.effect(
  EventRecorder,
  Effect.gen(function* () {
    const store = yield* ResourceStore
    const seen = new Map<string, Seen>()
    let sequence = 0
    const instance = process.env["HOSTNAME"] ?? "certops"

    const record: EventRecorderService["record"] = (involved, type, reason, message) =>
      Effect.gen(function* () {
        const now = timestamp(yield* Clock.currentTimeMillis)
        const meta = involved.metadata
        const aggregate = [meta.uid ?? `${involved.kind}/${meta.namespace ?? ""}/${meta.name}`, type, reason, message].join("\u0000")
        const previous = seen.get(aggregate)
        if (previous !== undefined) {
          const count = previous.count + 1
          const patched = yield* store
            .patch(Events, { namespace: previous.namespace, name: previous.name }, { count, lastTimestamp: now })
            .pipe(Effect.as(true), Effect.catchTag("NotFound", () => Effect.succeed(false)))
          if (patched) return void seen.set(aggregate, { ...previous, count })
        }
        // Cluster-scoped objects' events live in "default", as client-go puts them.
        const namespace = meta.namespace ?? "default"
        const name = `${meta.name}.${(Date.now() * 1_000 + (sequence++ % 1_000)).toString(16)}`
        const event: Event = {
          apiVersion: "v1",
          kind: "Event",
          metadata: { name, namespace },
          involvedObject: {
            apiVersion: involved.apiVersion,
            kind: involved.kind,
            name: meta.name,
            ...(meta.namespace === undefined ? {} : { namespace: meta.namespace }),
            ...(meta.uid === undefined ? {} : { uid: meta.uid }),
          },
          type,
          reason,
          message,
          count: 1,
          firstTimestamp: now,
          lastTimestamp: now,
          source: { component: reportingComponent },
          reportingComponent,
          reportingInstance: instance,
        }
        yield* store.create(Events, event)
        if (seen.size >= rememberedEvents) seen.delete(seen.keys().next().value!)
        seen.set(aggregate, { namespace, name, count: 1 })
      }).pipe(
        Effect.catch((error) =>
          Effect.logWarning("could not record event", { reason, object: `${involved.kind}/${involved.metadata.name}`, error: error.message }),
        ),
      )

    return EventRecorder.of({ record })
  }),
)
