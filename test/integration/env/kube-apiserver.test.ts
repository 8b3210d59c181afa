// The test control plane behaves as a real one: CRDs, watches, the status
// subresource and optimistic concurrency.
import * as k8s from "@kubernetes/client-node"
import { describe, expect, it } from "vitest"
import { testEnvironment, uniqueName } from "../../support/env.ts"
import { until } from "../../support/poll.ts"

const group = "envtest.certops.io"

const widgetCrd = (plural: string): k8s.V1CustomResourceDefinition => ({
  apiVersion: "apiextensions.k8s.io/v1",
  kind: "CustomResourceDefinition",
  metadata: { name: `${plural}.${group}` },
  spec: {
    group,
    scope: "Namespaced",
    names: { plural, singular: plural.slice(0, -1), kind: "Widget", listKind: "WidgetList" },
    versions: [
      {
        name: "v1",
        served: true,
        storage: true,
        subresources: { status: {} },
        schema: {
          openAPIV3Schema: {
            type: "object",
            properties: {
              spec: { type: "object", properties: { size: { type: "integer" } } },
              status: { type: "object", properties: { state: { type: "string" } } },
            },
          },
        },
      },
    ],
  },
})

describe("kube-apiserver", () => {
  const env = testEnvironment()
  const kc = new k8s.KubeConfig()
  kc.loadFromFile(env.kube.kubeconfig)

  it("is served on loopback with the admin client certificate", async () => {
    expect(new URL(env.kube.server).hostname).toBe("127.0.0.1")
    const version = await kc.makeApiClient(k8s.VersionApi).getCode()
    expect(version.gitVersion).toMatch(/^v1\.(3[4-9]|[4-9]\d)\./)
  })

  it("establishes a CRD, watches a custom object, updates status, rejects a stale write", async () => {
    const plural = `${uniqueName("widgets").replace(/-/g, "")}s`
    const extensions = kc.makeApiClient(k8s.ApiextensionsV1Api)
    await extensions.createCustomResourceDefinition({ body: widgetCrd(plural) })
    await until("the CRD to be Established", async () => {
      const crd = await extensions.readCustomResourceDefinition({ name: `${plural}.${group}` })
      return crd.status?.conditions?.find((c) => c.type === "Established" && c.status === "True")
    })

    const namespace = "default"
    const custom = kc.makeApiClient(k8s.CustomObjectsApi)
    const seen: Array<string> = []
    // A new CRD's watch cache may still be starting: the apiserver answers
    // 429 with Retry-After until it is, and a client watches again.
    const connectWatch = async (): Promise<AbortController> => {
      for (;;) {
        let status: number | undefined
        const controller = await new k8s.Watch(kc).watch(
          `/apis/${group}/v1/namespaces/${namespace}/${plural}`,
          {},
          (phase: string, object: { status?: { state?: string } }) => seen.push(`${phase}:${object.status?.state ?? ""}`),
          (error: { statusCode?: number } | null) => {
            status = error?.statusCode
            if (error && status !== 429) seen.push(`DONE:${String(error)}`)
          },
        )
        if (status !== 429) return controller
        await new Promise((resolve) => setTimeout(resolve, 200))
      }
    }
    const controller = await connectWatch()
    try {
      const created = (await custom.createNamespacedCustomObject({
        group, version: "v1", namespace, plural,
        body: { apiVersion: `${group}/v1`, kind: "Widget", metadata: { name: "w1" }, spec: { size: 1 } },
      })) as { metadata: { resourceVersion: string } }

      const updated = (await custom.replaceNamespacedCustomObjectStatus({
        group, version: "v1", namespace, plural, name: "w1",
        body: { apiVersion: `${group}/v1`, kind: "Widget", metadata: { name: "w1", resourceVersion: created.metadata.resourceVersion }, spec: { size: 1 }, status: { state: "ready" } },
      })) as { metadata: { resourceVersion: string }; status: { state: string } }
      expect(updated.status.state).toBe("ready")
      expect(updated.metadata.resourceVersion).not.toBe(created.metadata.resourceVersion)

      await until(`ADDED and MODIFIED events (seen: ${seen.join(", ")})`, async () =>
        seen.includes("ADDED:") && seen.includes("MODIFIED:ready") ? true : undefined,
      )

      const stale = custom.replaceNamespacedCustomObject({
        group, version: "v1", namespace, plural, name: "w1",
        body: { apiVersion: `${group}/v1`, kind: "Widget", metadata: { name: "w1", resourceVersion: created.metadata.resourceVersion }, spec: { size: 2 } },
      })
      await expect(stale).rejects.toMatchObject({ code: 409 })
    } finally {
      controller.abort()
      await extensions.deleteCustomResourceDefinition({ name: `${plural}.${group}` })
    }
  })
})
