// The one way a reconciler writes its object's status: not at all when
// nothing changed, and, when it did, with the written version made known to
// the runtime, so that the watch echo of certops' own write does not wake the
// object for another pass.
import { Context, Effect, Option } from "effect"
import type { KubeObject } from "../api/meta.ts"
import type { ResourceType } from "../api/resource-type.ts"
import type { WriteError } from "../store/errors.ts"
import { ResourceStore } from "../store/resource-store.ts"

/** Told of every version of the primary object the running pass wrote itself. */
export class OwnWrites extends Context.Service<OwnWrites, { readonly wrote: (object: KubeObject) => void }>()("certops/runtime/OwnWrites") {}

/** JSON equality: key order and undefined-valued keys do not count, as on the wire. */
export const sameJson = (left: unknown, right: unknown): boolean => canonical(left) === canonical(right)

const canonical = (value: unknown): string =>
  JSON.stringify(value, (_key, item: unknown) =>
    item !== null && typeof item === "object" && !Array.isArray(item)
      ? Object.fromEntries(Object.entries(item as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : item,
  ) ?? "undefined"

type WithStatus = KubeObject & { readonly status?: unknown }

/** Writes `status` unless the object already has it; returns the object as the store now holds it. */
export const writeStatus = <A extends WithStatus>(type: ResourceType<A>, object: A, status: A["status"]): Effect.Effect<A, WriteError, ResourceStore> =>
  sameJson(object.status ?? {}, status ?? {})
    ? Effect.succeed(object)
    : Effect.gen(function* () {
        const store = yield* ResourceStore
        const written = yield* store.updateStatus(type, { ...object, status })
        const own = yield* Effect.serviceOption(OwnWrites)
        if (Option.isSome(own)) own.value.wrote(written)
        return written
      })
