// Runs the issuance controllers over a store layer for tests, with the
// services they need and waits shortened.
import { Duration, Effect, Layer } from "effect"
import { acmeAccountsLayer } from "../../src/acme/accounts.ts"
import { runIssuance } from "../../src/controllers/issuance.ts"
import { defaultIssuanceSettings, IssuanceSettings } from "../../src/settings/issuance-settings.ts"
import { ChallengeSolvers, type ChallengeSolver } from "../../src/solvers/solver.ts"
import { eventRecorderLayer } from "../../src/store/event-recorder.ts"
import type { ResourceStore } from "../../src/store/resource-store.ts"

export const testSettings = (overrides: Partial<IssuanceSettings> = {}): IssuanceSettings => ({
  ...defaultIssuanceSettings,
  selfCheckInterval: Duration.millis(500),
  issuanceBackoffBase: Duration.seconds(2),
  issuanceBackoffMax: Duration.seconds(8),
  ...overrides,
})

const unusedSolver: ChallengeSolver = {
  present: () => Effect.die("no solver in this test"),
  selfCheck: () => Effect.die("no solver in this test"),
  cleanUp: () => Effect.void,
}

export const noSolversLayer = Layer.succeed(ChallengeSolvers, ChallengeSolvers.of({ http01: unusedSolver, dns01: unusedSolver }))

/** The store, the event recorder and ACME accounts, with the given settings. */
export const issuanceLayer = <E, S extends ChallengeSolvers = ChallengeSolvers, E2 = never>(
  store: Layer.Layer<ResourceStore, E>,
  settings: IssuanceSettings,
  solvers: Layer.Layer<S, E2, ResourceStore> = noSolversLayer as unknown as Layer.Layer<S, E2, ResourceStore>,
) => {
  const withSettings = Layer.succeed(IssuanceSettings, settings)
  return Layer.mergeAll(eventRecorderLayer, acmeAccountsLayer, solvers).pipe(Layer.provideMerge(store), Layer.provideMerge(withSettings))
}

/** Starts the controllers in the test's scope. */
export const startIssuance = runIssuance
