// Decoding manifests into typed resources, with every problem reported at the
// field it concerns (`spec.privateKey.size`, `spec.dnsNames[1]`), the way
// kubectl reports validation errors. Used for intents read from Git and for
// objects read back from a cluster alike.
import { Result, Schema, SchemaIssue } from "effect"
import { Challenge } from "./acme-challenge.ts"
import { Order } from "./acme-order.ts"
import { CertificateRequest } from "./certificate-request.ts"
import { Certificate } from "./certificate.ts"
import { Event, Ingress, Lease, Secret } from "./core.ts"
import { ClusterIssuer, Issuer } from "./issuer.ts"
import {
  CertificateRequests, Certificates, Challenges, ClusterIssuers, Events, Ingresses, Issuers, Leases, Orders, Secrets,
} from "./kinds.ts"
import type { KubeObject } from "./meta.ts"
import { apiVersionOf, type ResourceType } from "./resource-type.ts"

/** One problem with a manifest: where (`spec.acme.solvers[0].dns01`, "" for the whole object) and what. */
export interface FieldIssue {
  readonly path: string
  readonly message: string
}

export type Resource = Certificate | CertificateRequest | Issuer | ClusterIssuer | Order | Challenge | Secret | Event | Lease | Ingress

interface Entry {
  readonly type: ResourceType<any>
  readonly schema: Schema.Decoder<Resource>
}

// Typed so that a descriptor can only be paired with its own kind's schema.
const entry = <A extends Resource>(type: ResourceType<A>, schema: Schema.Decoder<A>): Entry => ({ type, schema })

/** Every kind certops decodes, with the schema that decodes it. */
const entries: ReadonlyArray<Entry> = [
  entry(Certificates, Certificate),
  entry(CertificateRequests, CertificateRequest),
  entry(Issuers, Issuer),
  entry(ClusterIssuers, ClusterIssuer),
  entry(Orders, Order),
  entry(Challenges, Challenge),
  entry(Secrets, Secret),
  entry(Events, Event),
  entry(Leases, Lease),
  entry(Ingresses, Ingress),
]

const keyOf = (apiVersion: string, kind: string) => `${apiVersion} ${kind}`
const schemas = new Map(entries.map(({ type, schema }) => [keyOf(apiVersionOf(type), type.kind), schema]))
const apiVersions = [...new Set(entries.map(({ type }) => apiVersionOf(type)))]

/** The schema for a kind, or undefined when certops does not know it. */
export const schemaOf = <A extends KubeObject>(type: ResourceType<A>): Schema.Decoder<A> | undefined =>
  schemas.get(keyOf(apiVersionOf(type), type.kind)) as Schema.Decoder<A> | undefined

const identifier = /^[A-Za-z_$][\w$]*$/

/** `spec.dnsNames[1]`; keys that are not identifiers (label names) are quoted: `labels["app.kubernetes.io/name"]`. */
export const formatPath = (path: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }>): string =>
  path
    .map((segment) => (typeof segment === "object" ? segment.key : segment))
    .reduce<string>((text, key) => {
      if (typeof key === "number") return `${text}[${key}]`
      const name = String(key)
      if (!identifier.test(name)) return `${text}[${JSON.stringify(name)}]`
      return text === "" ? name : `${text}.${name}`
    }, "")

// Messages name no input values: a Secret's data is key material, and an
// issue may end up in a log or in a status report committed to Git.
const formatter = SchemaIssue.makeFormatterStandardSchemaV1({
  leafHook: (issue) => {
    switch (issue._tag) {
      case "MissingKey":
        return "is required"
      case "UnexpectedKey":
        return "unknown field"
      default:
        return SchemaIssue.defaultLeafHook(issue)
    }
  },
})

const options = { errors: "all", onExcessProperty: "error" } as const

/** Decodes `input` with one schema: every problem, unknown fields included. */
export const decodeWith = <A>(schema: Schema.Decoder<A>, input: unknown): Result.Result<A, ReadonlyArray<FieldIssue>> =>
  Schema.decodeUnknownResult(schema)(input, options).pipe(
    Result.mapError((error) =>
      formatter(error.issue).issues.map(({ path, message }) => ({ path: formatPath(path ?? []), message })),
    ),
  )

const fail = (path: string, message: string) => Result.fail([{ path, message }])

const quoted = (value: unknown) => (typeof value === "string" ? `"${value}"` : String(value))

/**
 * Decodes any manifest certops knows, choosing the schema from apiVersion and
 * kind. An unknown pair is reported at the field to fix, listing what is
 * supported.
 */
export const decodeResource = (input: unknown): Result.Result<Resource, ReadonlyArray<FieldIssue>> => {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    return fail("", "a manifest must be an object with apiVersion, kind and metadata")
  }
  const { apiVersion, kind } = input as { readonly apiVersion?: unknown; readonly kind?: unknown }
  if (typeof apiVersion !== "string") {
    return fail("apiVersion", `${apiVersion === undefined ? "is required" : "must be a string"}: one of ${apiVersions.join(", ")}`)
  }
  if (typeof kind !== "string") return fail("kind", kind === undefined ? "is required" : "must be a string")
  const schema = schemas.get(keyOf(apiVersion, kind))
  if (schema !== undefined) return decodeWith(schema, input)

  const servedAs = entries.find(({ type }) => type.kind === kind)
  if (servedAs !== undefined) {
    return fail("apiVersion", `${kind} is served as ${apiVersionOf(servedAs.type)}, not ${quoted(apiVersion)}`)
  }
  const kinds = entries.filter(({ type }) => apiVersionOf(type) === apiVersion).map(({ type }) => type.kind)
  return kinds.length > 0
    ? fail("kind", `unsupported kind ${quoted(kind)} in ${apiVersion}: expected one of ${kinds.join(", ")}`)
    : fail("apiVersion", `unsupported apiVersion ${quoted(apiVersion)}: expected one of ${apiVersions.join(", ")}`)
}

/** Decodes `input` as one known kind, e.g. `decodeAs(Certificates)(json)` for an object read back from a cluster. */
export const decodeAs =
  <A extends KubeObject>(type: ResourceType<A>) =>
  (input: unknown): Result.Result<A, ReadonlyArray<FieldIssue>> => {
    const schema = schemaOf(type)
    return schema === undefined
      ? fail("kind", `certops has no schema for ${apiVersionOf(type)} ${type.kind}`)
      : decodeWith(schema, input)
  }

/** One line per issue, `path: message`, for logs, CLI output and status reports. */
export const formatFieldIssues = (issues: ReadonlyArray<FieldIssue>): string =>
  issues.map(({ path, message }) => (path === "" ? message : `${path}: ${message}`)).join("\n")
