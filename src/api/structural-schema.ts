// Kubernetes *structural* OpenAPI v3 schemas from Effect Schemas, for CRDs.
//
// Effect writes a draft-2020-12 JSON Schema; the API server wants a narrower
// dialect: no $ref, a type on every node, no unions, `properties` never next
// to `additionalProperties`, junctors only around value validations. This
// module lowers one to the other and throws on anything it cannot lower
// faithfully, so a schema change that would make an invalid or lossy CRD
// fails the generator (and its drift test) instead of the cluster.
import { Schema } from "effect"

/** A JSON Schema node as it appears in a CRD (JSONSchemaProps, wire spelling). */
export interface JsonSchemaProps {
  readonly [keyword: string]: unknown
}

/** Keywords the API server accepts that are copied as they are. */
const passThrough = new Set([
  "type", "description", "enum", "format", "pattern", "required",
  "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
  "minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties",
])

const isKubernetesExtension = (keyword: string) => keyword.startsWith("x-kubernetes-")

const isObject = (value: unknown): value is JsonSchemaProps =>
  typeof value === "object" && value !== null && !Array.isArray(value)

class NotStructural extends Error {
  constructor(path: string, detail: string) {
    super(`cannot express ${path || "the root"} in a structural CRD schema: ${detail}`)
  }
}

/** `#/$defs/Name` (or `#/definitions/Name`) → the definition it names. */
const resolveRef = (ref: unknown, definitions: JsonSchemaProps, path: string): JsonSchemaProps => {
  const name = typeof ref === "string" ? /^#\/(?:\$defs|definitions)\/(.+)$/.exec(ref)?.[1] : undefined
  const target = name === undefined ? undefined : definitions[decodeURIComponent(name)]
  if (!isObject(target)) throw new NotStructural(path, `unresolvable $ref ${String(ref)}`)
  return target
}

/** Folds `allOf` (Effect's way of stacking checks) into the node; a keyword set twice is an error. */
const flattenAllOf = (node: JsonSchemaProps, path: string): JsonSchemaProps => {
  const { allOf, ...rest } = node
  if (allOf === undefined) return node
  if (!Array.isArray(allOf)) throw new NotStructural(path, "allOf is not a list")
  const merged: Record<string, unknown> = { ...rest }
  for (const part of allOf) {
    if (!isObject(part)) throw new NotStructural(path, "allOf holds a non-schema")
    for (const [keyword, value] of Object.entries(flattenAllOf(part, path))) {
      if (keyword in merged && JSON.stringify(merged[keyword]) !== JSON.stringify(value)) {
        throw new NotStructural(path, `conflicting "${keyword}" constraints`)
      }
      merged[keyword] = value
    }
  }
  return merged
}

// Effect's Int spells "safe integer" as explicit bounds; they say nothing
// in a CRD beyond type: integer, so they are dropped.
const isSafeIntegerBound = (keyword: string, value: unknown) =>
  (keyword === "minimum" && value === Number.MIN_SAFE_INTEGER) || (keyword === "maximum" && value === Number.MAX_SAFE_INTEGER)

const lower = (input: JsonSchemaProps, definitions: JsonSchemaProps, path: string): JsonSchemaProps => {
  let node = input
  if ("$ref" in node) {
    const { $ref, ...siblings } = node
    node = { ...resolveRef($ref, definitions, path), ...siblings }
  }
  node = flattenAllOf(node, path)
  if ("anyOf" in node || "oneOf" in node) {
    throw new NotStructural(
      path,
      "unions have no structural form; model the field as one type (literal unions become enums; Schema.Number is one too, use Schema.Finite or Schema.Int)",
    )
  }

  const out: Record<string, unknown> = {}
  for (const [keyword, value] of Object.entries(node)) {
    if (keyword === "properties" || keyword === "items" || keyword === "additionalProperties") continue
    if (isSafeIntegerBound(keyword, value)) continue
    if ((keyword === "exclusiveMinimum" || keyword === "exclusiveMaximum") && typeof value === "number") {
      // Draft 2020-12 puts the bound here; OpenAPI v3 keeps it in minimum or
      // maximum and makes this keyword a flag.
      const bound = keyword === "exclusiveMinimum" ? "minimum" : "maximum"
      if (bound in node && !isSafeIntegerBound(bound, node[bound])) throw new NotStructural(path, `both ${bound} and ${keyword}`)
      out[bound] = value
      out[keyword] = true
      continue
    }
    if (passThrough.has(keyword) || isKubernetesExtension(keyword)) out[keyword] = value
    else throw new NotStructural(path, `unsupported JSON Schema keyword "${keyword}"`)
  }
  if (out["type"] === undefined && out["x-kubernetes-preserve-unknown-fields"] !== true) {
    throw new NotStructural(path, "no type; annotate free-form fields with x-kubernetes-preserve-unknown-fields")
  }

  const { properties, items, additionalProperties } = node
  if (isObject(properties)) {
    out["properties"] = Object.fromEntries(
      Object.entries(properties).map(([name, schema]) => {
        if (!isObject(schema)) throw new NotStructural(`${path}.${name}`, "not a schema")
        return [name, lower(schema, definitions, path === "" ? name : `${path}.${name}`)]
      }),
    )
  }
  // Structs come out as `additionalProperties: true` (they decode leniently
  // by default); a CRD prunes unknown fields instead, so the flag is dropped.
  // A schema-valued additionalProperties is a map (labels, Secret data).
  if (isObject(additionalProperties)) {
    if (isObject(properties)) throw new NotStructural(path, "properties and additionalProperties together")
    out["additionalProperties"] = lower(additionalProperties, definitions, `${path}[*]`)
  }
  if (out["type"] === "array") {
    if (!isObject(items)) throw new NotStructural(path, "an array without an item schema")
    out["items"] = lower(items, definitions, `${path}[]`)
  }
  return out
}

/** The structural OpenAPI v3 schema of an Effect Schema; throws naming the field it cannot express. */
export const toStructuralSchema = (schema: Schema.Top): JsonSchemaProps => {
  const document = Schema.toJsonSchemaDocument(schema, { includeAnnotationKey: isKubernetesExtension })
  return lower(document.schema as JsonSchemaProps, document.definitions as JsonSchemaProps, "")
}
