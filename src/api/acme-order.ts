// Order (acme.cert-manager.io/v1): one ACME order for one CertificateRequest.
// certops creates Orders and never changes their spec; a retry is a new Order.
import { Schema } from "effect"
import { GoDuration } from "./duration.ts"
import { Base64Bytes, ObjectMeta } from "./meta.ts"
import { IssuerRef } from "./references.ts"

/**
 * An ACME order, authorization or challenge state as cert-manager records it:
 * RFC 8555's states plus "errored" for failures that are certops' own.
 */
export const AcmeState = Schema.Literals(["valid", "ready", "pending", "processing", "invalid", "expired", "errored"])
export type AcmeState = typeof AcmeState.Type

/** One challenge the ACME server offered for an authorization; type in RFC 8555 spelling ("http-01", "dns-01"). */
export const AcmeChallenge = Schema.Struct({
  url: Schema.String,
  token: Schema.String,
  type: Schema.String,
})
export type AcmeChallenge = typeof AcmeChallenge.Type

export const AcmeAuthorization = Schema.Struct({
  url: Schema.String,
  /** The DNS name being authorized, without any "*." prefix. */
  identifier: Schema.optionalKey(Schema.String),
  wildcard: Schema.optionalKey(Schema.Boolean),
  initialState: Schema.optionalKey(AcmeState),
  challenges: Schema.optionalKey(Schema.Array(AcmeChallenge)),
})
export type AcmeAuthorization = typeof AcmeAuthorization.Type

export const OrderSpec = Schema.Struct({
  /** The CertificateRequest's CSR, base64-encoded. */
  request: Base64Bytes,
  issuerRef: IssuerRef,
  commonName: Schema.optionalKey(Schema.String),
  dnsNames: Schema.optionalKey(Schema.Array(Schema.String)),
  ipAddresses: Schema.optionalKey(Schema.Array(Schema.String)),
  duration: Schema.optionalKey(GoDuration),
})
export type OrderSpec = typeof OrderSpec.Type

export const OrderStatus = Schema.Struct({
  url: Schema.optionalKey(Schema.String),
  finalizeURL: Schema.optionalKey(Schema.String),
  /** The issued PEM chain, base64-encoded, once the order is valid. */
  certificate: Schema.optionalKey(Base64Bytes),
  state: Schema.optionalKey(AcmeState),
  reason: Schema.optionalKey(Schema.String),
  authorizations: Schema.optionalKey(Schema.Array(AcmeAuthorization)),
  failureTime: Schema.optionalKey(Schema.String),
})
export type OrderStatus = typeof OrderStatus.Type

export const Order = Schema.Struct({
  apiVersion: Schema.Literal("acme.cert-manager.io/v1"),
  kind: Schema.Literal("Order"),
  metadata: ObjectMeta,
  spec: OrderSpec,
  status: Schema.optionalKey(OrderStatus),
}).annotate({ description: "An ACME order for one certificate, created by certops; never changed after creation." })
export type Order = typeof Order.Type
