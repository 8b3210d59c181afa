// What the test environment's webhook solver was asked: its log of calls,
// one entry per Present or CleanUp, failed or not.
import type { TestEnvironment } from "../env/environment.ts"

export interface SolverCall {
  readonly action: "Present" | "CleanUp"
  readonly uid: string
  readonly dnsName: string
  readonly resolvedFQDN: string
  readonly resolvedZone: string
  readonly key: string
  readonly resourceNamespace: string
  readonly config: Record<string, unknown>
  readonly success: boolean
  readonly error?: string
}

export const solverCalls = async (env: TestEnvironment): Promise<ReadonlyArray<SolverCall>> =>
  (await (await fetch(env.webhookSolver.callsUrl)).json()) as ReadonlyArray<SolverCall>
