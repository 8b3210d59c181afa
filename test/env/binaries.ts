// Where the built and installed test binaries are. Versions come from
// versions.sh, the one place they are pinned.
import { createHash } from "node:crypto"
import { accessSync, constants, readFileSync } from "node:fs"
import { homedir } from "node:os"
import { join } from "node:path"
import { Effect } from "effect"
import { ComponentError } from "./errors.ts"

const versions = Object.fromEntries(
  readFileSync(new URL("./versions.sh", import.meta.url), "utf8")
    .split("\n")
    .map((line) => /^([A-Z_]+)=(v[0-9][^\s]*)$/.exec(line))
    .filter((match) => match !== null)
    .map((match) => [match[1], match[2]]),
) as Record<string, string>

export const kubernetesVersion = versions["KUBERNETES_VERSION"] ?? "unknown"
export const etcdVersion = versions["ETCD_VERSION"] ?? "unknown"
export const certManagerVersion = versions["CERT_MANAGER_VERSION"] ?? "unknown"
export const gatewayApiVersion = versions["GATEWAY_API_VERSION"] ?? "unknown"

// build-binaries.sh keys the solver by its source, so an edit rebuilds it.
const webhookSolverSha = createHash("sha256")
  .update(readFileSync(new URL("./go/webhook-solver/main.go", import.meta.url)))
  .digest("hex")
  .slice(0, 12)

export const cacheDir =
  process.env["CERTOPS_CACHE"] ?? join(process.env["XDG_CACHE_HOME"] ?? join(homedir(), ".cache"), "certops")

/** The Gateway API's standard CRDs, fetched by build-binaries.sh. */
export const gatewayApiCrdDir = join(cacheDir, `gateway-api-${gatewayApiVersion}`)

const builtBinary = (name: string, version: string) => join(cacheDir, "bin", `${name}-${version}`)

export const binaries = {
  kubeApiserver: builtBinary("kube-apiserver", kubernetesVersion),
  kubectl: builtBinary("kubectl", kubernetesVersion),
  etcd: builtBinary("etcd", etcdVersion),
  webhookSolver: builtBinary("certops-webhook-solver", webhookSolverSha),
  pebble: "/usr/bin/pebble",
  named: "/usr/sbin/named",
  nsupdate: "/usr/bin/nsupdate",
  dig: "/usr/bin/dig",
  git: "/usr/bin/git",
} as const

/** Fails loudly, naming the setup script, when a binary is missing. */
export const requireBinary = (component: string, path: string): Effect.Effect<string, ComponentError> =>
  Effect.try({
    try: () => {
      accessSync(path, constants.X_OK)
      return path
    },
    catch: () =>
      new ComponentError({
        component,
        detail: `binary ${path} is missing: run \`npm run setup\` (test/env/setup.sh) to install and build the test environment`,
      }),
  })
