// Only the leader writes. Every store write checks leadership first, so
// losing the Lease stops writes at once, even those of fibers not yet
// interrupted. The Lease itself is exempt: the election writes it.
import { Effect, Ref } from "effect"
import { Leases } from "../api/kinds.ts"
import type { ResourceType } from "../api/resource-type.ts"
import { StoreUnavailable } from "../store/errors.ts"
import type { ResourceStoreService } from "../store/resource-store.ts"

export const guardWrites = (store: ResourceStoreService, leading: Ref.Ref<boolean>): ResourceStoreService => {
  const guarded =
    <Args extends ReadonlyArray<unknown>, A, E>(operation: string, write: (type: ResourceType<any>, ...args: Args) => Effect.Effect<A, E>) =>
    (type: ResourceType<any>, ...args: Args): Effect.Effect<A, E | StoreUnavailable> =>
      type === Leases
        ? write(type, ...args)
        : Effect.flatMap(Ref.get(leading), (isLeader): Effect.Effect<A, E | StoreUnavailable> =>
            isLeader ? write(type, ...args) : Effect.fail(new StoreUnavailable({ operation, detail: "not the leader: writes are off", retryable: true })),
          )
  return {
    ...store,
    create: guarded("create", store.create) as ResourceStoreService["create"],
    update: guarded("update", store.update) as ResourceStoreService["update"],
    updateStatus: guarded("updateStatus", store.updateStatus) as ResourceStoreService["updateStatus"],
    patch: guarded("patch", store.patch) as ResourceStoreService["patch"],
    delete: guarded("delete", store.delete) as ResourceStoreService["delete"],
  }
}
