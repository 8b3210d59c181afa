import { Clock, Effect } from "effect"
import { timestamp } from "../../store/object-semantics.ts"

/** Now as a Kubernetes timestamp (RFC 3339, seconds). */
export const nowTimestamp: Effect.Effect<string> = Effect.map(Clock.currentTimeMillis, timestamp)

export const formatTimestamp = (date: Date | number): string => timestamp(typeof date === "number" ? date : date.getTime())
