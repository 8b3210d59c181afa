// `certops plan` on a real repository: create, re-issue, update, prune, deny.
import { execFileSync } from "node:child_process"
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"

const certops = join(import.meta.dirname, "../../../bin/certops.js")
const env = { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@t.invalid", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@t.invalid" }

const certificate = (name: string, dnsNames: ReadonlyArray<string>, extra = "") => `apiVersion: cert-manager.io/v1
kind: Certificate
metadata:
  name: ${name}
  namespace: web
spec:
  secretName: ${name}-tls
  dnsNames: [${dnsNames.join(", ")}]
  issuerRef: { name: ca, kind: ClusterIssuer }
${extra}`

describe("certops plan", () => {
  it("lists what merging would create, re-issue, update, prune and deny", () => {
    const dir = mkdtempSync(join(tmpdir(), "certops-plan-"))
    const git = (...args: ReadonlyArray<string>) => execFileSync("git", args, { cwd: dir, env, encoding: "utf8" }).trim()
    const write = (path: string, content: string) => {
      mkdirSync(join(dir, path, ".."), { recursive: true })
      writeFileSync(join(dir, path), content)
    }
    git("init", "--quiet", "--initial-branch=main")
    write("issuer.yaml", "apiVersion: cert-manager.io/v1\nkind: ClusterIssuer\nmetadata:\n  name: ca\nspec:\n  selfSigned: {}\n")
    write("web/keep.yaml", certificate("keep", ["keep.example.com"]))
    write("web/names.yaml", certificate("names", ["a.example.com"]))
    write("web/renew.yaml", certificate("renew", ["renew.example.com"]))
    write("web/gone.yaml", certificate("gone", ["gone.example.com"]))
    git("add", "--all")
    git("commit", "--quiet", "-m", "base")
    write("web/names.yaml", certificate("names", ["a.example.com", "b.example.com"]))
    write("web/renew.yaml", certificate("renew", ["renew.example.com"], "  renewBefore: 360h\n"))
    write("web/new.yaml", certificate("new", ["new.example.com"]))
    write("web/bad.yaml", certificate("bad", ["not a name"]))
    rmSync(join(dir, "web/gone.yaml"))
    git("add", "--all")
    git("commit", "--quiet", "-m", "change")

    const text = execFileSync(process.execPath, [certops, "plan", "HEAD~1", "HEAD", "--repository", dir], { encoding: "utf8" })
    const lines = text.trim().split("\n")
    expect(lines[0]).toMatch(/^deny\s+.*web\/bad\.yaml:\d+: invalid-dns-name/)
    expect(lines).toContain("create  Certificate web/new: web/new.yaml")
    expect(lines).toContain("reissue Certificate web/names: spec.dnsNames changed")
    expect(lines).toContain("update  Certificate web/renew: spec.renewBefore changed")
    expect(lines).toContain("prune   Certificate web/gone: Secret kept: gone-tls")
    expect(lines.at(-1)).toBe("1 deny, 1 create, 1 reissue, 1 update, 1 prune")
    expect(text).not.toMatch(/keep/)

    const json = JSON.parse(execFileSync(process.execPath, [certops, "plan", "HEAD~1", "HEAD", "--repository", dir, "--output", "json"], { encoding: "utf8" })) as { changes: ReadonlyArray<{ action: string }> }
    expect(json.changes.map((change) => change.action)).toEqual(["deny", "create", "reissue", "update", "prune"])
  }, 30_000)
})
