// vitest global setup for the integration project: starts the environment
// once per run, hands its connection details to tests, stops it afterwards.
import { readdirSync, rmSync } from "node:fs"
import { join } from "node:path"
import { Cause, Effect, Exit, Scope } from "effect"
import type { TestProject } from "vitest/node"
import { makeRunDir, startEnvironment, type TestEnvironment } from "./environment.ts"

declare module "vitest" {
  export interface ProvidedContext {
    certopsEnv: TestEnvironment
  }
}

/** Removes a run's state but keeps the component logs for reading afterwards. */
const keepOnlyLogs = (dir: string) => {
  for (const entry of readdirSync(dir)) if (!entry.endsWith(".log")) rmSync(join(dir, entry), { recursive: true, force: true })
}

export default async function setup(project: TestProject) {
  const dir = makeRunDir()
  const scope = Scope.makeUnsafe()
  const started = Date.now()
  const exit = await Effect.runPromiseExit(startEnvironment(dir).pipe(Scope.provide(scope)))
  if (Exit.isFailure(exit)) {
    await Effect.runPromise(Scope.close(scope, exit))
    throw new Error(`the test environment did not start (logs in ${dir}):\n${Cause.pretty(exit.cause)}`)
  }
  const environment = exit.value
  console.log(`test environment up in ${Date.now() - started} ms; logs in ${dir}`)
  project.provide("certopsEnv", environment)
  return async () => {
    await Effect.runPromise(Scope.close(scope, Exit.void))
    if (process.env["CERTOPS_KEEP_TEST_DIR"] === undefined) keepOnlyLogs(dir)
  }
}
