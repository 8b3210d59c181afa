// `certops run`: the daemon. Settings from flags, CERTOPS_* environment
// variables and an optional --config file (see src/settings/resolve-config.ts);
// with no Git URL at all it runs the bundled examples on the embedded store.
import { readFileSync } from "node:fs"
import { Console, Effect, Layer, Option, Result } from "effect"
import { Command, Flag } from "effect/cli"
import { detectCluster } from "../settings/cluster-detection.ts"
import { daemonLayer, startDaemon } from "../daemon/daemon.ts"
import { ensureExamplesRepository, prepareExampleSecrets } from "../daemon/examples-repository.ts"
import { logLayer } from "./log-format.ts"
import { defaultStateDir, environmentName, fromFile, resolveConfig, settingNames, type RawSettings, type SettingName } from "../settings/resolve-config.ts"

const flags = Object.fromEntries(
  settingNames.map((name) => [name, Flag.String(name).pipe(Flag.optional, Flag.withDescription(`or ${environmentName(name)}`))]),
) as Record<SettingName, Flag.Flag<Option.Option<string>>>

const readText = (path: string) =>
  Effect.try({ try: () => readFileSync(path, "utf8"), catch: (error) => new Error(`acme-ca-file: cannot read ${path}: ${String(error)}`) })

const chosen = (values: Record<SettingName, Option.Option<string>>): RawSettings =>
  Object.fromEntries(Object.entries(values).flatMap(([name, value]) => (Option.isSome(value) ? [[name, value.value]] : [])))

/** Runs until SIGINT/SIGTERM; the scope's finalizers (status flush, servers) run on the way out. */
const untilSignalled = Effect.callback<void>((resume) => {
  const stop = () => resume(Effect.void)
  process.once("SIGINT", stop)
  process.once("SIGTERM", stop)
  return Effect.sync(() => {
    process.off("SIGINT", stop)
    process.off("SIGTERM", stop)
  })
})

export const run = Command.make(
  "run",
  {
    ...flags,
    config: Flag.String("config").pipe(Flag.optional, Flag.withDescription("a YAML file of settings, keyed by flag name")),
    acmeServer: Flag.String("acme-server").pipe(Flag.optional, Flag.withDescription("with the bundled examples: add their ACME issuer, pointed at this directory URL")),
    acmeCaFile: Flag.String("acme-ca-file").pipe(Flag.optional, Flag.withDescription("with --acme-server: a PEM file of the CA that signed the server's TLS certificate (pebble's)")),
  },
  Effect.fn("certops.run")(function* ({ config: configFile, acmeServer: acmeServerFlag, acmeCaFile, ...values }) {
    const raw = chosen(values)
    const filePath = Option.getOrUndefined(configFile) ?? process.env["CERTOPS_CONFIG"]
    const file = filePath === undefined ? Result.succeed<RawSettings>({}) : fromFile(filePath)
    if (Result.isFailure(file)) return yield* Effect.fail(new Error(file.failure))
    const stateDir = raw["state-dir"] ?? file.success["state-dir"] ?? process.env[environmentName("state-dir")] ?? defaultStateDir(process.env)
    const configuredUrl = raw["git-url"] ?? file.success["git-url"] ?? process.env[environmentName("git-url")]
    const acmeServer = Option.getOrUndefined(acmeServerFlag)
    const caFile = Option.getOrUndefined(acmeCaFile)
    const examplesAcme =
      acmeServer === undefined ? undefined : { server: acmeServer, ...(caFile === undefined ? {} : { caBundlePem: yield* readText(caFile) }) }
    const examples = configuredUrl === undefined ? yield* ensureExamplesRepository(stateDir, examplesAcme) : undefined
    const resolved = resolveConfig({
      flags: raw,
      env: process.env,
      file: file.success,
      cluster: detectCluster(),
      terminal: process.stdout.isTTY === true,
      ...(examples === undefined ? {} : { fallbackGitUrl: examples }),
    })
    if (Result.isFailure(resolved)) {
      for (const problem of resolved.failure) yield* Console.error(`certops run: ${problem}`)
      return yield* Effect.fail(new Error("invalid configuration"))
    }
    const daemonConfig = resolved.success
    if (examples !== undefined) {
      yield* Console.error(`certops: no --git-url given; running the bundled examples from ${examples}`)
      yield* Console.error(`certops: certificates appear under ${daemonConfig.stateDir}/store/secrets, status commits on branch certops/status of ${examples}`)
    }
    const prepare = examples === undefined ? Effect.void : prepareExampleSecrets(daemonConfig.store.backend)
    const logs = logLayer(daemonConfig.logFormat)
    yield* Effect.scoped(Effect.andThen(Effect.andThen(prepare, startDaemon(daemonConfig)), untilSignalled)).pipe(
      Effect.provide(daemonLayer(daemonConfig).pipe(Layer.provideMerge(logs))),
      Effect.provide(logs),
    )
    yield* Effect.logInfo("certops stopped").pipe(Effect.provide(logs))
  }),
).pipe(Command.withDescription("run the daemon: Git intents in, certificates and status reports out"))
