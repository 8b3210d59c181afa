import { readFileSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname, join } from "node:path"

const require = createRequire(import.meta.url)

/** The libraries certops is built on. */
export const libraries = ["effect", "@kubernetes/client-node", "isomorphic-git", "acme-client", "node-forge", "yaml"] as const

// Some packages do not export their package.json, so walk up from the entry point.
const installedVersion = (name: string): string => {
  let dir = dirname(require.resolve(name))
  for (;;) {
    try {
      const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name?: string; version?: string }
      if (manifest.name === name && manifest.version !== undefined) return manifest.version
    } catch {
      // no package.json at this level
    }
    const parent = dirname(dir)
    if (parent === dir) return "unknown"
    dir = parent
  }
}

export const libraryVersions = (): ReadonlyArray<readonly [string, string]> =>
  libraries.map((name) => {
    try {
      return [name, installedVersion(name)] as const
    } catch {
      return [name, "missing"] as const
    }
  })
