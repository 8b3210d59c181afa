// `certops check` as CI runs it: a child process, file:line output and an
// exit code, or a JSON report.
import { spawnSync } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { goodDirectory, makeBadTree } from "../intents/fixture-tree.ts"

const certops = (args: ReadonlyArray<string>) => {
  const result = spawnSync(process.execPath, [join(import.meta.dirname, "../../../bin/certops.js"), ...args], {
    encoding: "utf8",
    env: { PATH: process.env["PATH"], HOME: mkdtempSync(join(tmpdir(), "certops-home-")) },
  })
  return { status: result.status, stdout: result.stdout, stderr: result.stderr }
}

const badTree = makeBadTree()
afterAll(() => rmSync(badTree, { recursive: true, force: true }))

interface Report {
  readonly ok: boolean
  readonly accepted: ReadonlyArray<{ kind: string; name: string; namespace?: string; file: string; line: number }>
  readonly rejected: ReadonlyArray<{ file: string; line?: number; rule: string; message: string }>
}

describe("certops check", () => {
  it("exits 0 on the good fixtures, with a summary", () => {
    const { status, stdout } = certops(["check", goodDirectory])
    expect(status).toBe(0)
    expect(stdout.trim()).toBe("7 intents accepted, no problems")
  })

  it("prints file:line: rule: message per problem and exits 1 on the bad fixtures", () => {
    const { status, stdout, stderr } = certops(["check", badTree, "--issuer", "ClusterIssuer/known"])
    expect(status).toBe(1)
    expect(stderr).toBe("")
    const lines = stdout.trim().split("\n")
    expect(lines).toContain("yaml-syntax.yaml:6: yaml-syntax: Nested mappings are not allowed in compact mappings")
    expect(lines).toContain(
      'policy-denied.yaml:11: policy: spec.dnsNames[1]: denied by policy "restricted-names" (.certops/policies/restricted.yaml), rule allowedDNSNames: "foo.evil.com" is not in *.example.com',
    )
    expect(lines).toContain("linked.yaml: symlink: is a symbolic link; certops reads regular files only, so a link cannot pull in content from elsewhere")
    expect(lines.slice(0, -1).every((line) => /^[^:]+(:\d+)?: [a-z0-9-]+: /.test(line))).toBe(true)
    expect(lines.at(-1)).toMatch(/^3 intents accepted, \d+ problems in \d+ files$/)
  })

  it("treats issuers it is not told about as unknown", () => {
    const { stdout } = certops(["check", badTree])
    expect(stdout).toContain("duplicate-a.yaml:8: unknown-issuer: spec.issuerRef.name: ClusterIssuer known is declared nowhere")
  })

  it("prints a machine-readable report with --output json", () => {
    const { status, stdout } = certops(["check", badTree, "--issuer", "ClusterIssuer/known", "--output", "json"])
    expect(status).toBe(1)
    const report = JSON.parse(stdout) as Report
    expect(report.ok).toBe(false)
    expect(report.accepted.map(({ kind, name }) => `${kind} ${name}`).sort()).toEqual([
      "Certificate first-is-fine", "ClusterIssuer http-only", "Issuer team-a-ca",
    ])
    expect(report.accepted.find(({ name }) => name === "first-is-fine")).toEqual({
      kind: "Certificate", namespace: "default", name: "first-is-fine", file: "second-document-bad.yaml", documentIndex: 0, line: 2,
    })
    expect(report.rejected).toContainEqual(expect.objectContaining({ file: "unknown-issuer.yaml", line: 9, rule: "unknown-issuer", path: "spec.issuerRef.name" }))
    expect(stdout).not.toContain("c3VwZXItc2VjcmV0")
  })

  it("reports ok in JSON on the good fixtures", () => {
    const { status, stdout } = certops(["check", goodDirectory, "--output", "json"])
    expect(status).toBe(0)
    expect(JSON.parse(stdout)).toMatchObject({ ok: true, rejected: [] })
  })

  it("takes the default namespace and the policy directory as flags", () => {
    const { stdout } = certops(["check", goodDirectory, "--default-namespace", "prod", "--output", "json"])
    const report = JSON.parse(stdout) as Report
    // web and root land in prod, where the repository's policy wants *.example.com names and a team label.
    expect(report.rejected.map(({ file, rule }) => `${file} ${rule}`)).toContain("certificates.yaml policy")
    const ignoringPolicies = JSON.parse(certops(["check", goodDirectory, "--default-namespace", "prod", "--policy-dir", "none", "--output", "json"]).stdout) as Report
    expect(ignoringPolicies.rejected.filter(({ rule }) => rule === "policy")).toEqual([])
  })

  it("refuses a malformed --issuer", () => {
    const { status, stderr } = certops(["check", goodDirectory, "--issuer", "letsencrypt"])
    expect(status).toBe(1)
    expect(stderr).toContain('"letsencrypt" is not ClusterIssuer/<name> or Issuer/<namespace>/<name>')
  })
})
