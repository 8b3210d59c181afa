import type { AcmeAccounts } from "../acme/accounts.ts"
import type { ChallengeSolvers } from "../solvers/solver.ts"
import type { EventRecorder } from "../store/event-recorder.ts"
import type { ResourceStore } from "../store/resource-store.ts"

/** What the issuance controllers run on; every one is a Layer swapped in tests. */
export type ControllerServices = ResourceStore | EventRecorder | AcmeAccounts | ChallengeSolvers
