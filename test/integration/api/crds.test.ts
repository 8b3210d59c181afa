// The generated CRDs on a real kube-apiserver: they are accepted and become
// Established, objects and their status subresource round-trip and decode,
// and the real kubectl prints cert-manager's columns.
import { execFileSync } from "node:child_process"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import * as k8s from "@kubernetes/client-node"
import { Result } from "effect"
import { beforeAll, describe, expect, it } from "vitest"
import { decodeResource, formatFieldIssues } from "../../../src/api/decode.ts"
import { customResourceDefinitions } from "../../../src/api/crd.ts"
import { allKinds } from "../../../src/api/kinds.ts"
import { apiVersionOf } from "../../../src/api/resource-type.ts"
import { binaries } from "../../env/binaries.ts"
import { testEnvironment, uniqueName } from "../../support/env.ts"
import { until } from "../../support/poll.ts"
import * as fixtures from "../../support/manifests.ts"

const crdDir = join(import.meta.dirname, "../../../deploy/crds")
const crdNames = customResourceDefinitions().map((crd) => crd.metadata.name)

interface Manifest {
  readonly apiVersion: string
  readonly kind: string
  readonly metadata: { readonly name: string }
  readonly status?: unknown
}

/** `kubectl get` output, one record per row keyed by header, per table. */
const parseTables = (output: string): ReadonlyArray<ReadonlyArray<Readonly<Record<string, string>>>> =>
  output
    .trim()
    .split(/\n\s*\n/)
    .map((table) => {
      const [header = "", ...rows] = table.split("\n")
      // Cells start where their header does; values (REASON) may contain spaces.
      const columns = [...header.matchAll(/\S+/g)].map((match) => ({ name: match[0], start: match.index }))
      return rows.map((row) =>
        Object.fromEntries(columns.map(({ name, start }, i) => [name, row.slice(start, columns[i + 1]?.start).trim()])),
      )
    })

