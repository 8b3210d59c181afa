// The README's start command on a fresh machine: with nothing configured,
// `certops run` (what `npm start` runs) issues the bundled examples into the
// embedded store, commits status, and exits cleanly on Ctrl-C.
import { execFileSync, spawn } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync } from "node:fs"
import { X509Certificate } from "node:crypto"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { until } from "../../support/poll.ts"

const repoRoot = join(import.meta.dirname, "../../..")

describe("the first run", () => {
  it("issues the examples on the embedded store, commits status, and stops cleanly on Ctrl-C", async () => {
    const home = mkdtempSync(join(tmpdir(), "certops-newcomer-"))
    const manifest = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { scripts: { start: string } }
    // The start script is `./bin/certops.js run` (its first line names node and its flags); run exactly that, with ports that cannot collide.
    const [command = "", ...args] = manifest.scripts.start.split(" ")
    expect(command).toBe("./bin/certops.js")
    const child = spawn(join(repoRoot, command), args, {
      cwd: repoRoot,
      env: { PATH: process.env["PATH"], HOME: home, CERTOPS_HTTP_PORT: "0", CERTOPS_WEBHOOK_PORT: "0", CERTOPS_HTTP01_PORT: "0" },
      stdio: ["ignore", "pipe", "pipe"],
    })
    let output = ""
    child.stdout.on("data", (chunk) => (output += chunk))
    child.stderr.on("data", (chunk) => (output += chunk))
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
    try {
      const state = join(home, ".local", "state", "certops")
      const examples = join(state, "examples")
      const secret = join(state, "store", "secrets", "web", "www-tls", "tls.crt")
      await until("a certificate on disk", async () => (existsSync(secret) ? true : undefined), 60_000)
      const certificate = new X509Certificate(readFileSync(secret))
      expect(certificate.subjectAltName).toMatch(/DNS:/)
      const log = await until(
        "a status commit",
        async () => {
          try {
            return execFileSync("git", ["-C", examples, "log", "--format=%s", "certops/status"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] })
          } catch {
            return undefined
          }
        },
        60_000,
      )
      expect(log).toMatch(/^status: /m)
      // Every example is Ready, the keystore one too: its password Secret was made for the first run.
      const summary = await until(
        "every example Ready in STATUS.md",
        async () => {
          try {
            const text = execFileSync("git", ["-C", examples, "show", "certops/status:STATUS.md"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] })
            return /\[api\/payments\]/.test(text) && !/❌|❔/.test(text) ? text : undefined
          } catch {
            return undefined
          }
        },
        60_000,
      )
      expect(summary).toMatch(/www/)
      for (const name of ["api/api", "api/payments", "web/static", "web/www"]) expect(summary).toContain(`[${name}]`)
      expect(existsSync(join(state, "store", "secrets", "api", "payments-tls", "keystore.p12"))).toBe(true)
      expect(output).toMatch(/the payments example's keystore password is Secret api\/payments-keystore-password in the embedded store \(made just now, a random one\)/)
    } finally {
      child.kill("SIGINT")
    }
    expect(await exited).toBe(0)
    expect(output).not.toMatch(/PRIVATE KEY/)
  }, 120_000)
})
