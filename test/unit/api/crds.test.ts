// The generated CRDs: structural, with cert-manager's names and printer
// columns, and identical to what deploy/crds holds.
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { Schema } from "effect"
import { describe, expect, it } from "vitest"
import { customResourceDefinitions, type CustomResourceDefinition } from "../../../src/api/crd.ts"
import { toStructuralSchema, type JsonSchemaProps } from "../../../src/api/structural-schema.ts"
import { renderCrdFiles } from "../../../src/cli/crds.ts"

const crds = customResourceDefinitions()
const crd = (name: string): CustomResourceDefinition => {
  const found = crds.find((definition) => definition.metadata.name === name)
  if (found === undefined) throw new Error(`no CRD ${name}`)
  return found
}
const version = (name: string) => crd(name).spec.versions[0]!

/** Every schema node with its path, depth first. */
const nodes = function* (schema: JsonSchemaProps, path = ""): Generator<readonly [string, JsonSchemaProps]> {
  yield [path, schema]
  const { properties, items, additionalProperties } = schema as {
    properties?: Record<string, JsonSchemaProps>
    items?: JsonSchemaProps
    additionalProperties?: JsonSchemaProps
  }
  for (const [name, child] of Object.entries(properties ?? {})) yield* nodes(child, `${path}.${name}`)
  if (items !== undefined) yield* nodes(items, `${path}[]`)
  if (typeof additionalProperties === "object") yield* nodes(additionalProperties, `${path}[*]`)
}

