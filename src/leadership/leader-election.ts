// Leader election on a coordination.k8s.io Lease, as client-go does it:
// acquire when the Lease is free or expired, renew every retry period, and
// on a failed renewal or another holder stop leading at once. Work that must
// run on one replica only runs in a scope that lives exactly as long as the
// leadership; standbys keep their caches warm meanwhile.
import { Clock, Duration, Effect, Exit, Ref, Scope } from "effect"
import type { Lease } from "../api/core.ts"
import { Leases } from "../api/kinds.ts"
import { ResourceStore } from "../store/resource-store.ts"
import { decideLease, microTime } from "./lease-decision.ts"

export interface LeaseSettings {
  readonly namespace: string
  readonly name: string
  readonly identity: string
  readonly leaseDuration: Duration.Duration
  /** How long the holder keeps trying to renew before giving up (less than leaseDuration). */
  readonly renewDeadline: Duration.Duration
  readonly retryPeriod: Duration.Duration
}

export const defaultLeaseSettings = (identity: string, namespace: string): LeaseSettings => ({
  namespace,
  name: "certops-leader",
  identity,
  leaseDuration: Duration.seconds(15),
  renewDeadline: Duration.seconds(10),
  retryPeriod: Duration.seconds(2),
})

type Attempt = "held" | "held-by-another" | "failed"

/** One attempt to acquire or renew the Lease. */
const tryAcquireOrRenew = (settings: LeaseSettings) =>
  Effect.gen(function* () {
    const store = yield* ResourceStore
    const now = yield* Clock.currentTimeMillis
    const key = { namespace: settings.namespace, name: settings.name }
    const current = yield* store.get(Leases, key).pipe(
      Effect.map((lease): Lease | undefined => lease),
      Effect.catchTag("NotFound", () => Effect.succeed(undefined)),
    )
    const decision = decideLease(current, settings.identity, now)
    const spec = {
      holderIdentity: settings.identity,
      leaseDurationSeconds: Math.round(Duration.toSeconds(settings.leaseDuration)),
      renewTime: microTime(now),
    }
    switch (decision._tag) {
      case "Wait":
        return "held-by-another" as Attempt
      case "Create":
        yield* store.create(Leases, { apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: key, spec: { ...spec, acquireTime: microTime(now), leaseTransitions: 0 } })
        return "held" as Attempt
      case "Renew":
        yield* store.update(Leases, { ...current!, spec: { ...current!.spec, ...spec } })
        return "held" as Attempt
      case "TakeOver":
        yield* Effect.logInfo("taking over the lease", { from: decision.from })
        yield* store.update(Leases, {
          ...current!,
          spec: { ...current!.spec, ...spec, acquireTime: microTime(now), leaseTransitions: (current!.spec?.leaseTransitions ?? 0) + 1 },
        })
        return "held" as Attempt
    }
  }).pipe(Effect.catch(() => Effect.succeed<Attempt>("failed")))

/** Gives the Lease up on shutdown, so that a standby takes over at once instead of after the lease duration. */
const release = (settings: LeaseSettings) =>
  Effect.gen(function* () {
    const store = yield* ResourceStore
    const lease = yield* store.get(Leases, { namespace: settings.namespace, name: settings.name })
    if (lease.spec?.holderIdentity !== settings.identity) return
    yield* store.update(Leases, { ...lease, spec: { ...lease.spec, holderIdentity: "", leaseDurationSeconds: 1 } })
    yield* Effect.logInfo("released the lease", { identity: settings.identity })
  }).pipe(Effect.ignore)

/**
 * Runs `lead` whenever this replica holds the Lease, in a scope closed the
 * moment it stops holding it; `leading` tells the write guard. Runs forever.
 */
export const whileLeading = <E, R>(settings: LeaseSettings, leading: Ref.Ref<boolean>, lead: Effect.Effect<unknown, E, R | Scope.Scope>) =>
  Effect.gen(function* () {
    for (;;) {
      // Standby: try every retry period until the Lease is ours.
      while ((yield* tryAcquireOrRenew(settings)) !== "held") yield* Effect.sleep(settings.retryPeriod)
      yield* Effect.logInfo("leading", { lease: `${settings.namespace}/${settings.name}`, identity: settings.identity })
      yield* Ref.set(leading, true)
      const scope = yield* Scope.make()
      // Interrupted (SIGTERM): stop the work first, then hand the Lease over.
      yield* Effect.addFinalizer(() => Scope.close(scope, Exit.void).pipe(Effect.andThen(Ref.set(leading, false)), Effect.andThen(release(settings))))
      yield* Scope.provide(lead, scope).pipe(Effect.forkDetach)
      // Leading: renew every retry period. Another holder ends it at once;
      // failing renewals end it once they have failed for renewDeadline.
      let lastRenewed = yield* Clock.currentTimeMillis
      for (;;) {
        yield* Effect.sleep(settings.retryPeriod)
        const now = yield* Clock.currentTimeMillis
        const attempt = yield* tryAcquireOrRenew(settings)
        if (attempt === "held") lastRenewed = now
        else if (attempt === "held-by-another" || now - lastRenewed >= Duration.toMillis(settings.renewDeadline)) break
      }
      yield* Ref.set(leading, false)
      yield* Effect.logWarning("lost the lease; stopping all work", { identity: settings.identity })
      yield* Scope.close(scope, Exit.void)
    }
  })
