// What the daemon tells the reporter: plain data, one report per Certificate
// and one per rejected intent file. There is deliberately no field that could
// carry a key or a token: the Secret's contents never reach this module.
import { Schema } from "effect"
import { ConditionStatus } from "../api/meta.ts"

/** A Kubernetes namespace: a DNS label, so it is also a safe directory name. */
const Namespace = Schema.String.check(
  Schema.isPattern(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, { message: "must be a Kubernetes namespace name" }),
)
/** A Kubernetes object name (DNS subdomain): a safe file name, never `.` or `..`. */
const ObjectName = Schema.String.check(
  Schema.isPattern(/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/, { message: "must be a Kubernetes object name" }),
)
/** A repository path as Git stores it: relative, without empty, `.` or `..` segments. */
const RepositoryPath = Schema.String.check(
  Schema.makeFilter(
    (path: string) =>
      path.split("/").every((segment) => segment !== "" && segment !== "." && segment !== ".." && !segment.includes("\0")) ||
      "must be a relative repository path",
  ),
)
/** RFC 3339, as Kubernetes writes times in status. */
const Time = Schema.String

/** Which Certificate: also its file name on the status branch, so both parts are checked. */
export const CertificateName = Schema.Struct({ namespace: Namespace, name: ObjectName })
export type CertificateName = typeof CertificateName.Type

export const IssuerReference = Schema.Struct({
  kind: Schema.String,
  name: Schema.String,
})

export const CertificateReport = Schema.Struct({
  namespace: Namespace,
  name: ObjectName,
  secretName: Schema.optionalKey(Schema.String),
  /** The Certificate's Ready condition, as `kubectl get certificates` shows it. */
  ready: ConditionStatus,
  reason: Schema.optionalKey(Schema.String),
  message: Schema.optionalKey(Schema.String),
  /** Of the certificate in the Secret, hex. */
  serial: Schema.optionalKey(Schema.String),
  /** SHA-256 of the certificate's DER, hex. */
  sha256Fingerprint: Schema.optionalKey(Schema.String),
  notBefore: Schema.optionalKey(Time),
  notAfter: Schema.optionalKey(Time),
  renewalTime: Schema.optionalKey(Time),
  nextRetryTime: Schema.optionalKey(Time),
  issuer: IssuerReference,
  /** The ACME order that issued the current certificate, for ACME issuers. */
  orderURL: Schema.optionalKey(Schema.String),
  lastFailure: Schema.optionalKey(Schema.Struct({ time: Time, message: Schema.String })),
  /** The commit the Certificate's intent was read from (provenance: serial → intent commit). */
  intentCommit: Schema.String,
  /** The file in that commit. */
  intentPath: RepositoryPath,
  /** For a Certificate derived from another object in that file: "Ingress shop/kuard". */
  origin: Schema.optionalKey(Schema.String),
})
export type CertificateReport = typeof CertificateReport.Type

export const RejectionProblem = Schema.Struct({
  /** The validation or policy rule that refused the intent. */
  rule: Schema.String,
  message: Schema.String,
  line: Schema.optionalKey(Schema.Int),
  /** `Kind namespace/name` of the refused document, when it got that far. */
  resource: Schema.optionalKey(Schema.String),
})
export type RejectionProblem = typeof RejectionProblem.Type

export const RejectionReport = Schema.Struct({
  /** The intent file, repository-relative. */
  file: RepositoryPath,
  intentCommit: Schema.String,
  problems: Schema.NonEmptyArray(RejectionProblem),
})
export type RejectionReport = typeof RejectionReport.Type

/** `namespace/name`: how people and commit messages name a Certificate. */
export const certificateKey = (report: { readonly namespace: string; readonly name: string }): string =>
  `${report.namespace}/${report.name}`
