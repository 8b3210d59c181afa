// References between objects, shaped as cert-manager's meta/v1 types.
import { Schema } from "effect"

/** Which issuer signs: an Issuer in the same namespace unless kind says ClusterIssuer. */
export const IssuerRef = Schema.Struct({
  name: Schema.NonEmptyString,
  /** "Issuer" (the default) or "ClusterIssuer"; external issuers use their own kinds. */
  kind: Schema.optionalKey(Schema.String),
  /** "cert-manager.io" (the default) or an external issuer's group. */
  group: Schema.optionalKey(Schema.String),
})
export type IssuerRef = typeof IssuerRef.Type

/** A key in a Secret in the referring object's namespace. */
export const SecretKeySelector = Schema.Struct({
  name: Schema.NonEmptyString,
  /** Omitted where the consumer has a conventional key (e.g. tls.key). */
  key: Schema.optionalKey(Schema.String),
})
export type SecretKeySelector = typeof SecretKeySelector.Type
