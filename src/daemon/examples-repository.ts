// The first run with nothing configured: certops copies the bundled example
// repository (issuers and certificates, no ACME) into a local Git repository
// under its state directory and tracks that, so a newcomer sees certificates
// and status commits within seconds, with no cluster and no network.
import * as fs from "node:fs"
import { cpSync, existsSync, mkdirSync, readdirSync } from "node:fs"
import { join, relative } from "node:path"
import { fileURLToPath } from "node:url"
import git from "isomorphic-git"
import { Effect } from "effect"

export const bundledExamples = fileURLToPath(new URL("../../examples/repository", import.meta.url))

/** The examples' ACME folder needs a reachable ACME server; the offline first run leaves it out. */
const offlineOnly = (source: string) => !relative(bundledExamples, source).split("/").includes("acme")

const filesUnder = (dir: string): ReadonlyArray<string> =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name)).map((path) => `${entry.name}/${path}`) : [entry.name],
  )

/** The examples as a local repository at `<stateDir>/examples`, made on the first run only. */
export const ensureExamplesRepository = (stateDir: string) =>
  Effect.tryPromise({
    try: async () => {
      const dir = join(stateDir, "examples")
      if (existsSync(join(dir, ".git"))) return dir
      mkdirSync(dir, { recursive: true })
      cpSync(bundledExamples, dir, { recursive: true, filter: offlineOnly })
      await git.init({ fs, dir, defaultBranch: "main" })
      for (const path of filesUnder(dir).filter((path) => !path.startsWith(".git/"))) await git.add({ fs, dir, filepath: path })
      await git.commit({ fs, dir, message: "Example certificates for certops", author: { name: "certops examples", email: "examples@certops.invalid" } })
      return dir
    },
    catch: (error) => new Error(`cannot prepare the example repository under ${stateDir}: ${String(error)}`),
  })
