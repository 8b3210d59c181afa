// The Events about one object, as `kubectl describe` picks them: those whose
// involvedObject is the object, newest last, with Kubernetes' own counting.
import type { Event } from "../../api/core.ts"
import type { KubeObject } from "../../api/meta.ts"
import type { EventSummary } from "./model.ts"

/** How many Events to show per object; older ones add little once a newer one says where things stand. */
export const eventsPerObject = 5

const lastSeen = (event: Event): string | undefined => event.lastTimestamp ?? event.eventTime ?? event.firstTimestamp ?? event.metadata.creationTimestamp

const isAbout = (event: Event, object: KubeObject): boolean => {
  const involved = event.involvedObject
  if (involved.kind !== object.kind || involved.name !== object.metadata.name) return false
  if (involved.namespace !== undefined && involved.namespace !== (object.metadata.namespace ?? involved.namespace)) return false
  // A deleted and recreated object has the same name; its predecessor's Events are not its own.
  return involved.uid === undefined || object.metadata.uid === undefined || involved.uid === object.metadata.uid
}

const timeOf = (event: Event) => Date.parse(lastSeen(event) ?? "") || 0

export const eventsAbout = (events: ReadonlyArray<Event>, object: KubeObject): ReadonlyArray<EventSummary> =>
  events
    .filter((event) => isAbout(event, object))
    .sort((left, right) => timeOf(left) - timeOf(right))
    .slice(-eventsPerObject)
    .map((event) => {
      // events.k8s.io-style Events carry eventTime and series instead of the timestamps and count.
      const first = event.firstTimestamp ?? event.eventTime ?? undefined
      const last = lastSeen(event)
      return {
        type: event.type ?? "Normal",
        reason: event.reason ?? "",
        message: event.message ?? "",
        count: event.series?.count ?? event.count ?? 1,
        ...(first === undefined ? {} : { firstTimestamp: first }),
        ...(last === undefined ? {} : { lastTimestamp: last }),
      }
    })
