// The project's CRDs, applied once the apiserver is up, with the real kubectl
// (as a user would: `kubectl apply -k deploy/crds`).
import { execFile } from "node:child_process"
import { join } from "node:path"
import { Effect } from "effect"
import { binaries, requireBinary } from "./binaries.ts"
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
  })
