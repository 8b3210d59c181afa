// Whether this replica leads: on the embedded store always (one host); in a
// cluster only while it holds the Lease.
import { Context, Effect, Layer, Ref } from "effect"
import { ResourceStore } from "../store/resource-store.ts"
import { guardWrites } from "./write-guard.ts"

export class Leadership extends Context.Service<Leadership, { readonly leading: Ref.Ref<boolean> }>()("certops/leadership/Leadership") {}

export const leadershipLayer = (leadingFromStart: boolean) => Layer.effect(Leadership, Effect.map(Ref.make(leadingFromStart), (leading) => Leadership.of({ leading })))

/** The store everything but the election uses: writes only while leading. */
export const guardedStoreLayer = Layer.effect(
  ResourceStore,
  Effect.gen(function* () {
    const store = yield* ResourceStore
    const { leading } = yield* Leadership
    return ResourceStore.of(guardWrites(store, leading))
  }),
)
