import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Duration, Redacted, Result } from "effect"
import { describe, expect, it } from "vitest"
import { fromFile, resolveConfig } from "../../../src/settings/resolve-config.ts"

const none = { _tag: "None" } as const
const dir = mkdtempSync(join(tmpdir(), "certops-config-"))

describe("resolveConfig", () => {
  it("takes flags over environment over file over defaults", () => {
    const result = resolveConfig({
      flags: { "git-url": "https://flag.example/repo.git" },
      env: { CERTOPS_GIT_URL: "https://env.example/repo.git", CERTOPS_GIT_BRANCH: "release", HOME: dir },
      file: { "git-branch": "file-branch", "git-path": "clusters/prod", "poll-interval": "30 seconds" },
      cluster: none,
    })
    expect(Result.isSuccess(result)).toBe(true)
    const config = Result.getOrThrow(result)
    expect(config.git.url).toBe("https://flag.example/repo.git")
    expect(config.git.branch).toBe("release")
    expect(config.git.path).toBe("clusters/prod")
    expect(Duration.toSeconds(Duration.fromInputUnsafe(config.git.pollInterval))).toBe(30)
    expect(config.store).toEqual({ backend: "embedded", stateDir: join(dir, ".local", "state", "certops", "store") })
  })

  it("reads secrets from files and chooses the kubernetes store when a cluster is found", () => {
    writeFileSync(join(dir, "token"), "ghp_secret\n")
    const config = Result.getOrThrow(
      resolveConfig({
        flags: { "git-url": "https://git.example/r.git", "git-token-file": join(dir, "token"), "http01-ingress-service": "certops-acme-http01:8089" },
        env: {},
        cluster: { _tag: "Kubeconfig", path: "/somewhere" },
      }),
    )
    expect(Redacted.value(config.git.token!)).toBe("ghp_secret")
    expect(config.store.backend).toBe("kubernetes")
    expect(config.issuance.http01IngressService).toEqual({ name: "certops-acme-http01", port: 8089 })
    expect(config.issuance.maxConcurrentReconciles).toBe(25)
  })

  it("reports every problem, naming the setting", () => {
    const result = resolveConfig({
      flags: { "http-port": "eighty", "poll-interval": "soon", store: "postgres", "git-password-file": join(dir, "missing"), "max-concurrent-challenges": "0", "max-concurrent-reconciles": "many" },
      env: {},
      cluster: none,
    })
    expect(Result.isFailure(result)).toBe(true)
    const problems = Result.isFailure(result) ? result.failure.join("\n") : ""
    expect(problems).toMatch(/^git-url: required/m)
    expect(problems).toMatch(/^http-port: "eighty" is not a port number/m)
    expect(problems).toMatch(/^poll-interval: "soon" is not a duration/m)
    expect(problems).toMatch(/^store: "postgres"/m)
    expect(problems).toMatch(/^git-password-file: cannot read/m)
    expect(problems).toMatch(/^max-concurrent-challenges: "0" is not a whole number of at least 1/m)
    expect(problems).toMatch(/^max-concurrent-reconciles: "many" is not a whole number of at least 1/m)
  })

  it("takes cert-manager's DNS-01 viewpoint settings: recursive nameservers (DoH too), recursive-only, the authoritative port", () => {
    const config = Result.getOrThrow(
      resolveConfig({
        flags: { "git-url": "https://git.example/r.git", "self-check-nameservers": "10.0.0.53:53, https://dns.example/dns-query", "self-check-recursive-only": "true" },
        env: { CERTOPS_SELF_CHECK_AUTHORITATIVE_PORT: "5353" },
        cluster: none,
      }),
    )
    expect(config.issuance.selfCheckNameservers).toEqual(["10.0.0.53:53", "https://dns.example/dns-query"])
    expect(config.issuance.selfCheckRecursiveOnly).toBe(true)
    expect(config.issuance.selfCheckAuthoritativePort).toBe(5353)
    const defaults = Result.getOrThrow(resolveConfig({ flags: { "git-url": "https://git.example/r.git" }, env: {}, cluster: none }))
    expect(defaults.issuance.selfCheckRecursiveOnly).toBe(false)
    expect(defaults.issuance.selfCheckAuthoritativePort).toBe(53)
    const bad = resolveConfig({ flags: { "git-url": "https://git.example/r.git", "self-check-recursive-only": "sometimes" }, env: {}, cluster: none })
    expect(Result.isFailure(bad) ? bad.failure : []).toEqual(['self-check-recursive-only: "sometimes" is neither "true" nor "false"'])
  })

  it("logs JSON unless on a terminal, and takes --log-format either way", () => {
    const base = { flags: { "git-url": "https://git.example/r.git" }, env: {}, cluster: none }
    expect(Result.getOrThrow(resolveConfig(base)).logFormat).toBe("json")
    expect(Result.getOrThrow(resolveConfig({ ...base, terminal: true })).logFormat).toBe("text")
    expect(Result.getOrThrow(resolveConfig({ ...base, terminal: true, flags: { ...base.flags, "log-format": "json" } })).logFormat).toBe("json")
    const bad = resolveConfig({ ...base, flags: { ...base.flags, "log-format": "yaml" } })
    expect(Result.isFailure(bad) ? bad.failure : []).toEqual(['log-format: "yaml" is neither "text" nor "json"'])
  })

  it("refuses unknown keys in the config file", () => {
    writeFileSync(join(dir, "certops.yaml"), "git-url: x\ngit-brnch: main\n")
    const result = fromFile(join(dir, "certops.yaml"))
    expect(Result.isFailure(result) ? result.failure : "").toMatch(/unknown setting git-brnch/)
  })
})
