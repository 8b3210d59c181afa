// The quick start as a tree in Git (examples/quickstart: an Issuer and an
// annotated Ingress): `certops check` accepts it, `certops plan` shows the
// Certificate the Ingress asks for, and a bad annotation is refused at its
// line, naming the Ingress.
import { execFileSync, spawnSync } from "node:child_process"
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"

const root = join(import.meta.dirname, "../../..")
const quickstart = join(root, "examples/quickstart")
const env = { PATH: process.env["PATH"], HOME: mkdtempSync(join(tmpdir(), "certops-home-")), GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@t.invalid", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@t.invalid" }
const certops = (...args: ReadonlyArray<string>) => spawnSync(process.execPath, [join(root, "bin/certops.js"), ...args], { encoding: "utf8", env })

describe("the quick start in Git", () => {
  it("passes certops check", () => {
    const checked = certops("check", quickstart)
    expect(checked.stdout).toContain("no problems")
    expect(checked.status).toBe(0)
  })

  it("shows the derived Certificate in certops plan", () => {
    const dir = mkdtempSync(join(tmpdir(), "certops-quickstart-"))
    const git = (...args: ReadonlyArray<string>) => execFileSync("git", args, { cwd: dir, env, encoding: "utf8" })
    git("init", "--quiet", "--initial-branch=main")
    cpSync(join(quickstart, "issuer.yaml"), join(dir, "issuer.yaml"))
    git("add", "--all")
    git("commit", "--quiet", "-m", "the issuer")
    cpSync(join(quickstart, "ingress.yaml"), join(dir, "ingress.yaml"))
    git("add", "--all")
    git("commit", "--quiet", "-m", "the annotated Ingress")
    const planned = certops("plan", "--repository", dir, "HEAD~1", "HEAD")
    expect(planned.stdout).toContain("create  Certificate default/quickstart-example-tls")
    expect(planned.status).toBe(0)
  })

  it("refuses a bad annotation at its line, naming the Ingress", () => {
    const dir = mkdtempSync(join(tmpdir(), "certops-quickstart-bad-"))
    cpSync(quickstart, dir, { recursive: true })
    const ingress = readFileSync(join(dir, "ingress.yaml"), "utf8").replace("cert-manager.io/issuer: letsencrypt-staging", "cert-manager.io/issuer: letsencrypt-staging\n    cert-manager.io/private-key-algorithm: DSA")
    writeFileSync(join(dir, "ingress.yaml"), ingress)
    const line = ingress.split("\n").findIndex((text) => text.includes("private-key-algorithm")) + 1
    const checked = certops("check", dir)
    expect(checked.status).toBe(1)
    expect(checked.stdout).toContain(`ingress.yaml:${line}: ingress-annotation: metadata.annotations["cert-manager.io/private-key-algorithm"]: Ingress default/kuard: invalid private key algorithm "DSA"`)
  })
})
