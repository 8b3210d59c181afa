// isomorphic-git clones, commits and pushes over smart HTTP with basic auth.
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import git from "isomorphic-git"
import http from "isomorphic-git/http/node"
import { describe, expect, it } from "vitest"
import { testEnvironment, uniqueName } from "../../support/env.ts"
import { createBareRepository } from "../../support/git.ts"

describe("git smart-HTTP server", () => {
  const env = testEnvironment()
  const author = { name: "certops test", email: "test@certops.invalid" }

  it("serves clone, commit and push to an authenticated user", async () => {
    const name = uniqueName("intents")
    const bare = createBareRepository(env.git.root, name, { "README.md": "intents\n" })
    const dir = mkdtempSync(join(tmpdir(), "certops-clone-"))
    const url = `${env.git.url}/${name}.git`
    const onAuth = () => ({ username: env.git.username, password: env.git.password })

    await git.clone({ fs, http, dir, url, onAuth, singleBranch: true, ref: "main" })
    expect(fs.readFileSync(join(dir, "README.md"), "utf8")).toBe("intents\n")

    writeFileSync(join(dir, "certificate.yaml"), "kind: Certificate\n")
    await git.add({ fs, dir, filepath: "certificate.yaml" })
    const sha = await git.commit({ fs, dir, message: "add a certificate", author })
    const pushed = await git.push({ fs, http, dir, url, onAuth, ref: "main" })
    expect(pushed.ok).toBe(true)

    expect(execFileSync("git", ["-C", bare, "rev-parse", "main"], { encoding: "utf8" }).trim()).toBe(sha)
  })

  it("refuses a push with wrong credentials and keeps the branch as it was", async () => {
    const name = uniqueName("guarded")
    const bare = createBareRepository(env.git.root, name, { "README.md": "guarded\n" })
    const before = execFileSync("git", ["-C", bare, "rev-parse", "main"], { encoding: "utf8" }).trim()
    const dir = mkdtempSync(join(tmpdir(), "certops-clone-"))
    const url = `${env.git.url}/${name}.git`
    await git.clone({ fs, http, dir, url, onAuth: () => ({ username: env.git.username, password: env.git.password }) })

    writeFileSync(join(dir, "evil.yaml"), "kind: Certificate\n")
    await git.add({ fs, dir, filepath: "evil.yaml" })
    await git.commit({ fs, dir, message: "should not land", author })
    const push = git.push({
      fs, http, dir, url, ref: "main",
      onAuth: () => ({ username: env.git.username, password: "wrong" }),
    })
    await expect(push).rejects.toMatchObject({ data: { statusCode: 401 } })
    expect(execFileSync("git", ["-C", bare, "rev-parse", "main"], { encoding: "utf8" }).trim()).toBe(before)
  })
})
