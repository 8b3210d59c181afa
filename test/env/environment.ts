// The whole test environment, started once per run on loopback and free ports.
import { chmodSync, mkdirSync, mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, type Scope } from "effect"
import { startBind9, type DnsServer } from "./bind9.ts"
import { applyProjectCrds } from "./crds.ts"
import type { ComponentError } from "./errors.ts"
import { startEtcd } from "./etcd.ts"
import { startGitServer, type GitServer } from "./git-server.ts"
import { startKubeApiserver, type KubeConnection } from "./kube-apiserver.ts"
import { startPebble, type AcmeServer } from "./pebble.ts"
import { freePort } from "./ports.ts"
import { startWebhookSolver, type WebhookSolverEndpoint } from "./webhook-solver.ts"
import { randomBytes } from "node:crypto"

/** Connection details handed to tests; plain data, so it crosses to workers. */
export interface TestEnvironment {
  /** The run's directory: component logs and state live here. */
  readonly dir: string
  readonly etcdUrl: string
  readonly kube: KubeConnection
  readonly acme: AcmeServer
  readonly dns: DnsServer
  readonly git: GitServer
  /** A cert-manager DNS-01 webhook solver behind the aggregation layer; bind9 forwards its zone to it. */
  readonly webhookSolver: WebhookSolverEndpoint
}

export const makeRunDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), "certops-test-"))
  // Traversable, not listable: named runs as another user below it.
  chmodSync(dir, 0o711)
  return dir
}

export const startEnvironment = (dir: string): Effect.Effect<TestEnvironment, ComponentError, Scope.Scope> =>
  Effect.gen(function* () {
    const http01Port = yield* freePort
    // bind9 forwards the solver's zone to this port and starts long before
    // the solver can (it needs the apiserver), so the port is chosen here.
    const solverDnsPort = yield* freePort
    const solverZone = "webhook.test"
    const gitRoot = join(dir, "git")
    mkdirSync(gitRoot, { recursive: true })
    const control = Effect.gen(function* () {
      const etcd = yield* startEtcd({ dir })
      const kube = yield* startKubeApiserver({ dir, etcdUrl: etcd.url })
      const [, solver] = yield* Effect.all(
        [applyProjectCrds(kube.kubeconfig), startWebhookSolver({ dir, kube, dnsPort: solverDnsPort, zone: solverZone })],
        { concurrency: "unbounded" },
      )
      return { etcdUrl: etcd.url, kube, solver }
    })
    const acme = Effect.gen(function* () {
      const bind9 = yield* startBind9({ dir, forwardZones: [{ zone: solverZone, host: "127.0.0.1", port: solverDnsPort }] })
      const pebble = yield* startPebble({ dir, httpPort: http01Port, dnsServer: `${bind9.host}:${bind9.port}` })
      return { bind9, pebble }
    })
    const git = startGitServer({ root: gitRoot, username: "certops", password: randomBytes(12).toString("hex") })
    const [cluster, ca, gitServer] = yield* Effect.all([control, acme, git], { concurrency: "unbounded" })
    const { process: _pebble, ...acmeServer } = ca.pebble
    const { process: _bind9, ...dns } = ca.bind9
    const { process: _kube, ...kube } = cluster.kube
    const { process: _solver, ...webhookSolver } = cluster.solver
    return { dir, etcdUrl: cluster.etcdUrl, kube, acme: acmeServer, dns, git: gitServer, webhookSolver }
  })
