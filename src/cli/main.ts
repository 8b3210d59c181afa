// The `certops` command.
import { NodeRuntime, NodeServices } from "@effect/platform-node"
import { Cause, Console, Effect, Exit, Runtime } from "effect"
import { Command } from "effect/cli"
import { describeClusterAccess, detectCluster } from "../settings/cluster-detection.ts"
import { check } from "./check.ts"
import { admission } from "./admission.ts"
import { approve, deny } from "./approve.ts"
import { crds } from "./crds.ts"
import { planCommand } from "./plan.ts"
import { run } from "./run.ts"
import { libraryVersions } from "./library-versions.ts"
import { status } from "./status.ts"
import { version } from "../version.ts"

const about = Effect.gen(function* () {
  yield* Console.log(`certops ${version}`)
  yield* Console.log(`node     ${process.versions.node}`)
  yield* Console.log(`store    ${describeClusterAccess(detectCluster())}`)
  for (const [name, libraryVersion] of libraryVersions()) yield* Console.log(`library  ${name} ${libraryVersion}`)
})

const certops = Command.make("certops", {}, () => about).pipe(
  Command.withDescription("GitOps reconciler for TLS certificates"),
  Command.withSubcommands([admission, approve, check, crds, deny, planCommand, run, status]),
)

// Ctrl-C and SIGTERM are how the daemon is meant to stop: after a graceful
// shutdown that is a clean exit, not the 130 of an interrupted program.
const teardown: Runtime.Teardown = (exit, onExit) =>
  Exit.isFailure(exit) && Cause.hasInterruptsOnly(exit.cause) ? onExit(0) : Runtime.defaultTeardown(exit, onExit)

certops.pipe(Command.run({ version }), Effect.provide(NodeServices.layer), NodeRuntime.runMain({ teardown }))
