// The cert-manager manifests in the reference documents (shared/seeds) decode
// as certops resources: a manifest written for cert-manager works unchanged.
import { execFileSync } from "node:child_process"
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { isAbsolute, join } from "node:path"
import { Result } from "effect"
import { describe, expect, it } from "vitest"
import { parse } from "yaml"
import { decodeResource, formatFieldIssues } from "../../../src/api/decode.ts"

// The reference documents sit in shared/ beside the repository. A clone
// made elsewhere (git clone . /tmp/x) finds them beside the repository it
// was cloned from; with neither, the test fails on the missing directory.
const repoRoot = join(import.meta.dirname, "../../..")
const besideOrigin = (): ReadonlyArray<string> => {
  try {
    const origin = execFileSync("git", ["-C", repoRoot, "config", "--get", "remote.origin.url"], { encoding: "utf8" }).trim()
    return isAbsolute(origin) ? [join(origin, "..", "shared", "seeds")] : []
  } catch {
    return []
  }
}
const candidates = [join(repoRoot, "..", "shared", "seeds"), ...besideOrigin()]
const seedsDir = candidates.find((dir) => existsSync(dir)) ?? candidates[0]!
const seeds = readdirSync(seedsDir).filter((name) => name.endsWith(".md")).map((name) => readFileSync(join(seedsDir, name), "utf8"))
const quickstart = readFileSync(join(seedsDir, "quickstart-and-troubleshooting.md"), "utf8")

// The documents predate cert-manager 0.11 and use its old group
// (certmanager.k8s.io/v1alpha1). The fields they use kept their names in
// cert-manager.io/v1, the only version certops serves, so only apiVersion is
// rewritten; anything else that no longer fits would still fail here.
const legacyApiVersion = "certmanager.k8s.io/v1alpha1"
const toV1 = (apiVersion: string) => (apiVersion === legacyApiVersion ? "cert-manager.io/v1" : apiVersion)

const fencedBlocks = (markdown: string): ReadonlyArray<string> =>
  [...markdown.matchAll(/^```[^\n]*\n([\s\S]*?)^```/gm)].map((match) => match[1] ?? "")

/**
 * The YAML manifest in a code block: from its apiVersion line up to a shell
 * prompt (some blocks continue with the `kubectl create` that applies them),
 * dedented, since the quick start indents its examples.
 */
const manifestIn = (block: string): unknown => {
  const lines = block.split("\n")
  const start = lines.findIndex((line) => /^\s*apiVersion:/.test(line))
  const end = lines.findIndex((line, index) => index > start && /^\s*\$ /.test(line))
  const manifest = lines.slice(start, end === -1 ? undefined : end)
  const indent = /^\s*/.exec(manifest[0] ?? "")?.[0].length ?? 0
  return parse(manifest.map((line) => line.slice(indent)).join("\n"))
}

const expectDecodes = (manifest: unknown) => {
  const result = decodeResource(manifest)
  if (Result.isFailure(result)) expect.fail(formatFieldIssues(result.failure))
  return Result.getOrThrow(result)
}

describe("the reference documents' manifests", () => {
  const issuers = seeds
    .flatMap(fencedBlocks)
    .filter((block) => /^\s*kind: Issuer\s*$/m.test(block))
    .map(manifestIn) as ReadonlyArray<{ apiVersion: string; metadata: { name: string } }>

  it("include the quick start's staging and production issuers", () => {
    expect(issuers.map((issuer) => issuer.metadata.name)).toEqual(["letsencrypt-staging", "letsencrypt-prod"])
  })

  it.each(issuers.map((issuer) => [issuer.metadata.name, issuer] as const))("Issuer %s decodes", (_, issuer) => {
    const decoded = expectDecodes({ ...issuer, apiVersion: toV1(issuer.apiVersion) })
    expect(decoded.kind).toBe("Issuer")
    if (decoded.kind !== "Issuer") return
    expect(decoded.spec.acme?.solvers?.[0]?.http01?.ingress?.class).toBe("nginx")
    expect(decoded.spec.acme?.privateKeySecretRef.name).toBe(issuer.metadata.name)
  })

  // The quick start shows its Certificate only through `kubectl describe`;
  // rebuild the manifest from the fields that output names.
  const describedCertificates = fencedBlocks(quickstart)
    .filter((block) => /^\s*Kind:\s+Certificate$/m.test(block) && /^\s*Spec:$/m.test(block))
    .map((block) => {
      const field = (label: string) => new RegExp(`^\\s*${label}:\\s+(\\S+)$`, "m").exec(block)?.[1]
      const spec = block.slice(block.search(/^\s*Spec:$/m))
      const issuerRef = spec.slice(spec.search(/Issuer Ref:/))
      return {
        apiVersion: toV1(field("API Version") ?? ""),
        kind: "Certificate",
        metadata: { name: field("Name"), namespace: field("Namespace") },
        spec: {
          dnsNames: [/Dns Names:\s*\n\s*(\S+)/.exec(spec)?.[1]],
          issuerRef: { kind: /Kind:\s+(\S+)/.exec(issuerRef)?.[1], name: /Name:\s+(\S+)/.exec(issuerRef)?.[1] },
          secretName: /Secret Name:\s+(\S+)/.exec(spec)?.[1],
        },
      }
    })

  it("include the quick start's Certificate, first with the staging then with the production issuer", () => {
    expect(describedCertificates.map((certificate) => certificate.spec.issuerRef.name)).toEqual(["letsencrypt-staging", "letsencrypt-prod"])
  })

  it.each(describedCertificates.map((certificate) => [certificate.spec.issuerRef.name, certificate] as const))(
    "the Certificate issued by %s decodes",
    (_, certificate) => {
      const decoded = expectDecodes(certificate)
      expect(decoded).toEqual({
        apiVersion: "cert-manager.io/v1",
        kind: "Certificate",
        metadata: { name: "quickstart-example-tls", namespace: "default" },
        spec: {
          dnsNames: ["example.your-domain.com"],
          issuerRef: { kind: "Issuer", name: certificate.spec.issuerRef.name },
          secretName: "quickstart-example-tls",
        },
      })
    },
  )

  it("keep the old apiVersion an error, naming what certops serves", () => {
    const [issuer] = issuers
    const result = decodeResource(issuer)
    expect(Result.isFailure(result) && result.failure).toEqual([
      { path: "apiVersion", message: `Issuer is served as cert-manager.io/v1, not "${legacyApiVersion}"` },
    ])
  })
})
