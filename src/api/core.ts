// The built-in Kubernetes objects certops reads or writes: Secrets (issued
// keys and certificates), Events (what `kubectl describe` shows), Leases
// (leader election) and Ingresses (HTTP-01 solving and ingress-shim). Each
// carries the fields the API server returns, so that objects read back from
// a cluster decode under the same strict rules as intents.
import { Schema } from "effect"
import { Base64Bytes, ObjectMeta, StringMap } from "./meta.ts"

export const Secret = Schema.Struct({
  apiVersion: Schema.Literal("v1"),
  kind: Schema.Literal("Secret"),
  metadata: ObjectMeta,
  /** kubernetes.io/tls for issued certificates; Opaque when absent. */
  type: Schema.optionalKey(Schema.String),
  data: Schema.optionalKey(Schema.Record(Schema.String, Base64Bytes)),
  /** Write-only convenience: the API server folds it into data. */
  stringData: Schema.optionalKey(StringMap),
  immutable: Schema.optionalKey(Schema.Boolean),
})
export type Secret = typeof Secret.Type

export const ObjectReference = Schema.Struct({
  apiVersion: Schema.optionalKey(Schema.String),
  kind: Schema.optionalKey(Schema.String),
  namespace: Schema.optionalKey(Schema.String),
  name: Schema.optionalKey(Schema.String),
  uid: Schema.optionalKey(Schema.String),
  resourceVersion: Schema.optionalKey(Schema.String),
  fieldPath: Schema.optionalKey(Schema.String),
})
export type ObjectReference = typeof ObjectReference.Type

// The API server writes null for the timestamps an event style leaves unset
// (eventTime on core/v1-style events, firstTimestamp on events.k8s.io-style ones).
const Timestamp = Schema.optionalKey(Schema.NullOr(Schema.String))

export const Event = Schema.Struct({
  apiVersion: Schema.Literal("v1"),
  kind: Schema.Literal("Event"),
  metadata: ObjectMeta,
  involvedObject: ObjectReference,
  reason: Schema.optionalKey(Schema.String),
  message: Schema.optionalKey(Schema.String),
  type: Schema.optionalKey(Schema.Literals(["Normal", "Warning"])),
  source: Schema.optionalKey(Schema.Struct({ component: Schema.optionalKey(Schema.String), host: Schema.optionalKey(Schema.String) })),
  firstTimestamp: Timestamp,
  lastTimestamp: Timestamp,
  eventTime: Timestamp,
  count: Schema.optionalKey(Schema.Int),
  series: Schema.optionalKey(Schema.Struct({ count: Schema.optionalKey(Schema.Int), lastObservedTime: Schema.optionalKey(Schema.String) })),
  action: Schema.optionalKey(Schema.String),
  related: Schema.optionalKey(ObjectReference),
  reportingComponent: Schema.optionalKey(Schema.String),
  reportingInstance: Schema.optionalKey(Schema.String),
})
export type Event = typeof Event.Type

export const Lease = Schema.Struct({
  apiVersion: Schema.Literal("coordination.k8s.io/v1"),
  kind: Schema.Literal("Lease"),
  metadata: ObjectMeta,
  spec: Schema.optionalKey(
    Schema.Struct({
      holderIdentity: Schema.optionalKey(Schema.String),
      leaseDurationSeconds: Schema.optionalKey(Schema.Int),
      acquireTime: Schema.optionalKey(Schema.String),
      renewTime: Schema.optionalKey(Schema.String),
      leaseTransitions: Schema.optionalKey(Schema.Int),
      strategy: Schema.optionalKey(Schema.String),
      preferredHolder: Schema.optionalKey(Schema.String),
    }),
  ),
})
export type Lease = typeof Lease.Type

export const IngressBackend = Schema.Struct({
  service: Schema.optionalKey(
    Schema.Struct({
      name: Schema.String,
      port: Schema.Struct({ name: Schema.optionalKey(Schema.String), number: Schema.optionalKey(Schema.Int) }),
    }),
  ),
  resource: Schema.optionalKey(
    Schema.Struct({ apiGroup: Schema.optionalKey(Schema.String), kind: Schema.String, name: Schema.String }),
  ),
})
export type IngressBackend = typeof IngressBackend.Type

export const IngressRule = Schema.Struct({
  host: Schema.optionalKey(Schema.String),
  http: Schema.optionalKey(
    Schema.Struct({
      paths: Schema.Array(
        Schema.Struct({
          path: Schema.optionalKey(Schema.String),
          pathType: Schema.Literals(["Exact", "Prefix", "ImplementationSpecific"]),
          backend: IngressBackend,
        }),
      ),
    }),
  ),
})
export type IngressRule = typeof IngressRule.Type

const PortStatus = Schema.Struct({ port: Schema.Int, protocol: Schema.String, error: Schema.optionalKey(Schema.String) })

export const Ingress = Schema.Struct({
  apiVersion: Schema.Literal("networking.k8s.io/v1"),
  kind: Schema.Literal("Ingress"),
  metadata: ObjectMeta,
  spec: Schema.optionalKey(
    Schema.Struct({
      ingressClassName: Schema.optionalKey(Schema.String),
      defaultBackend: Schema.optionalKey(IngressBackend),
      tls: Schema.optionalKey(
        Schema.Array(Schema.Struct({ hosts: Schema.optionalKey(Schema.Array(Schema.String)), secretName: Schema.optionalKey(Schema.String) })),
      ),
      rules: Schema.optionalKey(Schema.Array(IngressRule)),
    }),
  ),
  status: Schema.optionalKey(
    Schema.Struct({
      loadBalancer: Schema.optionalKey(
        Schema.Struct({
          ingress: Schema.optionalKey(
            Schema.Array(
              Schema.Struct({
                ip: Schema.optionalKey(Schema.String),
                hostname: Schema.optionalKey(Schema.String),
                ports: Schema.optionalKey(Schema.Array(PortStatus)),
              }),
            ),
          ),
        }),
      ),
    }),
  ),
})
export type Ingress = typeof Ingress.Type
