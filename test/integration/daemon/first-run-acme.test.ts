// The first run pointed at an ACME server with one flag: --acme-server adds
// the examples' ACME ClusterIssuer, aimed at that directory (here pebble,
// whose private CA comes with --acme-ca-file), and it registers its account.
import { spawn } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { testEnvironment } from "../../support/env.ts"
import { until } from "../../support/poll.ts"

const repoRoot = join(import.meta.dirname, "../../..")

describe("the first run with --acme-server", () => {
  it("registers the examples' ACME issuer with that server", async () => {
    const env = testEnvironment()
    const home = mkdtempSync(join(tmpdir(), "certops-acme-newcomer-"))
    writeFileSync(join(home, "pebble-ca.pem"), env.acme.tlsCaPem)
    const child = spawn(
      process.execPath,
      ["bin/certops.js", "run", "--acme-server", env.acme.directoryUrl, "--acme-ca-file", join(home, "pebble-ca.pem")],
      { cwd: repoRoot, env: { PATH: process.env["PATH"], HOME: home, CERTOPS_HTTP_PORT: "0", CERTOPS_WEBHOOK_PORT: "0", CERTOPS_HTTP01_PORT: "0" }, stdio: "ignore" },
    )
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
    try {
      const issuer = join(home, ".local/state/certops/store/objects/clusterissuers.cert-manager.io/_cluster/letsencrypt-staging.json")
      const registered = await until(
        "the ACME issuer to register",
        async () => {
          if (!existsSync(issuer)) return undefined
          const object = JSON.parse(readFileSync(issuer, "utf8")) as { spec: { acme: { server: string } }; status?: { conditions?: ReadonlyArray<{ type: string; status: string; reason: string }>; acme?: { uri?: string } } }
          return object.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ? object : undefined
        },
        60_000,
      )
      expect(registered.spec.acme.server).toBe(env.acme.directoryUrl)
      expect(registered.status?.conditions?.find((c) => c.type === "Ready")?.reason).toBe("ACMEAccountRegistered")
      expect(registered.status?.acme?.uri).toMatch(/^https:\/\/127\.0\.0\.1:\d+\//)
    } finally {
      child.kill("SIGINT")
    }
    expect(await exited).toBe(0)
  }, 120_000)
})
