// `certops status [namespace/name]`: what `kubectl get certificates` and a
// round of `kubectl describe` would tell, from whichever store certops runs
// on. Without an argument, a table of Certificates; with one, that
// Certificate's chain (issuer, CertificateRequests, Orders, Challenges, each
// with its last Events) and a one-line diagnosis of where it is stuck.
import { join } from "node:path"
import { Clock, Console, Data, Effect, Layer, Option, Runtime } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import { detectCluster, type ClusterAccess } from "../settings/cluster-detection.ts"
import { defaultStateDir, environmentName } from "../settings/resolve-config.ts"
import { embeddedSnapshotLayer } from "../observability/status/embedded-snapshot.ts"
import { certificateReport, certificateTable, renderReport, renderTable } from "../observability/status/status-report.ts"
import type { StoreUnavailable } from "../store/errors.ts"
import type { KubeConfigError } from "../store/kubernetes/client.ts"
import { kubernetesStoreLayer } from "../store/kubernetes/layer.ts"
import { ResourceStore } from "../store/resource-store.ts"

/** Ends the command with exit code 1; the reason is already printed. */
class StatusFailed extends Data.TaggedError("StatusFailed")<{ readonly reason: string }> {
  override readonly [Runtime.errorExitCode] = 1
  override readonly [Runtime.errorReported] = false
}

/** Asked for something that cannot be answered as asked. */
class StatusUsageError extends Data.TaggedError("StatusUsageError")<{ readonly message: string }> {}

/**
 * The state directory as `certops run` resolves it (flag, then
 * $CERTOPS_STATE_DIR, then the XDG default), and its embedded store in
 * `store/` beneath it, where the daemon keeps it.
 */
export const embeddedStoreDir = (stateDir: Option.Option<string>, env: NodeJS.ProcessEnv = process.env): string =>
  join(Option.getOrElse(stateDir, () => env[environmentName("state-dir")] ?? defaultStateDir(env)), "store")

export type StoreChoice =
  | { readonly _tag: "Embedded"; readonly storeDir: string }
  | { readonly _tag: "Kubernetes"; readonly kubeconfigPath?: string }
  | { readonly _tag: "NoCluster" }

/**
 * The store to read: as forced by --store; else the embedded one when a
 * --state-dir is given (asking for a directory means that store); else the
 * one `certops run` would pick: a cluster if one is configured.
 */
export const chooseStore = (
  flags: { readonly store: Option.Option<"embedded" | "kubernetes">; readonly stateDir: Option.Option<string> },
  env: NodeJS.ProcessEnv = process.env,
  access: ClusterAccess = detectCluster(env),
): StoreChoice => {
  const embedded = (): StoreChoice => ({ _tag: "Embedded", storeDir: embeddedStoreDir(flags.stateDir, env) })
  const kubernetes = (): StoreChoice => {
    if (access._tag === "None") return { _tag: "NoCluster" }
    return access._tag === "Kubeconfig" ? { _tag: "Kubernetes", kubeconfigPath: access.path } : { _tag: "Kubernetes" }
  }
  if (Option.isSome(flags.store)) return flags.store.value === "embedded" ? embedded() : kubernetes()
  if (Option.isSome(flags.stateDir) || access._tag === "None") return embedded()
  return kubernetes()
}

export const storeLayer = (choice: StoreChoice): Layer.Layer<ResourceStore, StoreUnavailable | KubeConfigError | StatusUsageError> => {
  switch (choice._tag) {
    case "Embedded":
      return embeddedSnapshotLayer(choice.storeDir)
    case "Kubernetes":
      // One command, a few lists: straight to the API server, without starting watch caches.
      return kubernetesStoreLayer({ cachedKinds: [], ...(choice.kubeconfigPath === undefined ? {} : { kubeconfigPath: choice.kubeconfigPath }) })
    case "NoCluster":
      // Else the client library would fall back to http://localhost:8080 and fail obscurely.
      return Layer.effect(
        ResourceStore,
        Effect.fail(new StatusUsageError({ message: "no cluster configured: no kubeconfig ($KUBECONFIG, ~/.kube/config) and no in-cluster service account" })),
      )
  }
}

/** `namespace/name`, or a name in the --namespace (kubectl's "default" when none). */
export const parseTarget = (target: string, namespace: Option.Option<string>): { namespace: string; name: string } | string => {
  const [first = "", second, ...rest] = target.split("/")
  if (second === undefined) return { namespace: Option.getOrElse(namespace, () => "default"), name: first }
  if (first === "" || second === "" || rest.length > 0) return `"${target}" is not <namespace>/<name> or <name>`
  if (Option.isSome(namespace) && namespace.value !== first) return `"${target}" is not in namespace ${namespace.value} (--namespace)`
  return { namespace: first, name: second }
}

const print = (output: "text" | "json", value: unknown, text: () => string) => Console.log(output === "json" ? JSON.stringify(value, null, 2) : text())

const showTable = (namespace: string | undefined, output: "text" | "json") =>
  Effect.flatMap(certificateTable(namespace), (table) => print(output, table, () => renderTable(table, namespace)))

const showCertificate = (target: string, namespace: Option.Option<string>, output: "text" | "json") =>
  Effect.gen(function* () {
    const key = parseTarget(target, namespace)
    if (typeof key === "string") return yield* new StatusUsageError({ message: key })
    const report = yield* certificateReport(key.namespace, key.name)
    const now = yield* Clock.currentTimeMillis
    yield* print(output, report, () => renderReport(report, now))
  })

export const status = Command.make(
  "status",
  {
    certificate: Argument.String("certificate").pipe(
      Argument.withDescription("a Certificate as <namespace>/<name> (or <name> with --namespace): walk its issuance and diagnose it"),
      Argument.optional,
    ),
    namespace: Flag.String("namespace").pipe(Flag.withAlias("n"), Flag.withDescription("only this namespace"), Flag.optional),
    store: Flag.Literals("store", ["embedded", "kubernetes"]).pipe(
      Flag.withDescription("the store to read; default: the cluster if a kubeconfig or service account is found, else the embedded store"),
      Flag.optional,
    ),
    stateDir: Flag.String("state-dir").pipe(Flag.withDescription("the daemon's state directory, whose store/ is the embedded store; default $CERTOPS_STATE_DIR, else ~/.local/state/certops"), Flag.optional),
    output: Flag.Literals("output", ["text", "json"]).pipe(Flag.withAlias("o"), Flag.withDescription("text, or JSON for scripts"), Flag.withDefault("text")),
  },
  Effect.fn("status")(function* ({ certificate, namespace, store, stateDir, output }) {
    const show = Option.isSome(certificate) ? showCertificate(certificate.value, namespace, output) : showTable(Option.getOrUndefined(namespace), output)
    yield* show.pipe(
      Effect.provide(storeLayer(chooseStore({ store, stateDir }))),
      Effect.catch((error) => Effect.andThen(Console.error(`error: ${error.message}`), Effect.fail(new StatusFailed({ reason: error.message })))),
    )
  }),
).pipe(Command.withDescription("Show Certificates, or walk one Certificate's issuance and say where it is stuck"))
