// CertificateRequest (cert-manager.io/v1): one signing request for one
// Certificate revision. Immutable once created, like in cert-manager.
import { Schema } from "effect"
import { KeyUsage } from "./certificate.ts"
import { GoDuration } from "./duration.ts"
import { Base64Bytes, Conditions, ObjectMeta } from "./meta.ts"
import { IssuerRef } from "./references.ts"

export const CertificateRequestSpec = Schema.Struct({
  /** The PEM certificate signing request, base64-encoded. */
  request: Base64Bytes,
  issuerRef: IssuerRef,
  duration: Schema.optionalKey(GoDuration),
  usages: Schema.optionalKey(Schema.Array(KeyUsage)),
  isCA: Schema.optionalKey(Schema.Boolean),
  // Who asked, as the API server's admission would record it.
  username: Schema.optionalKey(Schema.String),
  uid: Schema.optionalKey(Schema.String),
  groups: Schema.optionalKey(Schema.Array(Schema.String)),
  extra: Schema.optionalKey(Schema.Record(Schema.String, Schema.Array(Schema.String))),
})
export type CertificateRequestSpec = typeof CertificateRequestSpec.Type

export const CertificateRequestStatus = Schema.Struct({
  /** Ready, InvalidRequest, Approved and Denied, as in cert-manager. */
  conditions: Schema.optionalKey(Conditions),
  /** The signed PEM certificate chain, base64-encoded. */
  certificate: Schema.optionalKey(Base64Bytes),
  /** The issuing CA's PEM certificate, base64-encoded, when the issuer knows it. */
  ca: Schema.optionalKey(Base64Bytes),
  failureTime: Schema.optionalKey(Schema.String),
})
export type CertificateRequestStatus = typeof CertificateRequestStatus.Type

export const CertificateRequest = Schema.Struct({
  apiVersion: Schema.Literal("cert-manager.io/v1"),
  kind: Schema.Literal("CertificateRequest"),
  metadata: ObjectMeta,
  spec: CertificateRequestSpec,
  status: Schema.optionalKey(CertificateRequestStatus),
}).annotate({ description: "A request to sign one certificate signing request with an issuer." })
export type CertificateRequest = typeof CertificateRequest.Type
