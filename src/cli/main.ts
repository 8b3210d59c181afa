// The `certops` command.
import { NodeRuntime, NodeServices } from "@effect/platform-node"
import { Console, Effect } from "effect"
import { Command } from "effect/cli"
import { describeClusterAccess, detectCluster } from "../daemon/cluster-detection.ts"
import { check } from "./check.ts"
import { crds } from "./crds.ts"
import { libraryVersions } from "./library-versions.ts"
import { version } from "../version.ts"

const about = Effect.gen(function* () {
  yield* Console.log(`certops ${version}`)
  yield* Console.log(`node     ${process.versions.node}`)
  yield* Console.log(`store    ${describeClusterAccess(detectCluster())}`)
  for (const [name, libraryVersion] of libraryVersions()) yield* Console.log(`library  ${name} ${libraryVersion}`)
})

const certops = Command.make("certops", {}, () => about).pipe(
  Command.withDescription("GitOps reconciler for TLS certificates"),
  Command.withSubcommands([check, crds]),
)

certops.pipe(Command.run({ version }), Effect.provide(NodeServices.layer), NodeRuntime.runMain)
