// Shared helpers for the src/pki tests: running Effects, and OpenSSL as the
// independent reader of what src/pki writes. Keys and certificates are made
// at run time and written only to a temporary directory.
import { spawnSync } from "node:child_process"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect } from "effect"
import { afterAll } from "vitest"
import type { PkiError } from "../../../src/pki/errors.ts"

export const run = <A, E>(effect: Effect.Effect<A, E>): Promise<A> => Effect.runPromise(effect)

/** The PkiError an Effect fails with; rejects if it succeeds. */
export const failure = <A>(effect: Effect.Effect<A, PkiError>): Promise<PkiError> => Effect.runPromise(Effect.flip(effect))

export interface OpensslResult {
  readonly status: number | null
  readonly stdout: string
  readonly stderr: string
}

export const openssl = (args: ReadonlyArray<string>, input?: string): OpensslResult => {
  const result = spawnSync("/usr/bin/openssl", args, { encoding: "utf8", ...(input === undefined ? {} : { input }) })
  return { status: result.status, stdout: result.stdout, stderr: result.stderr }
}

/** Runs openssl and returns stdout, failing the test with stderr when openssl fails. */
export const opensslOk = (args: ReadonlyArray<string>, input?: string): string => {
  const result = openssl(args, input)
  if (result.status !== 0) throw new Error(`openssl ${args.join(" ")} failed (${result.status}): ${result.stderr}`)
  return result.stdout
}

/** A temporary directory removed after the test file; `file` writes into it and returns the path. */
export const scratch = () => {
  const dir = mkdtempSync(join(tmpdir(), "certops-pki-"))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  let counter = 0
  return {
    dir,
    file: (name: string, content: string | Uint8Array) => {
      const path = join(dir, `${counter++}-${name}`)
      writeFileSync(path, content)
      return path
    },
  }
}
