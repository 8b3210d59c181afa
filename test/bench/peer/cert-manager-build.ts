// The peer: cert-manager's controller v1.21.1, built from its published
// source for the side-by-side benchmark, and cached like the test binaries.
// The source tree comes from CERT_MANAGER_SRC (a checkout of the tag), or a
// clone of the tag when that is unset and the network allows. The Go module
// proxy does not serve github.com/Venafi/vcert/v5, so the controller is built
// without its Venafi issuer: the blank import that registers it is dropped,
// and the two controller names the defaults list are written out as strings.
import { execFileSync, spawnSync } from "node:child_process"
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs"
import { homedir, tmpdir } from "node:os"
import { join } from "node:path"

export const certManagerVersion = "v1.21.1"

export interface PeerBuild {
  readonly binary: string
  /** cert-manager's own CRDs, from the same source. */
  readonly crdsDir: string
  /** What was left out of the build, for the output. */
  readonly without: string
}

const cacheRoot = () => process.env["CERTOPS_CACHE"] ?? join(process.env["XDG_CACHE_HOME"] ?? join(homedir(), ".cache"), "certops")

const without = "the Venafi issuer (github.com/Venafi/vcert/v5 is not served by the Go module proxy)"

/** The source tree: CERT_MANAGER_SRC, or a fresh clone of the tag. */
const sourceTree = (): { readonly dir: string } | { readonly problem: string } => {
  const given = process.env["CERT_MANAGER_SRC"]
  if (given !== undefined && given !== "") {
    return existsSync(join(given, "cmd", "controller", "go.mod")) ? { dir: given } : { problem: `CERT_MANAGER_SRC=${given} holds no cmd/controller/go.mod` }
  }
  const dir = mkdtempSync(join(tmpdir(), "cert-manager-src-"))
  const clone = spawnSync("git", ["clone", "--quiet", "--depth", "1", "--branch", certManagerVersion, "https://github.com/cert-manager/cert-manager.git", dir], { encoding: "utf8", timeout: 120_000 })
  if (clone.status !== 0) {
    return { problem: `CERT_MANAGER_SRC is unset and cloning ${certManagerVersion} failed: ${(clone.stderr || clone.error?.message || "").trim().split("\n").pop()}` }
  }
  return { dir }
}

const edit = (path: string, change: (text: string) => string) => writeFileSync(path, change(readFileSync(path, "utf8")))

/** The cached build, or a new one (about 3 minutes); a sentence saying why not when it cannot be had. */
export const certManagerPeer = (): PeerBuild | { readonly problem: string } => {
  const home = join(cacheRoot(), `cert-manager-${certManagerVersion}`)
  const binary = join(home, "controller")
  const crdsDir = join(home, "crds")
  if (existsSync(binary) && existsSync(crdsDir)) return { binary, crdsDir, without }

  const source = sourceTree()
  if ("problem" in source) return source
  const work = mkdtempSync(join(tmpdir(), "cert-manager-build-"))
  try {
    // The whole tree (the controller imports third_party/ and test/unit/ too), its .git aside.
    cpSync(source.dir, work, { recursive: true, filter: (path) => !path.split("/").includes(".git") })
    edit(join(work, "cmd/controller/app/start.go"), (text) => text.replace(/^\s*_ "github.com\/cert-manager\/cert-manager\/pkg\/issuer\/venafi"\n/m, ""))
    edit(join(work, "internal/apis/config/controller/v1alpha1/defaults.go"), (text) =>
      text
        .replace(/^\s*c?s?r?venaficontroller "github.com\/cert-manager\/cert-manager\/pkg\/controller\/certificate(signing)?requests\/venafi"\n/gm, "")
        .replaceAll("crvenaficontroller.CRControllerName", '"certificaterequests-issuer-venafi"')
        .replaceAll("csrvenaficontroller.CSRControllerName", '"certificatesigningrequests-issuer-venafi"'),
    )
    mkdirSync(home, { recursive: true })
    console.log(`  building cert-manager's controller ${certManagerVersion} from ${source.dir} (without ${without}) …`)
    const started = performance.now()
    const build = spawnSync("go", ["build", "-trimpath", "-ldflags=-s -w", "-o", `${binary}.tmp`, "."], {
      cwd: join(work, "cmd/controller"),
      env: { ...process.env, GOFLAGS: "-mod=mod", CGO_ENABLED: "0" },
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    })
    if (build.status !== 0) return { problem: `go build of cert-manager's controller failed: ${build.stderr.trim().split("\n").slice(-5).join(" | ")}` }
    execFileSync("mv", [`${binary}.tmp`, binary])
    mkdirSync(crdsDir, { recursive: true })
    for (const file of readdirSync(join(work, "deploy/crds")).filter((name) => name.endsWith(".yaml"))) cpSync(join(work, "deploy/crds", file), join(crdsDir, file))
    console.log(`  built in ${((performance.now() - started) / 1000).toFixed(0)} s → ${binary}`)
    return { binary, crdsDir, without }
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}