describe("the CRDs", () => {
  it("cover certops' six kinds, each with a status subresource", () => {
    expect(crds.map((definition) => definition.metadata.name)).toEqual([
      "certificates.cert-manager.io",
      "certificaterequests.cert-manager.io",
      "issuers.cert-manager.io",
      "clusterissuers.cert-manager.io",
      "orders.acme.cert-manager.io",
      "challenges.acme.cert-manager.io",
    ])
    for (const definition of crds) expect(definition.spec.versions.map((v) => v.subresources)).toEqual([{ status: {} }])
  })

  it("scope ClusterIssuer to the cluster and everything else to namespaces", () => {
    expect(crds.filter((definition) => definition.spec.scope === "Cluster").map((definition) => definition.spec.names.kind)).toEqual(["ClusterIssuer"])
  })

  it.each(crds.map((definition) => [definition.metadata.name, definition] as const))("%s has a structural schema", (_, definition) => {
    const schema = definition.spec.versions[0]!.schema.openAPIV3Schema
    for (const [path, node] of nodes(schema)) {
      for (const keyword of ["$ref", "anyOf", "oneOf", "allOf", "not"]) expect(node, `${path} has ${keyword}`).not.toHaveProperty(keyword)
      if (node["x-kubernetes-preserve-unknown-fields"] !== true) expect(node, `${path} has no type`).toHaveProperty("type")
      if ("properties" in node) expect(node, `${path} mixes properties and additionalProperties`).not.toHaveProperty("additionalProperties")
      if (node["type"] === "array") expect(node, `${path} has no items`).toHaveProperty("items")
    }
  })

  it("leave only free-form content unpruned", () => {
    const unpruned = crds.flatMap((definition) =>
      [...nodes(definition.spec.versions[0]!.schema.openAPIV3Schema, definition.spec.names.kind)]
        .filter(([, node]) => node["x-kubernetes-preserve-unknown-fields"] === true)
        .map(([path]) => path),
    )
    expect(unpruned).toEqual([
      "Issuer.spec.acme.solvers[].dns01.webhook.config",
      "ClusterIssuer.spec.acme.solvers[].dns01.webhook.config",
      "Challenge.spec.solver.dns01.webhook.config",
    ])
  })

  it("type maps of strings as maps, not free-form objects", () => {
    const matchLabels = version("issuers.cert-manager.io").schema.openAPIV3Schema as any
    expect(matchLabels.properties.spec.properties.acme.properties.solvers.items.properties.selector.properties.matchLabels).toEqual({
      type: "object",
      additionalProperties: { type: "string" },
    })
  })

  it("key conditions by type", () => {
    const status = (version("certificates.cert-manager.io").schema.openAPIV3Schema as any).properties.status
    expect(status.properties.conditions).toMatchObject({ "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["type"] })
  })

  // What `kubectl get` shows by default (priority 0), as in cert-manager's docs.
  it.each([
    ["challenges.acme.cert-manager.io", [["State", ".status.state"], ["Domain", ".spec.dnsName"], ["Reason", ".status.reason"], ["Age", ".metadata.creationTimestamp"]]],
    ["orders.acme.cert-manager.io", [["State", ".status.state"], ["Age", ".metadata.creationTimestamp"]]],
    ["certificates.cert-manager.io", [["Ready", '.status.conditions[?(@.type=="Ready")].status'], ["Secret", ".spec.secretName"], ["Age", ".metadata.creationTimestamp"]]],
    ["certificaterequests.cert-manager.io", [
      ["Approved", '.status.conditions[?(@.type=="Approved")].status'],
      ["Denied", '.status.conditions[?(@.type=="Denied")].status'],
      ["Ready", '.status.conditions[?(@.type=="Ready")].status'],
      ["Issuer", ".spec.issuerRef.name"],
      ["Age", ".metadata.creationTimestamp"],
    ]],
    ["issuers.cert-manager.io", [["Ready", '.status.conditions[?(@.type=="Ready")].status'], ["Age", ".metadata.creationTimestamp"]]],
    ["clusterissuers.cert-manager.io", [["Ready", '.status.conditions[?(@.type=="Ready")].status'], ["Age", ".metadata.creationTimestamp"]]],
  ] as const)("%s prints its default columns", (name, columns) => {
    const shown = version(name).additionalPrinterColumns.filter((column) => (column.priority ?? 0) === 0)
    expect(shown.map((column) => [column.name, column.jsonPath])).toEqual(columns)
    expect(shown.at(-1)?.type).toBe("date")
  })

  it("answer to cert-manager's short names and categories", () => {
    expect(crd("certificates.cert-manager.io").spec.names.shortNames).toEqual(["cert", "certs"])
    expect(crd("certificaterequests.cert-manager.io").spec.names.shortNames).toEqual(["cr", "crs"])
    for (const definition of crds) expect(definition.spec.names.categories).toContain("cert-manager")
    expect(crd("orders.acme.cert-manager.io").spec.names.categories).toContain("cert-manager-acme")
    expect(crd("challenges.acme.cert-manager.io").spec.names.categories).toContain("cert-manager-acme")
  })
})

describe("toStructuralSchema", () => {
  it("refuses a union, naming the field", () => {
    const schema = Schema.Struct({ spec: Schema.Struct({ port: Schema.Union([Schema.String, Schema.Int]) }) })
    expect(() => toStructuralSchema(schema)).toThrow(/spec\.port.*unions/)
  })

  it("refuses an untyped field that is not marked free-form", () => {
    expect(() => toStructuralSchema(Schema.Struct({ config: Schema.Json }))).toThrow(/config.*no type/)
  })

  it("writes exclusive bounds the OpenAPI v3 way", () => {
    expect(toStructuralSchema(Schema.Struct({ replicas: Schema.Int.check(Schema.isGreaterThan(0)) }))).toEqual({
      type: "object",
      required: ["replicas"],
      properties: { replicas: { type: "integer", minimum: 0, exclusiveMinimum: true } },
    })
  })

  it("inlines shared definitions instead of referring to them", () => {
    const Ref = Schema.Struct({ name: Schema.String }).annotate({ identifier: "Ref" })
    expect(toStructuralSchema(Schema.Struct({ a: Ref, b: Ref }))).toEqual({
      type: "object",
      required: ["a", "b"],
      properties: {
        a: { type: "object", required: ["name"], properties: { name: { type: "string" } } },
        b: { type: "object", required: ["name"], properties: { name: { type: "string" } } },
      },
    })
  })
})

describe("deploy/crds", () => {
  const directory = join(import.meta.dirname, "../../../deploy/crds")

  it("is what `npm run generate:crds` writes now (run it after changing src/api)", () => {
    const expected = renderCrdFiles()
    const actual = new Map(readdirSync(directory).map((name) => [name, readFileSync(join(directory, name), "utf8")]))
    expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort())
    for (const [name, content] of expected) expect(actual.get(name), `deploy/crds/${name} is stale`).toBe(content)
  })

  it("lists every CRD file in its kustomization", () => {
    const kustomization = renderCrdFiles().get("kustomization.yaml") ?? ""
    for (const definition of crds) expect(kustomization).toContain(`- ${definition.metadata.name}.yaml`)
  })
})
