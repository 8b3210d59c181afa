// Reaching the test apiserver from tests: namespaces and the real kubectl.
import { execFileSync } from "node:child_process"
import * as k8s from "@kubernetes/client-node"
import { binaries } from "../env/binaries.ts"
import type { TestEnvironment } from "../env/environment.ts"
import { uniqueName } from "./env.ts"

export const kubeConfig = (env: TestEnvironment): k8s.KubeConfig => {
  const config = new k8s.KubeConfig()
  config.loadFromFile(env.kube.kubeconfig)
  return config
}

/** A fresh namespace, so that tests sharing the apiserver never see each other's objects. */
export const createNamespace = async (env: TestEnvironment, prefix: string): Promise<string> =>
  createNamespaceNamed(env, uniqueName(prefix))

export const createNamespaceNamed = async (env: TestEnvironment, name: string): Promise<string> => {
  await kubeConfig(env).makeApiClient(k8s.CoreV1Api).createNamespace({ body: { metadata: { name } } })
  return name
}

export const kubectl = (env: TestEnvironment, args: ReadonlyArray<string>, input?: string): string =>
  execFileSync(binaries.kubectl, ["--kubeconfig", env.kube.kubeconfig, ...args], { encoding: "utf8", ...(input === undefined ? {} : { input }) })

/** `kubectl apply -f -` of YAML, as a user applies a manifest. */
export const kubectlApply = (env: TestEnvironment, yaml: string): string => kubectl(env, ["apply", "-f", "-"], yaml)
