// What the Challenge controller asks of a solver: put the response in place,
// check that it can be seen, and take it away again.
import { Context, Schema, type Effect } from "effect"
import type { Challenge } from "../api/acme-challenge.ts"

export class SolverError extends Schema.TaggedError<SolverError>()("SolverError", {
  solver: Schema.String,
  detail: Schema.String,
  /** False when retrying cannot help (e.g. a missing TSIG Secret until someone creates it). */
  retryable: Schema.Boolean,
}) {
  override get message() {
    return `${this.solver}: ${this.detail}`
  }
}

export type SelfCheckResult = { readonly ok: true } | { readonly ok: false; readonly detail: string }

export interface ChallengeSolver {
  readonly present: (challenge: Challenge) => Effect.Effect<void, SolverError>
  /** Never fails: a failed check is a result with what went wrong. */
  readonly selfCheck: (challenge: Challenge) => Effect.Effect<SelfCheckResult>
  readonly cleanUp: (challenge: Challenge) => Effect.Effect<void, SolverError>
}

export class ChallengeSolvers extends Context.Service<
  ChallengeSolvers,
  { readonly http01: ChallengeSolver; readonly dns01: ChallengeSolver }
>()("certops/solvers/ChallengeSolvers") {}
