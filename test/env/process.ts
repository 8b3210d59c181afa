// Thin adapter over node:child_process: a component runs as a scoped child
// process whose output goes to a log file kept after the run.
import { spawn, type ChildProcess } from "node:child_process"
import { openSync, closeSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { Duration, Effect, Schedule, type Scope } from "effect"
import { ComponentError } from "./errors.ts"

export interface ProcessSpec {
  readonly name: string
  readonly command: string
  readonly args: ReadonlyArray<string>
  readonly logDir: string
  readonly env?: Record<string, string>
  readonly cwd?: string
}

export interface RunningProcess {
  readonly name: string
  readonly pid: number
  readonly logPath: string
  /** The exit code or signal once the process has ended, else undefined. */
  readonly exited: () => string | undefined
  /** Sends a signal; `SIGKILL` is the crash a fault test wants. */
  readonly kill: (signal?: NodeJS.Signals) => void
}

const describeExit = (code: number | null, signal: NodeJS.Signals | null) =>
  signal === null ? `exited with code ${code}` : `killed by ${signal}`

/** The last lines of a log, for error messages that make sense on their own. */
export const logTail = (logPath: string, lines = 15): string => {
  try {
    return readFileSync(logPath, "utf8").trimEnd().split("\n").slice(-lines).join("\n")
  } catch {
    return ""
  }
}

const waitForExit = (child: ChildProcess, grace: Duration.Input) =>
  Effect.callback<void>((resume) => {
    if (child.exitCode !== null || child.signalCode !== null) return resume(Effect.void)
    const timer = setTimeout(() => child.kill("SIGKILL"), Duration.toMillis(Duration.fromInputUnsafe(grace)))
    child.once("exit", () => {
      clearTimeout(timer)
      resume(Effect.void)
    })
    child.kill("SIGTERM")
  })

/** Starts a process for the life of the current scope; stops it (TERM, then KILL) on close. */
export const startProcess = (spec: ProcessSpec): Effect.Effect<RunningProcess, ComponentError, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.try({
      try: () => {
        const logPath = join(spec.logDir, `${spec.name}.log`)
        const fd = openSync(logPath, "a")
        const child = spawn(spec.command, [...spec.args], {
          stdio: ["ignore", fd, fd],
          env: { ...process.env, ...spec.env },
          cwd: spec.cwd ?? spec.logDir,
        })
        closeSync(fd)
        let exit: string | undefined
        child.once("exit", (code, signal) => {
          exit = describeExit(code, signal)
        })
        child.once("error", (error) => {
          exit = `failed to start: ${error.message}`
        })
        return {
          child,
          process: {
            name: spec.name,
            pid: child.pid ?? -1,
            logPath,
            exited: () => exit,
            kill: (signal: NodeJS.Signals = "SIGKILL") => void child.kill(signal),
          } satisfies RunningProcess,
        }
      },
      catch: (error) => new ComponentError({ component: spec.name, detail: `cannot start ${spec.command}: ${String(error)}` }),
    }),
    ({ child }) => waitForExit(child, "5 seconds"),
  ).pipe(Effect.map(({ process }) => process))

/**
 * Polls `probe` until it answers true. Fails at once if the process exits,
 * and after `timeout` otherwise, with the log's path and tail in the error.
 */
export const waitUntilReady = (
  running: RunningProcess,
  probe: Effect.Effect<boolean>,
  timeout: Duration.Input = "60 seconds",
): Effect.Effect<void, ComponentError> => {
  const failure = (detail: string) =>
    new ComponentError({ component: running.name, detail: `${detail}\n${logTail(running.logPath)}`, logPath: running.logPath })
  const attempt = Effect.suspend(() => {
    const exit = running.exited()
    if (exit !== undefined) return Effect.fail(failure(`${exit} before it was ready`))
    return probe.pipe(Effect.flatMap((ready) => (ready ? Effect.void : Effect.fail(undefined))))
  })
  return attempt.pipe(
    Effect.retry({
      schedule: Schedule.spaced("100 millis"),
      while: (error) => error === undefined,
    }),
    Effect.timeoutOrElse({
      duration: timeout,
      orElse: () => Effect.fail(failure(`not ready after ${Duration.format(Duration.fromInputUnsafe(timeout))}`)),
    }),
    Effect.mapError((error) => error ?? failure("not ready")),
  )
}
