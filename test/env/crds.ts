// The project's CRDs, applied once the apiserver is up, with the real kubectl
// (as a user would: `kubectl apply -k deploy/crds`).
import { execFile } from "node:child_process"
import { existsSync } from "node:fs"
import { dirname, join } from "node:path"
import { Effect } from "effect"
import { binaries, gatewayApiCrdDir, requireBinary } from "./binaries.ts"
import { ComponentError } from "./errors.ts"

const crdDir = join(import.meta.dirname, "../../deploy/crds")

const kubectl = (kubeconfig: string, args: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const command = yield* requireBinary("kubectl", binaries.kubectl)
    yield* Effect.callback<void, ComponentError>((resume) => {
      execFile(command, ["--kubeconfig", kubeconfig, ...args], { timeout: 120_000 }, (error, _stdout, stderr) =>
        resume(error === null ? Effect.void : Effect.fail(new ComponentError({ component: "kubectl", detail: `kubectl ${args.join(" ")}: ${stderr || error.message}` }))),
      )
    })
  })

export const applyProjectCrds = (kubeconfig: string): Effect.Effect<void, ComponentError> =>
  Effect.gen(function* () {
    yield* kubectl(kubeconfig, ["apply", "--server-side", "-k", crdDir])
    yield* kubectl(kubeconfig, ["wait", "--for=condition=Established", "--timeout=60s", "crd", "-l", "app.kubernetes.io/name=certops"])
    // The Gateway API's, as its release installs them: gateway-shim and HTTPRoute solving run against them.
    const gatewayCrds = yield* requireFile("the Gateway API CRDs", join(gatewayApiCrdDir, "gateway.networking.k8s.io_httproutes.yaml"))
    yield* kubectl(kubeconfig, ["apply", "--server-side", "-f", dirname(gatewayCrds)])
    yield* kubectl(kubeconfig, ["wait", "--for=condition=Established", "--timeout=60s", "crd", "gateways.gateway.networking.k8s.io", "httproutes.gateway.networking.k8s.io"])
  })

/** Fails loudly, naming the setup script, when a fetched file is missing. */
const requireFile = (what: string, path: string): Effect.Effect<string, ComponentError> =>
  existsSync(path) ? Effect.succeed(path) : Effect.fail(new ComponentError({ component: what, detail: `${path} is missing: run test/env/setup.sh` }))
