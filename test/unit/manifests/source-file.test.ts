// Where a file is and what it is decide whether it is read at all.
import { describe, expect, it } from "vitest"
import { admitFile, routeFile } from "../../../src/manifests/source-file.ts"
import { file } from "../intents/support.ts"

const layout = { directory: "clusters/prod", policyDirectory: ".certops/policies" }

describe("routeFile", () => {
  it.each([
    ["clusters/prod/web.yaml", "intent"],
    ["clusters/prod/apps/api/api.yml", "intent"],
    ["clusters/prod/WEB.YAML", "intent"],
    ["./clusters/prod//web.yaml", "intent"],
    ["clusters/prod/README.md", "ignored"],
    ["clusters/prod/kustomization.json", "ignored"],
    ["clusters/prod/.github/workflows/ci.yml", "ignored"],
    ["clusters/prod/.hidden.yaml", "ignored"],
    [".certops/policies/prod.yaml", "policy"],
    [".certops/policies/notes.txt", "ignored"],
  ])("%s → %s", (path, route) => {
    expect(routeFile(path, layout)).toBe(route)
  })

  it.each([
    ["clusters/staging/web.yaml", /outside the tracked directory "clusters\/prod"/],
    ["clusters/prod-old/web.yaml", /outside the tracked directory/],
    ["clusters/prod", /outside the tracked directory/],
    ["clusters/prod/../staging/web.yaml", /contains "\.\."/],
    ["../x.yaml", /contains "\.\."/],
    ["clusters/prod/../prod/web.yaml", /contains "\.\."/],
    ["/etc/passwd.yaml", /absolute path/],
    ["C:/certs/web.yaml", /absolute path/],
  ])("rejects %s as outside-directory", (path, message) => {
    expect(routeFile(path, layout)).toEqual({ file: path, rule: "outside-directory", message: expect.stringMatching(message) })
  })

  it("takes every file under the repository root when the tracked directory is the root", () => {
    const root = { directory: "", policyDirectory: ".certops/policies" }
    expect(routeFile("web.yaml", root)).toBe("intent")
    expect(routeFile("a/b/web.yaml", root)).toBe("intent")
    expect(routeFile("../web.yaml", root)).toMatchObject({ rule: "outside-directory" })
  })

  it("reads a policy directory inside the tracked directory as policies, not intents", () => {
    expect(routeFile("clusters/prod/policies/p.yaml", { directory: "clusters/prod", policyDirectory: "clusters/prod/policies" })).toBe("policy")
  })
})

describe("admitFile", () => {
  it("refuses a symlink without reading what it points at", () => {
    expect(admitFile(file("web.yaml", "/etc/shadow", true), 1024)).toMatchObject({ file: "web.yaml", rule: "symlink" })
    expect(admitFile(file("web.yaml", "/etc/shadow", true), 1024)?.message).not.toContain("/etc/shadow")
  })

  it("refuses a file over the size limit, and admits one at the limit", () => {
    expect(admitFile(file("big.yaml", "x".repeat(1025)), 1024)).toEqual({ file: "big.yaml", rule: "oversized", message: "is 1025 bytes; the limit is 1 KiB" })
    expect(admitFile(file("ok.yaml", "x".repeat(1024)), 1024)).toBeUndefined()
  })
})
