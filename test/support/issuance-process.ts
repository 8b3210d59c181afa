// The issuance controllers as a process of their own, on the test
// environment named by CERTOPS_TEST_ENV, for tests that kill and restart it.
import { NodeRuntime } from "@effect/platform-node"
import { Effect } from "effect"
import { runIssuance } from "../../src/controllers/issuance.ts"
import type { TestEnvironment } from "../env/environment.ts"
import { e2eLayer, e2eSettings } from "./issuance-e2e.ts"

const env = JSON.parse(process.env["CERTOPS_TEST_ENV"] ?? "{}") as TestEnvironment
const namespace = process.env["CERTOPS_TEST_NAMESPACE"]

runIssuance.pipe(
  Effect.andThen(Effect.logInfo("issuance running")),
  Effect.andThen(Effect.never),
  Effect.scoped,
  // The port is shared with a standby replica's responder when the test runs one.
  Effect.provide(e2eLayer(env, e2eSettings(env, namespace === undefined ? {} : { namespace }), { reusePort: true })),
  NodeRuntime.runMain,
)
