// examples/: the repository passes `certops check` as a whole (ACME folder
// included), holds no secrets, and the README's pull-request walk-through
// shows what `certops check` really prints. The CLI runs as a child process,
// as CI would run it.
import { spawnSync } from "node:child_process"
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, relative } from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { parseAllDocuments } from "yaml"

const root = join(import.meta.dirname, "../../..")
const repository = join(root, "examples/repository")
const readme = readFileSync(join(root, "examples/README.md"), "utf8")

/** One `certops check` is a Node start and a module graph load: seconds, not milliseconds. */
const cliTimeout = 60_000

const check = (path: string, ...flags: ReadonlyArray<string>) => {
  const result = spawnSync(process.execPath, [join(root, "bin/certops.js"), "check", ...flags, path], { encoding: "utf8", cwd: root })
  return { status: result.status, stdout: result.stdout, stderr: result.stderr }
}

const filesUnder = (dir: string): ReadonlyArray<string> =>
  readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry)
    return statSync(path).isDirectory() ? filesUnder(path) : [path]
  })

interface CheckReport {
  readonly ok: boolean
  readonly accepted: ReadonlyArray<{ readonly kind: string; readonly name: string; readonly namespace?: string; readonly file: string }>
  readonly rejected: ReadonlyArray<{ readonly file: string; readonly rule: string; readonly message: string }>
}

/** The README's fenced blocks: where each starts, and its content. */
const fencedBlocks = (() => {
  const blocks: Array<{ readonly start: number; readonly content: string }> = []
  let open: { start: number; indent: number; lines: Array<string> } | undefined
  let offset = 0
  for (const line of readme.split("\n")) {
    const fence = /^(\s*)```/.exec(line)
    if (fence !== null) {
      if (open === undefined) open = { start: offset, indent: fence[1]!.length, lines: [] }
      else {
        // A block inside a list item is indented with its fence; its content is not.
        const indent = open.indent
        blocks.push({ start: open.start, content: open.lines.map((text) => text.slice(indent)).join("\n") })
        open = undefined
      }
    } else open?.lines.push(line)
    offset += line.length + 1
  }
  return blocks
})()

/** The first fenced block that starts after `marker` in the README. */
const blockAfter = (marker: string): string => {
  const at = readme.indexOf(marker)
  expect(at, marker).toBeGreaterThanOrEqual(0)
  const block = fencedBlocks.find(({ start }) => start > at)
  expect(block, `a block after ${marker}`).toBeDefined()
  return `${block!.content}\n`
}

const scratch: Array<string> = []
afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true })
})

/** A copy of the example repository as the README's step 1 makes it: without acme/. */
const quickStartCopy = () => {
  const dir = mkdtempSync(join(tmpdir(), "certops-examples-"))
  scratch.push(dir)
  cpSync(repository, dir, { recursive: true, filter: (source) => !relative(repository, source).split("/").includes("acme") })
  return dir
}

describe("examples/repository", () => {
  const intentFiles = filesUnder(repository).filter((path) => /\.ya?ml$/.test(path) && !relative(repository, path).startsWith(".certops/"))

  it("passes certops check, every intent accepted, the ACME folder included", () => {
    const { status, stdout, stderr } = check(repository, "--output", "json")
    expect(stderr).toBe("")
    const report = JSON.parse(stdout) as CheckReport
    expect(report.rejected).toEqual([])
    expect(report.ok).toBe(true)
    expect(status).toBe(0)
    const declared = intentFiles.flatMap((path) =>
      parseAllDocuments(readFileSync(path, "utf8")).map((document) => `${relative(repository, path)} ${document.toJS().kind}`),
    )
    expect(report.accepted.map(({ file, kind }) => `${file} ${kind}`).sort()).toEqual(declared.sort())
    expect(report.accepted.map(({ file }) => file)).toEqual(expect.arrayContaining(["acme/letsencrypt-staging.yaml", "acme/status-page.yaml"]))
  }, cliTimeout)

  it("brings its own policies, which certops applies", () => {
    const policies = filesUnder(join(repository, ".certops/policies"))
    expect(policies.length).toBeGreaterThan(0)
    for (const path of policies) {
      for (const document of parseAllDocuments(readFileSync(path, "utf8"))) {
        expect(document.toJS()).toMatchObject({ apiVersion: "policy.certops.io/v1alpha1", kind: "CertificatePolicy" })
      }
    }
  })

  it("keeps Secrets and key material out of Git", () => {
    for (const path of filesUnder(join(root, "examples"))) {
      const text = readFileSync(path, "utf8")
      expect(text, path).not.toMatch(/-----BEGIN [A-Z ]*PRIVATE KEY-----/)
      if (/\.ya?ml$/.test(path)) for (const document of parseAllDocuments(text)) expect(document.toJS()?.kind, path).not.toBe("Secret")
    }
  })
})

describe("the walk-through in examples/README.md", () => {
  it("starts from a copy without acme/ that passes as the README says", () => {
    const { status, stdout } = check(quickStartCopy())
    expect(status).toBe(0)
    expect(blockAfter("Check it the way certops will")).toMatch(/^certops check \./)
    expect(stdout.trim()).toBe(blockAfter("certops check .        #").trim())
  }, cliTimeout)

  it("shows the pull request's real rejection, and a fix that passes", () => {
    const dir = quickStartCopy()
    const blog = blockAfter("They open a pull request adding")
    const blogPath = join(dir, "certificates/web/blog.yaml")
    writeFileSync(blogPath, blog)
    const rejected = check(dir)
    expect(rejected.status).toBe(1)
    expect(rejected.stdout.trim()).toBe(blockAfter("Here it fails").trim())

    const fix = blockAfter("The author lists the names instead of the wildcard")
    const fixed = blog.replace(/^ {2}dnsNames: .*\n/m, fix.endsWith("\n") ? fix : `${fix}\n`)
    expect(fixed).not.toBe(blog)
    writeFileSync(blogPath, fixed)
    const accepted = check(dir)
    expect(accepted.stdout.trim()).toBe("8 intents accepted, no problems")
    expect(accepted.status).toBe(0)
  }, cliTimeout)
})
