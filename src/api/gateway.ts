// Gateway API (gateway.networking.k8s.io/v1): what certops reads of a
// Gateway (gateway-shim: its TLS listeners) and writes of an HTTPRoute
// (HTTP-01 through a Gateway). Only those fields; the Gateway API CRDs own
// the rest, and objects pass through the store as the API server has them.
import { Schema } from "effect"
import { ObjectMeta } from "./meta.ts"

const SecretObjectReference = Schema.Struct({
  group: Schema.optionalKey(Schema.String),
  kind: Schema.optionalKey(Schema.String),
  name: Schema.String,
  namespace: Schema.optionalKey(Schema.String),
})

export const Listener = Schema.Struct({
  name: Schema.String,
  hostname: Schema.optionalKey(Schema.String),
  port: Schema.Int,
  protocol: Schema.String,
  tls: Schema.optionalKey(
    Schema.Struct({
      mode: Schema.optionalKey(Schema.String),
      certificateRefs: Schema.optionalKey(Schema.Array(SecretObjectReference)),
    }),
  ),
})

export const Gateway = Schema.Struct({
  apiVersion: Schema.Literal("gateway.networking.k8s.io/v1"),
  kind: Schema.Literal("Gateway"),
  metadata: ObjectMeta,
  spec: Schema.optionalKey(Schema.Struct({ gatewayClassName: Schema.String, listeners: Schema.Array(Listener) })),
})
export type Gateway = typeof Gateway.Type

export const ParentReference = Schema.Struct({
  group: Schema.optionalKey(Schema.String),
  kind: Schema.optionalKey(Schema.String),
  name: Schema.String,
  namespace: Schema.optionalKey(Schema.String),
  sectionName: Schema.optionalKey(Schema.String),
  port: Schema.optionalKey(Schema.Int),
})
export type ParentReference = typeof ParentReference.Type

export const HTTPRoute = Schema.Struct({
  apiVersion: Schema.Literal("gateway.networking.k8s.io/v1"),
  kind: Schema.Literal("HTTPRoute"),
  metadata: ObjectMeta,
  spec: Schema.Struct({
    parentRefs: Schema.optionalKey(Schema.Array(ParentReference)),
    hostnames: Schema.optionalKey(Schema.Array(Schema.String)),
    rules: Schema.optionalKey(
      Schema.Array(
        Schema.Struct({
          matches: Schema.optionalKey(Schema.Array(Schema.Struct({ path: Schema.optionalKey(Schema.Struct({ type: Schema.String, value: Schema.String })) }))),
          backendRefs: Schema.optionalKey(Schema.Array(Schema.Struct({ name: Schema.String, port: Schema.optionalKey(Schema.Int), kind: Schema.optionalKey(Schema.String), group: Schema.optionalKey(Schema.String), weight: Schema.optionalKey(Schema.Int) }))),
        }),
      ),
    ),
  }),
})
export type HTTPRoute = typeof HTTPRoute.Type
