// The Kubernetes object envelope shared by every resource: metadata, owner
// references and conditions, in the shapes the API server uses.
import { Schema } from "effect"

export const StringMap = Schema.Record(Schema.String, Schema.String)

/** A Go []byte field: base64 in JSON, as the API server writes it. */
export const Base64Bytes = Schema.String.check(Schema.isBase64({ message: "must be base64-encoded" })).annotate({ format: "byte" })

export const OwnerReference = Schema.Struct({
  apiVersion: Schema.String,
  kind: Schema.String,
  name: Schema.String,
  uid: Schema.String,
  controller: Schema.optionalKey(Schema.Boolean),
  blockOwnerDeletion: Schema.optionalKey(Schema.Boolean),
})
export type OwnerReference = typeof OwnerReference.Type

/**
 * Object metadata. Server-set fields are optional so that intents read from
 * Git (which carry only name, namespace, labels, annotations) decode too.
 */
export const ObjectMeta = Schema.Struct({
  name: Schema.NonEmptyString,
  namespace: Schema.optionalKey(Schema.String),
  generateName: Schema.optionalKey(Schema.String),
  uid: Schema.optionalKey(Schema.String),
  resourceVersion: Schema.optionalKey(Schema.String),
  generation: Schema.optionalKey(Schema.Int),
  creationTimestamp: Schema.optionalKey(Schema.String),
  deletionTimestamp: Schema.optionalKey(Schema.String),
  deletionGracePeriodSeconds: Schema.optionalKey(Schema.Int),
  labels: Schema.optionalKey(StringMap),
  annotations: Schema.optionalKey(StringMap),
  ownerReferences: Schema.optionalKey(Schema.Array(OwnerReference)),
  finalizers: Schema.optionalKey(Schema.Array(Schema.String)),
  managedFields: Schema.optionalKey(Schema.Array(Schema.Unknown)),
})
export type ObjectMeta = typeof ObjectMeta.Type

export const ConditionStatus = Schema.Literals(["True", "False", "Unknown"])
export type ConditionStatus = typeof ConditionStatus.Type

/** A status condition as cert-manager writes them (metav1.Condition-like). */
export const Condition = Schema.Struct({
  type: Schema.String,
  status: ConditionStatus,
  reason: Schema.optionalKey(Schema.String),
  message: Schema.optionalKey(Schema.String),
  lastTransitionTime: Schema.optionalKey(Schema.String),
  observedGeneration: Schema.optionalKey(Schema.Int),
})
export type Condition = typeof Condition.Type

/**
 * A status's condition list. Kubernetes treats it as a map keyed by type, so
 * server-side apply merges one condition without clobbering the others.
 */
export const Conditions = Schema.Array(Condition).annotate({
  "x-kubernetes-list-type": "map",
  "x-kubernetes-list-map-keys": ["type"],
})

/** What every stored object has; kinds refine spec, status and data. */
export interface KubeObject {
  readonly apiVersion: string
  readonly kind: string
  readonly metadata: ObjectMeta
}
