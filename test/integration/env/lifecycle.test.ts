// Components are scoped: closing the scope stops them, and a component that
// dies says why and where its log is.
import { existsSync, mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Scope } from "effect"
import { resolvesApex, startBind9 } from "../../env/bind9.ts"
import { requireBinary } from "../../env/binaries.ts"
import { startProcess, waitUntilReady } from "../../env/process.ts"

const runDir = () => mkdtempSync(join(tmpdir(), "certops-lifecycle-"))

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

describe("test environment lifecycle", () => {
  it.live("stops a component when its scope closes", () =>
    Effect.gen(function* () {
      const scope = yield* Scope.make()
      const bind9 = yield* startBind9({ dir: runDir() }).pipe(Scope.provide(scope))
      assert.isTrue(yield* resolvesApex(bind9))
      assert.isTrue(isAlive(bind9.process.pid))

      yield* Scope.close(scope, Exit.void)
      assert.isFalse(isAlive(bind9.process.pid))
      assert.isDefined(bind9.process.exited())
      assert.isFalse(yield* resolvesApex(bind9))
    }),
  )

  it.live("reports a component that exits before it is ready, with its log", () =>
    Effect.gen(function* () {
      const dir = runDir()
      const failure = yield* Effect.scoped(
        Effect.gen(function* () {
          const running = yield* startProcess({
            name: "doomed",
            command: "/bin/sh",
            args: ["-c", "echo 'listen: address already in use'; exit 3"],
            logDir: dir,
          })
          return yield* waitUntilReady(running, Effect.succeed(false), "10 seconds")
        }),
      ).pipe(Effect.flip)
      assert.strictEqual(failure.component, "doomed")
      assert.strictEqual(failure.logPath, join(dir, "doomed.log"))
      assert.include(failure.message, "exited with code 3 before it was ready")
      assert.include(failure.message, "address already in use")
      assert.include(failure.message, `(log: ${join(dir, "doomed.log")})`)
      assert.isTrue(existsSync(join(dir, "doomed.log")))
    }),
  )

  it.effect("fails loudly, naming the setup script, when a binary is missing", () =>
    Effect.gen(function* () {
      const failure = yield* requireBinary("kube-apiserver", "/nonexistent/kube-apiserver").pipe(Effect.flip)
      assert.include(failure.message, "/nonexistent/kube-apiserver is missing")
      assert.include(failure.message, "npm run setup")
    }),
  )
})
