// `certops run`: the store, the issuance controllers, the HTTP-01 responder,
// the GitOps loop with its webhook, and status reports, wired as Layers and
// running until interrupted (SIGTERM/SIGINT: in-flight work ends, pending
// status is pushed).
import { NodeServices } from "@effect/platform-node"
import { Duration, Effect, Layer, Option } from "effect"
import { acmeAccountsLayer } from "../acme/accounts.ts"
import { runIssuance } from "../controllers/issuance.ts"
import { GitCredentials } from "../git/credentials.ts"
import { GitSource } from "../git/source.ts"
import { followCertificates } from "../gitops/certificate-reports.ts"
import { runGitOps } from "../gitops/gitops-loop.ts"
import { serveWebhook } from "../gitops/webhook-server.ts"
import { defaultPolicyDirectory } from "../intents/intent-set.ts"
import { approvalPoliciesLayer } from "../policy/approval-policies.ts"
import { readDefaultPolicies } from "../policy/default-policies.ts"
import { StatusReporter } from "../report/status-reporter.ts"
import { challengeSolversLayer } from "../solvers/challenge-solvers.ts"
import { http01ResponderLayer } from "../solvers/http01/http01-responder.ts"
import { embeddedStoreLayer } from "../store/embedded/embedded-store.ts"
import { eventRecorderLayer } from "../store/event-recorder.ts"
import { kubeClientLayer, type KubeClient, type KubeConfigError } from "../store/kubernetes/client.ts"
import { kubernetesStoreFromClient } from "../store/kubernetes/layer.ts"
import { kubeSolverWebhooksLayer } from "../solvers/dns01/solver-webhooks.ts"
import type { StoreUnavailable } from "../store/errors.ts"
import type { ResourceStore } from "../store/resource-store.ts"
import { GitSyncMetrics } from "../metrics/git-sync-metrics.ts"
import { observabilityServerLayer } from "../observability/http.ts"
import { metricsLayer } from "../observability/metrics.ts"
import { storeAnswers } from "../observability/readiness.ts"
import type { DaemonConfig } from "../settings/daemon-config.ts"
import { IssuanceSettings } from "../settings/issuance-settings.ts"
import { defaultLeaseSettings, whileLeading } from "../leadership/leader-election.ts"
import { guardedStoreLayer, Leadership, leadershipLayer } from "../leadership/leadership.ts"

const credentialsOf = (git: DaemonConfig["git"]) =>
  git.token !== undefined
    ? GitCredentials.token(git.token, git.username)
    : git.password !== undefined && git.username !== undefined
      ? GitCredentials.basic(git.username, git.password)
      : GitCredentials.anonymous

const kubeClientFor = (config: DaemonConfig): Layer.Layer<KubeClient, KubeConfigError> =>
  kubeClientLayer(config.store.backend === "kubernetes" && config.store.kubeconfig !== undefined ? { kubeconfigPath: config.store.kubeconfig } : {})

/** Layers are shared by reference within one build: pass the same client to share one connection pool. */
export const storeLayer = (config: DaemonConfig, client = kubeClientFor(config)): Layer.Layer<ResourceStore, KubeConfigError | StoreUnavailable> =>
  config.store.backend === "kubernetes" ? kubernetesStoreFromClient().pipe(Layer.provide(client)) : embeddedStoreLayer(config.store.stateDir)

/** DNS-01 webhook solvers through the cluster's API server; on the embedded store, the default that says they cannot run. */
const solverWebhooksFor = (config: DaemonConfig, client: Layer.Layer<KubeClient, KubeConfigError>) =>
  config.store.backend === "kubernetes" ? kubeSolverWebhooksLayer.pipe(Layer.provide(client)) : Layer.empty

/** Every service the daemon runs on, for one configuration. */
export const daemonLayer = (config: DaemonConfig) => {
  const repository = { location: config.git.url, credentials: credentialsOf(config.git), stateDir: config.stateDir }
  const git = Layer.mergeAll(
    GitSource.layer({ repository, branch: config.git.branch, directory: config.git.path, include: [defaultPolicyDirectory] }),
    StatusReporter.layer({ repository, branch: config.git.statusBranch }),
  )
  const client = kubeClientFor(config)
  const solvers = challengeSolversLayer.pipe(Layer.provide(solverWebhooksFor(config, client)))
  const services = Layer.mergeAll(eventRecorderLayer, acmeAccountsLayer, solvers, http01ResponderLayer({ host: config.http.host }), metricsLayer, approvalPoliciesLayer)
  // Every replica serves metrics and probes, leader or not.
  const observed = observabilityServerLayer({ host: config.http.host, port: config.http.port, readiness: [storeAnswers] }).pipe(Layer.provideMerge(services))
  const leadership = leadershipLayer(config.store.backend === "embedded")
  const store = guardedStoreLayer.pipe(Layer.provide(storeLayer(config, client)), Layer.provideMerge(leadership))
  return Layer.mergeAll(observed, git).pipe(Layer.provideMerge(store), Layer.provideMerge(Layer.succeed(IssuanceSettings, config.issuance)))
}

/**
 * Starts the daemon in the current scope. In a cluster the work runs only
 * while this replica holds the Lease (standbys keep caches warm and serve
 * HTTP-01); on the embedded store it runs at once.
 */
export const startDaemon = (config: DaemonConfig) =>
  Effect.gen(function* () {
    if (config.store.backend === "embedded") return yield* startWork(config)
    const { leading } = yield* Leadership
    const election = config.leaderElection
    const settings = {
      ...defaultLeaseSettings(election.identity, election.namespace),
      leaseDuration: election.leaseDuration,
      renewDeadline: Duration.millis(Duration.toMillis(election.leaseDuration) * (2 / 3)),
      retryPeriod: Duration.millis(Math.max(200, Duration.toMillis(election.leaseDuration) / 7)),
    }
    yield* Effect.forkScoped(whileLeading(settings, leading, startWork(config)))
    return undefined
  })

/** Everything only the leader runs. */
const startWork = (config: DaemonConfig) =>
  Effect.gen(function* () {
    const source = { repository: config.git.url, directory: config.git.path }
    yield* runIssuance
    const defaultPolicies = yield* readDefaultPolicies().pipe(Effect.provide(NodeServices.layer), Effect.orElseSucceed(() => []))
    const gitSync = yield* GitSyncMetrics
    const loop = yield* runGitOps({
      source,
      onSynced: (commit, at) => Effect.runSync(gitSync.recordSync(commit, at)),
      pollInterval: config.git.pollInterval,
      intents: { directory: config.git.path, defaultNamespace: config.git.defaultNamespace, defaultPolicies, manageIngresses: config.git.manageIngresses === true },
    })
    yield* followCertificates(source)
    const webhook =
      config.git.webhookSecret === undefined
        ? Option.none<{ readonly port: number }>()
        : Option.some(
            yield* serveWebhook({
              host: config.http.host,
              port: config.http.webhookPort,
              secret: config.git.webhookSecret,
              branch: config.git.branch,
              onPush: () => Effect.runFork(loop.trigger),
            }),
          )
    yield* Effect.logInfo("certops running", {
      git: `${config.git.url}#${config.git.branch}:${config.git.path || "/"}`,
      store: config.store.backend,
      ...(Option.isSome(webhook) ? { webhookPort: webhook.value.port } : {}),
    })
    const reporter = yield* StatusReporter
    // On shutdown, push what is pending rather than leave it to the next start.
    yield* Effect.addFinalizer(() => reporter.flush.pipe(Effect.ignore))
    return { trigger: loop.trigger, webhook }
  })
