// Which store backend `certops run` will use: a cluster when one is
// configured, else the embedded store (DESIGN.md §5).
import { existsSync } from "node:fs"
import { homedir } from "node:os"
import { delimiter, join } from "node:path"

export type ClusterAccess =
  | { readonly _tag: "InCluster"; readonly server: string }
  | { readonly _tag: "Kubeconfig"; readonly path: string }
  | { readonly _tag: "None" }

const serviceAccountDir = "/var/run/secrets/kubernetes.io/serviceaccount"

/** Looks where kubectl and client libraries look, in the same order. */
export const detectCluster = (env: NodeJS.ProcessEnv = process.env, serviceAccount = serviceAccountDir): ClusterAccess => {
  const host = env["KUBERNETES_SERVICE_HOST"]
  if (host !== undefined && existsSync(join(serviceAccount, "token"))) {
    return { _tag: "InCluster", server: `https://${host}:${env["KUBERNETES_SERVICE_PORT"] ?? "443"}` }
  }
  const candidates =
    env["KUBECONFIG"] !== undefined && env["KUBECONFIG"] !== ""
      ? env["KUBECONFIG"].split(delimiter)
      : [join(env["HOME"] ?? homedir(), ".kube", "config")]
  const path = candidates.find((candidate) => candidate !== "" && existsSync(candidate))
  return path === undefined ? { _tag: "None" } : { _tag: "Kubeconfig", path }
}

export const describeClusterAccess = (access: ClusterAccess): string => {
  switch (access._tag) {
    case "InCluster":
      return `kubernetes (in-cluster service account, ${access.server})`
    case "Kubeconfig":
      return `kubernetes (kubeconfig ${access.path})`
    case "None":
      return "embedded (no kubeconfig and no in-cluster service account found)"
  }
}
