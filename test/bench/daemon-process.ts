// A controller under measurement as a process of its own (certops run, or
// the peer), and what the kernel says about it: CPU seconds and peak RSS
// from /proc, so that the bench's own work is never counted.
import { spawn, type ChildProcess } from "node:child_process"
import { openSync, readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import type { TestEnvironment } from "../env/environment.ts"

export interface MeasuredProcess {
  readonly pid: number
  readonly logPath: string
  readonly exited: () => string | undefined
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it is gone. */
  readonly stop: (graceMs?: number) => Promise<void>
}

const certopsBin = join(import.meta.dirname, "../../bin/certops.js")

/** `certops <args>` as its launchers start it: this Node, with the flags of bin/certops.js's first line. */
export const certopsCommand = (args: ReadonlyArray<string>, extraNodeOptions: ReadonlyArray<string> = []): { readonly command: string; readonly args: ReadonlyArray<string> } => {
  const shebang = readFileSync(certopsBin, "utf8").split("\n", 1)[0] ?? ""
  const flags = shebang.split(/\s+/).filter((word) => word.startsWith("--"))
  return { command: process.execPath, args: [...flags, ...extraNodeOptions, certopsBin, ...args] }
}

export interface CertopsRun {
  /** The bare repository's name under the Git server's root. */
  readonly repository: string
  /** Holds git-password (written by the caller) and the state directory. */
  readonly secretsDir: string
  readonly namespace: string
  readonly httpPort: number
  readonly webhookPort: number
}

/** `certops run` on the test environment's Git server, apiserver and bind9, on loopback ports; `extra` adds flags. */
export const certopsRunArgs = (env: TestEnvironment, run: CertopsRun, extra: ReadonlyArray<string> = []): ReadonlyArray<string> => [
  "run",
  "--git-url", `${env.git.url}/${run.repository}.git`,
  "--git-username", env.git.username,
  "--git-password-file", join(run.secretsDir, "git-password"),
  "--poll-interval", "1 hour",
  "--store", "kubernetes",
  "--kubeconfig", env.kube.kubeconfig,
  "--state-dir", join(run.secretsDir, "state"),
  "--http-port", String(run.httpPort),
  "--webhook-port", String(run.webhookPort),
  "--self-check-nameservers", `${env.dns.host}:${env.dns.port}`,
  // bind9 on a port of its own, so asking the zone's NS (port 53) would never see the record.
  "--self-check-recursive-only", "true",
  "--default-namespace", run.namespace,
  "--lease-namespace", run.namespace,
  ...extra,
]

export const spawnMeasured = (command: string, args: ReadonlyArray<string>, logPath: string, env: NodeJS.ProcessEnv = {}): MeasuredProcess => {
  const fd = openSync(logPath, "a")
  const child: ChildProcess = spawn(command, [...args], { stdio: ["ignore", fd, fd], env: { ...process.env, ...env } })
  let ended: string | undefined
  child.once("exit", (code, signal) => (ended = signal === null ? `exited with code ${code}` : `killed by ${signal}`))
  return {
    pid: child.pid ?? -1,
    logPath,
    exited: () => ended,
    stop: (graceMs = 10_000) =>
      new Promise((resolve) => {
        if (ended !== undefined) return resolve()
        const timer = setTimeout(() => child.kill("SIGKILL"), graceMs)
        child.once("exit", () => {
          clearTimeout(timer)
          resolve()
        })
        child.kill("SIGTERM")
      }),
  }
}

const clockTicks = 100

/** user + system CPU seconds the process has used so far. */
export const cpuSecondsOf = (pid: number): number => {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
  // Fields after the command name, which may hold spaces: state is field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
  return (Number(fields[11]) + Number(fields[12])) / clockTicks
}

const statusField = (pid: number, field: string): number => {
  const line = readFileSync(`/proc/${pid}/status`, "utf8")
    .split("\n")
    .find((candidate) => candidate.startsWith(`${field}:`))
  return Number(/(\d+)/.exec(line ?? "")?.[1] ?? NaN) * 1024
}

/** The process's peak resident set since it started (VmHWM). */
export const peakRssOf = (pid: number): number => statusField(pid, "VmHWM")

/** The process's resident set now (VmRSS). */
export const rssOf = (pid: number): number => statusField(pid, "VmRSS")

/** Sums the samples of one counter in a Prometheus text exposition. */
export const counterTotal = (exposition: string, name: string): number =>
  exposition
    .split("\n")
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(" ") + 1)), 0)

export const waitFor = async (what: string, check: () => Promise<boolean> | boolean, limitMs: number, process?: MeasuredProcess) => {
  const start = performance.now()
  for (;;) {
    if (await Promise.resolve().then(check).catch(() => false)) return
    const ended = process?.exited()
    if (ended !== undefined) throw new Error(`${what}: the process ${ended} (log: ${process?.logPath})`)
    if (performance.now() - start > limitMs) throw new Error(`${what}: not within ${limitMs / 1000} s${process === undefined ? "" : ` (log: ${process.logPath})`}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/** CPU seconds used so far by every process whose command name starts with one of `names`, per name. */
export const cpuByCommand = (names: ReadonlyArray<string>): Map<string, number> => {
  const totals = new Map<string, number>(names.map((name) => [name, 0]))
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const command = readFileSync(`/proc/${entry}/comm`, "utf8").trim()
      const name = names.find((candidate) => command.startsWith(candidate))
      if (name !== undefined) totals.set(name, (totals.get(name) ?? 0) + cpuSecondsOf(Number(entry)))
    } catch {
      // gone meanwhile
    }
  }
  return totals
}
