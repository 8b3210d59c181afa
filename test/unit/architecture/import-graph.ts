// The import graph of src/, read from the code's own import and export
// statements (type-only ones included: they tie files together for a reader
// just as much).
import { readdirSync, readFileSync } from "node:fs"
import { dirname, join, relative, resolve } from "node:path"

export interface ImportEdge {
  /** Paths from the repository root. */
  readonly from: string
  readonly to: string
}

const specifiers = /(?:^|\n)\s*(?:import|export)\b[^"';]*?\bfrom\s*["'](\.{1,2}\/[^"']+)["']|\bimport\s*\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)|(?:^|\n)\s*import\s*["'](\.{1,2}\/[^"']+)["']/g

const sourceFiles = (directory: string): Array<string> =>
  readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name)
    return entry.isDirectory() ? sourceFiles(path) : entry.name.endsWith(".ts") ? [path] : []
  })

export const importGraph = (root: string): ReadonlyArray<ImportEdge> =>
  sourceFiles(join(root, "src")).flatMap((file) =>
    [...readFileSync(file, "utf8").matchAll(specifiers)].map((match) => ({
      from: relative(root, file),
      to: relative(root, resolve(dirname(file), match[1] ?? match[2] ?? match[3] ?? "")),
    })),
  )

/** `src/<folder>/…` → folder; a file straight under src/ is a folder of its own. */
export const folderOf = (path: string): string => path.split("/")[1] ?? path

/** Groups of files that import each other in a loop (Tarjan's strongly connected components of two or more). */
export const circles = (edges: ReadonlyArray<ImportEdge>): ReadonlyArray<ReadonlyArray<string>> => {
  const next = new Map<string, Array<string>>()
  for (const edge of edges) next.set(edge.from, [...(next.get(edge.from) ?? []), edge.to])
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: Array<string> = []
  const onStack = new Set<string>()
  const found: Array<Array<string>> = []
  let counter = 0
  const visit = (node: string) => {
    index.set(node, counter)
    low.set(node, counter++)
    stack.push(node)
    onStack.add(node)
    for (const target of next.get(node) ?? []) {
      if (!index.has(target)) {
        visit(target)
        low.set(node, Math.min(low.get(node)!, low.get(target)!))
      } else if (onStack.has(target)) low.set(node, Math.min(low.get(node)!, index.get(target)!))
    }
    if (low.get(node) !== index.get(node)) return
    const component: Array<string> = []
    for (;;) {
      const member = stack.pop()!
      onStack.delete(member)
      component.push(member)
      if (member === node) break
    }
    if (component.length > 1 || next.get(node)?.includes(node)) found.push(component.sort())
  }
  for (const node of new Set(edges.flatMap((edge) => [edge.from, edge.to]))) if (!index.has(node)) visit(node)
  return found
}
