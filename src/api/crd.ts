// The CustomResourceDefinitions of certops' six kinds, generated from their
// Schemas. Names, short names, categories and printer columns follow
// cert-manager's CRDs, so `kubectl get certs` and `kubectl get challenges`
// look as cert-manager's documentation shows.
import { type Schema, SchemaAST } from "effect"
import { Challenge } from "./acme-challenge.ts"
import { Order } from "./acme-order.ts"
import { CertificateRequest } from "./certificate-request.ts"
import { Certificate } from "./certificate.ts"
import { ClusterIssuer, Issuer } from "./issuer.ts"
import { CertificateRequests, Certificates, Challenges, ClusterIssuers, Issuers, Orders } from "./kinds.ts"
import { qualifiedPlural, type ResourceType } from "./resource-type.ts"
import { toStructuralSchema, type JsonSchemaProps } from "./structural-schema.ts"

export interface PrinterColumn {
  readonly name: string
  readonly type: "string" | "integer" | "number" | "boolean" | "date"
  readonly jsonPath: string
  readonly description?: string
  /** 0 shows in `kubectl get`; 1 only with `-o wide`. */
  readonly priority?: number
}

/** apiextensions.k8s.io/v1 CustomResourceDefinition, in wire (JSON) spelling. */
export interface CustomResourceDefinition {
  readonly apiVersion: "apiextensions.k8s.io/v1"
  readonly kind: "CustomResourceDefinition"
  readonly metadata: { readonly name: string; readonly labels: Readonly<Record<string, string>> }
  readonly spec: {
    readonly group: string
    readonly scope: "Namespaced" | "Cluster"
    readonly names: {
      readonly kind: string
      readonly listKind: string
      readonly plural: string
      readonly singular: string
      readonly shortNames?: ReadonlyArray<string>
      readonly categories: ReadonlyArray<string>
    }
    readonly versions: ReadonlyArray<{
      readonly name: string
      readonly served: true
      readonly storage: true
      readonly subresources: { readonly status: Record<string, never> }
      readonly additionalPrinterColumns: ReadonlyArray<PrinterColumn>
      readonly schema: { readonly openAPIV3Schema: JsonSchemaProps }
    }>
  }
}

const condition = (type: string, field: "status" | "message") => `.status.conditions[?(@.type=="${type}")].${field}`

const column = (name: string, jsonPath: string, priority = 0): PrinterColumn =>
  priority === 0 ? { name, type: "string", jsonPath } : { name, type: "string", jsonPath, priority }

const ready = column("Ready", condition("Ready", "status"))
const readyMessage = column("Status", condition("Ready", "message"), 1)
const issuerName = (priority: number) => column("Issuer", ".spec.issuerRef.name", priority)
const age: PrinterColumn = {
  name: "Age",
  type: "date",
  jsonPath: ".metadata.creationTimestamp",
  description: "When the object was created; kubectl shows it as an age.",
}

/** A kind's Schema as far as a CRD needs it: its description, spec and status. */
interface KindSchema {
  readonly ast: SchemaAST.AST
  readonly fields: { readonly spec: Schema.Top; readonly status: Schema.Top }
}

interface Definition {
  readonly type: ResourceType<any>
  readonly schema: KindSchema
  readonly shortNames?: ReadonlyArray<string>
  readonly categories: ReadonlyArray<string>
  readonly columns: ReadonlyArray<PrinterColumn>
}

const certManager = ["cert-manager"]
const certManagerAcme = ["cert-manager", "cert-manager-acme"]

const definitions: ReadonlyArray<Definition> = [
  {
    type: Certificates, schema: Certificate, shortNames: ["cert", "certs"], categories: certManager,
    columns: [ready, column("Secret", ".spec.secretName"), issuerName(1), readyMessage, age],
  },
  {
    type: CertificateRequests, schema: CertificateRequest, shortNames: ["cr", "crs"], categories: certManager,
    columns: [
      column("Approved", condition("Approved", "status")),
      column("Denied", condition("Denied", "status")),
      ready,
      issuerName(0),
      column("Requester", ".spec.username", 1),
      readyMessage,
      age,
    ],
  },
  { type: Issuers, schema: Issuer, categories: certManager, columns: [ready, readyMessage, age] },
  { type: ClusterIssuers, schema: ClusterIssuer, categories: certManager, columns: [ready, readyMessage, age] },
  {
    type: Orders, schema: Order, categories: certManagerAcme,
    columns: [column("State", ".status.state"), issuerName(1), column("Reason", ".status.reason", 1), age],
  },
  {
    // Reason is in the default view: the troubleshooting guide has users read
    // "Waiting for dns-01 challenge propagation" straight off `kubectl get challenges`.
    type: Challenges, schema: Challenge, categories: certManagerAcme,
    columns: [column("State", ".status.state"), column("Domain", ".spec.dnsName"), column("Reason", ".status.reason"), age],
  },
]

/**
 * The CRD schema: spec and status from the kind's Schema. apiVersion, kind and
 * metadata are the API server's to validate (a CRD may not constrain metadata
 * beyond name), so they stay plain.
 */
const openAPIV3Schema = ({ ast, fields: { spec, status } }: KindSchema): JsonSchemaProps => {
  const description = SchemaAST.resolveDescription(ast)
  return {
    type: "object",
    ...(description === undefined ? {} : { description }),
    ...(SchemaAST.isOptional(spec.ast) ? {} : { required: ["spec"] }),
    properties: {
      apiVersion: { type: "string", description: "The versioned schema of this object: group/version." },
      kind: { type: "string", description: "The REST resource this object represents." },
      metadata: { type: "object" },
      spec: toStructuralSchema(spec),
      status: toStructuralSchema(status),
    },
  }
}

const toCrd = ({ type, schema, shortNames, categories, columns }: Definition): CustomResourceDefinition => ({
  apiVersion: "apiextensions.k8s.io/v1",
  kind: "CustomResourceDefinition",
  metadata: { name: qualifiedPlural(type), labels: { "app.kubernetes.io/name": "certops" } },
  spec: {
    group: type.group,
    scope: type.namespaced ? "Namespaced" : "Cluster",
    names: {
      kind: type.kind,
      listKind: `${type.kind}List`,
      plural: type.plural,
      singular: type.kind.toLowerCase(),
      ...(shortNames === undefined ? {} : { shortNames }),
      categories,
    },
    versions: [
      {
        name: type.version,
        served: true,
        storage: true,
        subresources: { status: {} },
        additionalPrinterColumns: columns,
        schema: { openAPIV3Schema: openAPIV3Schema(schema) },
      },
    ],
  },
})

/** The CRDs of Certificate, CertificateRequest, Issuer, ClusterIssuer, Order and Challenge, in that order. */
export const customResourceDefinitions = (): ReadonlyArray<CustomResourceDefinition> => definitions.map(toCrd)
