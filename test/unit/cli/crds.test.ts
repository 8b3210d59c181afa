// `certops crds` prints the CRDs; `--output-dir` writes deploy/crds' layout.
import { execFileSync } from "node:child_process"
import { mkdtempSync, readdirSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { parseAllDocuments } from "yaml"
import { renderCrdFiles } from "../../../src/cli/crds.ts"

const certops = (args: ReadonlyArray<string>) =>
  execFileSync(process.execPath, [join(import.meta.dirname, "../../../bin/certops.js"), ...args], {
    encoding: "utf8",
    env: { PATH: process.env["PATH"], HOME: mkdtempSync(join(tmpdir(), "certops-home-")) },
  })

describe("certops crds", () => {
  it("prints every CRD as one multi-document YAML stream", () => {
    const documents = parseAllDocuments(certops(["crds"]))
    expect(documents.flatMap((document) => document.errors)).toEqual([])
    const crds = documents.map((document) => document.toJS() as { kind: string; metadata: { name: string } })
    expect(crds.map((crd) => crd.kind)).toEqual(Array(6).fill("CustomResourceDefinition"))
    expect(crds.map((crd) => crd.metadata.name)).toContain("challenges.acme.cert-manager.io")
  })

  it("writes one file per CRD and a kustomization with --output-dir", () => {
    const directory = join(mkdtempSync(join(tmpdir(), "certops-crds-")), "crds")
    certops(["crds", "--output-dir", directory])
    const expected = renderCrdFiles()
    expect(readdirSync(directory).sort()).toEqual([...expected.keys()].sort())
    for (const [name, content] of expected) expect(readFileSync(join(directory, name), "utf8")).toBe(content)
  })
})
