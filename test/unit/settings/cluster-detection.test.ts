import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { describeClusterAccess, detectCluster } from "../../../src/settings/cluster-detection.ts"

const scratch = () => mkdtempSync(join(tmpdir(), "certops-detect-"))

describe("detectCluster", () => {
  it("finds nothing in an empty home, so the embedded store is used", () => {
    const home = scratch()
    const access = detectCluster({ HOME: home }, join(home, "no-service-account"))
    expect(access).toEqual({ _tag: "None" })
    expect(describeClusterAccess(access)).toMatch(/^embedded/)
  })

  it("uses ~/.kube/config when KUBECONFIG is unset", () => {
    const home = scratch()
    mkdirSync(join(home, ".kube"))
    writeFileSync(join(home, ".kube", "config"), "apiVersion: v1\n")
    expect(detectCluster({ HOME: home }, join(home, "none"))).toEqual({ _tag: "Kubeconfig", path: join(home, ".kube", "config") })
  })

  it("takes the first existing file of a KUBECONFIG list", () => {
    const dir = scratch()
    writeFileSync(join(dir, "b"), "apiVersion: v1\n")
    const access = detectCluster({ HOME: dir, KUBECONFIG: `${join(dir, "a")}:${join(dir, "b")}` }, join(dir, "none"))
    expect(access).toEqual({ _tag: "Kubeconfig", path: join(dir, "b") })
  })

  it("prefers the in-cluster service account when its token is mounted", () => {
    const dir = scratch()
    writeFileSync(join(dir, "token"), "t")
    const access = detectCluster({ KUBERNETES_SERVICE_HOST: "10.0.0.1", KUBERNETES_SERVICE_PORT: "6443", HOME: dir }, dir)
    expect(access).toEqual({ _tag: "InCluster", server: "https://10.0.0.1:6443" })
  })
})
