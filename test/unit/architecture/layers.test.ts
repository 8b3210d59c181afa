// The folder tree tells the architecture: every import runs down the floors
// written in floors.ts, and no files import each other in a loop.
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { floors } from "./floors.ts"
import { circles, folderOf, importGraph, type ImportEdge } from "./import-graph.ts"

const root = join(import.meta.dirname, "../../..")
const floorOf = new Map(floors.flatMap((folders, floor) => folders.map((folder) => [folder, floor] as const)))
const edges = importGraph(root).filter((edge) => edge.to.startsWith("src/"))

/** The imports that do not run down: same floor, other folder, or upward. */
export const violations = (all: ReadonlyArray<ImportEdge>): ReadonlyArray<string> =>
  all.flatMap((edge) => {
    const from = folderOf(edge.from)
    const to = folderOf(edge.to)
    if (from === to) return []
    const fromFloor = floorOf.get(from)
    const toFloor = floorOf.get(to)
    if (fromFloor === undefined || toFloor === undefined) return [`${edge.from} -> ${edge.to}: ${fromFloor === undefined ? from : to} is on no floor of floors.ts`]
    return toFloor < fromFloor ? [] : [`${edge.from} -> ${edge.to}: ${from} (floor ${fromFloor + 1}) may not import ${to} (floor ${toFloor + 1})`]
  })

describe("the floors of src/", () => {
  it("every folder of src/ stands on exactly one floor", () => {
    const folders = readdirSync(join(root, "src")).sort()
    assert.deepStrictEqual([...floors.flat()].sort(), folders)
  })

  it("reads the imports (the check sees something to check)", () => {
    assert.isAbove(edges.length, 400)
    assert.isTrue(edges.some((edge) => edge.from === "src/controllers/issuance.ts" && edge.to === "src/runtime/reconciler.ts"))
  })

  it("every import between folders runs down the floors", () => {
    assert.deepStrictEqual(violations(edges), [])
  })

  it("a folder importing one on its own floor or above is caught", () => {
    const upward = [
      { from: "src/store/resource-store.ts", to: "src/controllers/issuance.ts" },
      { from: "src/policy/evaluate.ts", to: "src/git/source.ts" },
      { from: "src/rules/dns-names.ts", to: "src/rules/field-path.ts" },
    ]
    assert.deepStrictEqual(violations(upward).length, 2)
  })

  it("no files import each other in a loop", () => {
    assert.deepStrictEqual(circles(edges), [])
  })

  it("a loop of files is caught", () => {
    const loop = [
      { from: "a", to: "b" },
      { from: "b", to: "c" },
      { from: "c", to: "a" },
      { from: "c", to: "d" },
    ]
    assert.deepStrictEqual(circles(loop), [["a", "b", "c"]])
  })

  it("the README's layout table lists the floors bottom to top, as floors.ts does", () => {
    const readme = readFileSync(join(root, "README.md"), "utf8")
    const table = readme.slice(readme.indexOf("## Layout"))
    const listed = [...table.matchAll(/^\|\s*(\d+)\s*\|\s*`src\/([^`/]+)\/?`/gm)].map((match) => [Number(match[1]), match[2]] as const)
    const expected = floors.flatMap((folders, floor) => folders.map((folder) => [floor + 1, folder] as const))
    assert.deepStrictEqual(listed, expected)
  })
})
