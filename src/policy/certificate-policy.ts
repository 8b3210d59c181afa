// CertificatePolicy (policy.certops.io/v1alpha1): what Certificates in some
// namespaces may ask for. Every field is a restriction; an absent field
// restricts nothing. A Certificate must satisfy every policy that applies to
// its namespace, so policies only ever add restrictions to one another.
import { Schema } from "effect"
import { PrivateKeyAlgorithm } from "../api/certificate.ts"
import { GoDuration } from "../api/duration.ts"
import { StringMap } from "../api/meta.ts"

export const policyApiVersion = "policy.certops.io/v1alpha1"
export const policyKind = "CertificatePolicy"

/** `*` matches any run of characters, dots included; everything else is literal. */
const Glob = Schema.NonEmptyString

export const IssuerPattern = Schema.Struct({
  /** Issuer or ClusterIssuer, as a glob; absent: either. */
  kind: Schema.optionalKey(Glob),
  name: Glob,
})
export type IssuerPattern = typeof IssuerPattern.Type

export const PolicyRule = Schema.Struct({
  /** Named in denials: `rule <name>`. */
  name: Schema.NonEmptyString,
  /** CEL, true when the Certificate (`object`) is allowed. */
  expression: Schema.NonEmptyString,
  /** Shown when the expression is false. */
  message: Schema.NonEmptyString,
})
export type PolicyRule = typeof PolicyRule.Type

const uniqueRuleNames = Schema.makeFilter((rules: ReadonlyArray<PolicyRule>) => {
  const index = rules.findIndex((rule, position) => rules.findIndex((other) => other.name === rule.name) !== position)
  return index === -1 ? undefined : { path: [index, "name"], issue: `rule name "${rules[index]!.name}" is used twice` }
})

export const CertificatePolicySpec = Schema.Struct({
  /** Namespace globs the policy governs; absent: every namespace. */
  namespaces: Schema.optionalKey(Schema.Array(Glob)),
  /** Every dnsName must match one of these globs (`*.example.com`, `example.com`). */
  allowedDNSNames: Schema.optionalKey(Schema.Array(Glob)),
  allowedIssuers: Schema.optionalKey(Schema.Array(IssuerPattern)),
  allowedKeyAlgorithms: Schema.optionalKey(Schema.Array(PrivateKeyAlgorithm)),
  minRSAKeySize: Schema.optionalKey(Schema.Int.check(Schema.isBetween({ minimum: 1024, maximum: 8192 }))),
  /** The longest spec.duration allowed; an omitted duration counts as cert-manager's default, 2160h. */
  maxDuration: Schema.optionalKey(GoDuration),
  /** false: no `*.` names. Absent or true: wildcards allowed. */
  allowWildcards: Schema.optionalKey(Schema.Boolean),
  rules: Schema.optionalKey(Schema.Array(PolicyRule).check(uniqueRuleNames)),
})
export type CertificatePolicySpec = typeof CertificatePolicySpec.Type

export const CertificatePolicy = Schema.Struct({
  apiVersion: Schema.Literal(policyApiVersion),
  kind: Schema.Literal(policyKind),
  metadata: Schema.Struct({
    name: Schema.NonEmptyString,
    labels: Schema.optionalKey(StringMap),
    annotations: Schema.optionalKey(StringMap),
  }),
  spec: CertificatePolicySpec,
}).annotate({ description: "Restrictions on the Certificates that namespaces may declare in Git." })
export type CertificatePolicy = typeof CertificatePolicy.Type
