// Reading a directory on disk into SourceFiles, as a Git tree would give
// them: relative `/` paths, symlinks flagged rather than followed (a link is
// how a checkout reaches outside itself).
import { Effect, FileSystem, Path, type PlatformError } from "effect"
import { isYaml, type SourceFile } from "./source-file.ts"

export interface ReadOptions {
  /** Descend into subdirectories (the default). */
  readonly recursive?: boolean
}

const encoder = new TextEncoder()

/**
 * The YAML files under `root` (others are never read: nothing would use
 * them), skipping `.git`. Symlinks are listed with their target as content.
 */
export const readWorkingTree = Effect.fn("readWorkingTree")(function* (root: string, options: ReadOptions = {}) {
  const fs = yield* FileSystem.FileSystem
  const path = yield* Path.Path
  const files: Array<SourceFile> = []

  const walk = (relative: string): Effect.Effect<void, PlatformError.PlatformError> =>
    Effect.gen(function* () {
      const entries = yield* fs.readDirectoryEntries(path.join(root, relative))
      for (const entry of [...entries].sort((left, right) => left.name.localeCompare(right.name))) {
        const child = relative === "" ? entry.name : `${relative}/${entry.name}`
        const absolute = path.join(root, child)
        if (entry.type === "Directory") {
          if (entry.name !== ".git" && options.recursive !== false) yield* walk(child)
        } else if (entry.type === "SymbolicLink") {
          files.push({ path: child, bytes: encoder.encode(yield* fs.readLink(absolute)), symlink: true })
        } else if (entry.type === "File" && isYaml(child)) {
          files.push({ path: child, bytes: yield* fs.readFile(absolute) })
        }
      }
    })

  yield* walk("")
  return files as ReadonlyArray<SourceFile>
})
