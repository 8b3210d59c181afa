// The issuance controllers as a process of their own, on the test
// environment named by CERTOPS_TEST_ENV, for tests that kill and restart it.
import { NodeRuntime } from "@effect/platform-node"
import { Effect } from "effect"
import { runIssuance } from "../../src/controllers/issuance.ts"
import type { TestEnvironment } from "../env/environment.ts"
import { e2eLayer, e2eSettings } from "./issuance-e2e.ts"

const env = JSON.parse(process.env["CERTOPS_TEST_ENV"] ?? "{}") as TestEnvironment
const namespace = process.env["CERTOPS_TEST_NAMESPACE"]
// Where this process's own HTTP-01 responder listens, when a test serves the
// ACME server's validations from a responder of its own (0: any free port).
const solverPortSetting = process.env["CERTOPS_TEST_HTTP01_PORT"]
const solverPort = solverPortSetting === undefined ? {} : { http01SolverPort: Number(solverPortSetting) }

runIssuance.pipe(
  Effect.andThen(Effect.logInfo("issuance running")),
  Effect.andThen(Effect.never),
  Effect.scoped,
  Effect.provide(e2eLayer(env, e2eSettings(env, { ...(namespace === undefined ? {} : { namespace }), ...solverPort }))),
  NodeRuntime.runMain,
)
