import { mkdirSync } from "node:fs"
import { join } from "node:path"
import { Effect, type Scope } from "effect"
import { binaries, requireBinary } from "./binaries.ts"
import type { ComponentError } from "./errors.ts"
import { httpProbe } from "./probe.ts"
import { freePorts } from "./ports.ts"
import { startProcess, waitUntilReady, type RunningProcess } from "./process.ts"

export interface Etcd {
  readonly url: string
  readonly dataDir: string
  readonly process: RunningProcess
}

export interface EtcdOptions {
  readonly dir: string
  /** Reuse a data directory (a restart that keeps the data). */
  readonly dataDir?: string
  readonly clientPort?: number
}

export const startEtcd = (options: EtcdOptions): Effect.Effect<Etcd, ComponentError, Scope.Scope> =>
  Effect.gen(function* () {
    const command = yield* requireBinary("etcd", binaries.etcd)
    const [freeClient, peerPort] = yield* freePorts(2)
    const clientPort = options.clientPort ?? freeClient!
    const dataDir = options.dataDir ?? join(options.dir, "etcd-data")
    mkdirSync(dataDir, { recursive: true, mode: 0o700 })
    const url = `http://127.0.0.1:${clientPort}`
    const peer = `http://127.0.0.1:${peerPort}`
    const running = yield* startProcess({
      name: "etcd",
      command,
      logDir: options.dir,
      args: [
        "--name=certops-test",
        `--data-dir=${dataDir}`,
        `--listen-client-urls=${url}`,
        `--advertise-client-urls=${url}`,
        `--listen-peer-urls=${peer}`,
        `--initial-advertise-peer-urls=${peer}`,
        `--initial-cluster=certops-test=${peer}`,
        "--unsafe-no-fsync",
        "--log-level=warn",
      ],
    })
    yield* waitUntilReady(running, httpProbe(`${url}/health`, (status, body) => status === 200 && body.includes('"true"')))
    return { url, dataDir, process: running }
  })