describe("the generated CRDs", () => {
  const env = testEnvironment()
  const kc = new k8s.KubeConfig()
  kc.loadFromFile(env.kube.kubeconfig)
  const extensions = kc.makeApiClient(k8s.ApiextensionsV1Api)
  const custom = kc.makeApiClient(k8s.CustomObjectsApi)
  const core = kc.makeApiClient(k8s.CoreV1Api)

  const kubectl = (args: ReadonlyArray<string>) =>
    execFileSync(binaries.kubectl, ["--kubeconfig", env.kube.kubeconfig, ...args], { encoding: "utf8" })

  // CRDs are cluster-wide and other test files apply the same ones: create,
  // or replace what is there. loadYaml turns the wire spelling
  // (x-kubernetes-list-type) into the client's model (x_kubernetes_list_type), which it serializes back.
  const apply = async (crd: k8s.V1CustomResourceDefinition) => {
    try {
      await extensions.createCustomResourceDefinition({ body: crd })
    } catch (error) {
      if ((error as { code?: number }).code !== 409) throw error
      const name = crd.metadata?.name ?? ""
      const { metadata } = await extensions.readCustomResourceDefinition({ name })
      await extensions.replaceCustomResourceDefinition({ name, body: { ...crd, metadata: { ...crd.metadata, ...(metadata?.resourceVersion === undefined ? {} : { resourceVersion: metadata.resourceVersion }) } } })
    }
  }

  beforeAll(async () => {
    for (const name of crdNames) await apply(k8s.loadYaml<k8s.V1CustomResourceDefinition>(readFileSync(join(crdDir, `${name}.yaml`), "utf8")))
  })

  const newNamespace = async () => {
    const name = uniqueName("api")
    await core.createNamespace({ body: { metadata: { name } } })
    return name
  }

  /** Creates `manifest` in `namespace`, then writes its status through the status subresource; returns what the server stored. */
  const createWithStatus = async ({ status, metadata, ...rest }: Manifest, namespace: string): Promise<Manifest> => {
    const type = allKinds.find((kind) => apiVersionOf(kind) === rest.apiVersion && kind.kind === rest.kind)
    if (type === undefined) throw new Error(`unknown kind ${rest.kind}`)
    const target = { group: type.group, version: type.version, namespace, plural: type.plural }
    // A just-Established CRD can take a moment before its endpoint serves writes.
    const created = await until(`${type.plural} to be served`, async () => {
      try {
        return (await custom.createNamespacedCustomObject({ ...target, body: { ...rest, metadata: { name: metadata.name } } })) as Manifest
      } catch (error) {
        if ([404, 429].includes((error as { code?: number }).code ?? 0)) return undefined
        throw error
      }
    })
    return (await custom.replaceNamespacedCustomObjectStatus({ ...target, name: metadata.name, body: { ...created, status } })) as Manifest
  }

  it("are accepted as they are in deploy/crds and become Established", async () => {
    for (const name of crdNames) {
      const crd = await until(`${name} to be Established`, async () => {
        const read = await extensions.readCustomResourceDefinition({ name })
        return read.status?.conditions?.some((c) => c.type === "Established" && c.status === "True") ? read : undefined
      })
      expect(crd.status?.acceptedNames?.kind).toBe(crd.spec.names.kind)
    }
    // Nothing was lost on the way: the list-map marker is still on conditions.
    const certificates = await extensions.readCustomResourceDefinition({ name: "certificates.cert-manager.io" })
    const conditions = certificates.spec.versions[0]?.schema?.openAPIV3Schema?.properties?.["status"]?.properties?.["conditions"]
    expect(conditions?.x_kubernetes_list_type).toBe("map")
  })

  it("are what kubectl's kustomize renders from deploy/crds", () => {
    const rendered = kubectl(["kustomize", crdDir])
    expect([...rendered.matchAll(/^kind: CustomResourceDefinition$/gm)]).toHaveLength(crdNames.length)
  })

  it("store the objects certops writes, status included, and they decode when read back", async () => {
    const namespace = await newNamespace()
    for (const manifest of [fixtures.certificate, fixtures.certificateRequest, fixtures.acmeIssuer, fixtures.order, fixtures.challenge]) {
      const stored = await createWithStatus(manifest, namespace)
      expect(stored.status).toEqual(manifest.status)
      const decoded = decodeResource(stored)
      if (Result.isFailure(decoded)) expect.fail(`${manifest.kind}:\n${formatFieldIssues(decoded.failure)}`)
    }
  })

  it("reject a challenge type outside cert-manager's enum", async () => {
    const namespace = await newNamespace()
    const bad = { ...fixtures.challenge, metadata: { name: "bad" }, spec: { ...fixtures.challenge.spec, type: "dns-01" } }
    const { status: _status, ...body } = bad
    await expect(
      custom.createNamespacedCustomObject({ group: "acme.cert-manager.io", version: "v1", namespace, plural: "challenges", body }),
    ).rejects.toMatchObject({ code: 422 })
  })

  it("print STATE, DOMAIN and REASON for challenges, STATE for orders, READY and SECRET for certificates", async () => {
    const namespace = await newNamespace()
    await createWithStatus(fixtures.challenge, namespace)
    await createWithStatus(fixtures.order, namespace)
    await createWithStatus(fixtures.certificate, namespace)

    const output = kubectl(["get", "challenges,orders,certificates", "-n", namespace])
    const [challenges, orders, certificates] = parseTables(output)
    expect(output.split("\n").filter((line) => line.startsWith("NAME"))).toEqual([
      expect.stringMatching(/^NAME\s+STATE\s+DOMAIN\s+REASON\s+AGE$/),
      expect.stringMatching(/^NAME\s+STATE\s+AGE$/),
      expect.stringMatching(/^NAME\s+READY\s+SECRET\s+AGE$/),
    ])
    expect(challenges).toEqual([
      { NAME: `challenge.acme.cert-manager.io/${fixtures.challenge.metadata.name}`, STATE: "pending", DOMAIN: "example.com", REASON: "Waiting for dns-01 challenge propagation", AGE: expect.stringMatching(/^\d+s$/) },
    ])
    expect(orders).toEqual([{ NAME: `order.acme.cert-manager.io/${fixtures.order.metadata.name}`, STATE: "pending", AGE: expect.stringMatching(/^\d+s$/) }])
    expect(certificates).toEqual([{ NAME: `certificate.cert-manager.io/${fixtures.certificate.metadata.name}`, READY: "True", SECRET: "example-com-tls", AGE: expect.stringMatching(/^\d+s$/) }])
  })

  it("print APPROVED, DENIED, READY and ISSUER for certificate requests, READY for issuers", async () => {
    const namespace = await newNamespace()
    await createWithStatus(fixtures.certificateRequest, namespace)
    await createWithStatus(fixtures.acmeIssuer, namespace)

    const [requests, issuers] = parseTables(kubectl(["get", "certificaterequests,issuers", "-n", namespace]))
    expect(requests).toEqual([
      { NAME: `certificaterequest.cert-manager.io/${fixtures.certificateRequest.metadata.name}`, APPROVED: "True", DENIED: "", READY: "False", ISSUER: "letsencrypt", AGE: expect.stringMatching(/^\d+s$/) },
    ])
    expect(issuers).toEqual([{ NAME: `issuer.cert-manager.io/${fixtures.acmeIssuer.metadata.name}`, READY: "True", AGE: expect.stringMatching(/^\d+s$/) }])
  })

  it("answer to cert-manager's short names and categories", async () => {
    const namespace = await newNamespace()
    await createWithStatus(fixtures.certificate, namespace)
    expect(kubectl(["get", "certs", "-n", namespace, "-o", "name"]).trim()).toBe(`certificate.cert-manager.io/${fixtures.certificate.metadata.name}`)
    // The category lists cluster-scoped kinds too, whatever other tests left there: keep the namespaced ones.
    const inCategory = kubectl(["get", "cert-manager", "-n", namespace, "-o", "name"]).trim().split("\n").filter((line) => !line.startsWith("clusterissuer."))
    expect(inCategory).toEqual([`certificate.cert-manager.io/${fixtures.certificate.metadata.name}`])
  })
})
