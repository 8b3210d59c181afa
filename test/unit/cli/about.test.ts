// `certops` with no arguments prints its version and the components it found.
import { execFileSync } from "node:child_process"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import manifest from "../../../package.json" with { type: "json" }

const certops = (args: ReadonlyArray<string>, env: NodeJS.ProcessEnv) =>
  execFileSync(process.execPath, [join(import.meta.dirname, "../../../bin/certops.js"), ...args], {
    encoding: "utf8",
    env: { PATH: process.env["PATH"], ...env },
  })

describe("certops", () => {
  it("runs on Node 24 or newer", () => {
    expect(Number(process.versions.node.split(".")[0])).toBeGreaterThanOrEqual(24)
  })

  it("prints its version, the store it would use and its libraries", () => {
    const output = certops([], { HOME: mkdtempSync(join(tmpdir(), "certops-home-")) })
    expect(output).toContain(`certops ${manifest.version}`)
    expect(output).toMatch(/^store\s+embedded/m)
    expect(output).toMatch(/^library\s+effect 4\.\d+\.\d+$/m)
    expect(output).not.toMatch(/missing/)
  })

  it("answers --version", () => {
    expect(certops(["--version"], {}).trim()).toBe(`certops v${manifest.version}`)
  })
})
