// Building a new tree from an old one plus a few file changes, touching only
// the trees on the changed paths: committing without a working directory.
import type { TreeEntry } from "isomorphic-git"
import { Effect } from "effect"
import type { GitError } from "./errors.ts"
import { readTree, writeTree, type ObjectStore } from "./objects.ts"

/** Per repository-relative path: the new blob id, or undefined to remove the file. */
export type TreeEdits = ReadonlyMap<string, string | undefined>

const splitFirst = (path: string): readonly [string, string | undefined] => {
  const slash = path.indexOf("/")
  return slash < 0 ? [path, undefined] : [path.slice(0, slash), path.slice(slash + 1)]
}

/** Undefined when nothing is left: Git has no empty directories. */
const edit = (store: ObjectStore, tree: string | undefined, edits: TreeEdits): Effect.Effect<string | undefined, GitError> =>
  Effect.gen(function* () {
    const entries = new Map<string, TreeEntry>()
    for (const entry of tree === undefined ? [] : yield* readTree(store, tree)) entries.set(entry.path, entry)
    const below = new Map<string, Map<string, string | undefined>>()
    for (const [path, oid] of edits) {
      const [name, rest] = splitFirst(path)
      if (rest !== undefined) {
        const nested = below.get(name) ?? new Map<string, string | undefined>()
        below.set(name, nested.set(rest, oid))
      } else if (oid === undefined) {
        entries.delete(name)
      } else {
        entries.set(name, { mode: "100644", path: name, oid, type: "blob" })
      }
    }
    for (const [name, nested] of below) {
      const current = entries.get(name)
      const subtree = yield* edit(store, current?.type === "tree" ? current.oid : undefined, nested)
      if (subtree !== undefined) entries.set(name, { mode: "040000", path: name, oid: subtree, type: "tree" })
      // Removing files below a name that is not a directory removes nothing.
      else if (current?.type === "tree") entries.delete(name)
    }
    return entries.size === 0 ? undefined : yield* writeTree(store, [...entries.values()])
  })

/** The id of `base` (a tree id; undefined for none) with `edits` applied. */
export const editTree = (store: ObjectStore, base: string | undefined, edits: TreeEdits): Effect.Effect<string, GitError> =>
  // An empty result is written out too: a commit pointing at it must be pushable.
  Effect.flatMap(edit(store, base, edits), (tree) => (tree === undefined ? writeTree(store, []) : Effect.succeed(tree)))
