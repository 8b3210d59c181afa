// Issuer and ClusterIssuer (cert-manager.io/v1): where certificates come from.
// certops implements the ACME (HTTP-01 ingress, DNS-01 RFC 2136 and webhook
// solvers), SelfSigned and CA issuer types; any other type is an unknown field.
// That exactly one type, solver type and provider is set is an admission rule
// (rules/admission-rules.ts), enforced by the API server too.
import { Schema } from "effect"
import { Base64Bytes, Conditions, ObjectMeta, StringMap } from "./meta.ts"
import { SecretKeySelector } from "./references.ts"
import { ParentReference } from "./gateway.ts"

/** Which names a solver is for; the most specific matching selector wins. */
export const SolverSelector = Schema.Struct({
  dnsNames: Schema.optionalKey(Schema.Array(Schema.String)),
  dnsZones: Schema.optionalKey(Schema.Array(Schema.String)),
  /** Labels the Certificate must carry for this solver to apply. */
  matchLabels: Schema.optionalKey(StringMap),
})
export type SolverSelector = typeof SolverSelector.Type

export const Http01IngressSolver = Schema.Struct({
  /** The legacy kubernetes.io/ingress.class annotation value. */
  class: Schema.optionalKey(Schema.String),
  ingressClassName: Schema.optionalKey(Schema.String),
  /** Edit this existing Ingress in place instead of creating one. */
  name: Schema.optionalKey(Schema.String),
  serviceType: Schema.optionalKey(Schema.Literals(["ClusterIP", "NodePort"])),
})
export type Http01IngressSolver = typeof Http01IngressSolver.Type

export const Rfc2136Solver = Schema.Struct({
  /** host:port (or an IP) of the authoritative server that accepts dynamic updates. */
  nameserver: Schema.NonEmptyString,
  tsigKeyName: Schema.optionalKey(Schema.String),
  /** HMACMD5, HMACSHA1, HMACSHA256 or HMACSHA512 (cert-manager's names). */
  tsigAlgorithm: Schema.optionalKey(Schema.String),
  tsigSecretSecretRef: Schema.optionalKey(SecretKeySelector),
})
export type Rfc2136Solver = typeof Rfc2136Solver.Type

export const WebhookSolver = Schema.Struct({
  groupName: Schema.NonEmptyString,
  solverName: Schema.NonEmptyString,
  /** Any JSON: the webhook defines its own configuration, certops passes it on. */
  config: Schema.optionalKey(Schema.Json.annotate({ "x-kubernetes-preserve-unknown-fields": true })),
})
export type WebhookSolver = typeof WebhookSolver.Type

export const Dns01Solver = Schema.Struct({
  /** Follow: write the TXT record at the end of the CNAME chain from `_acme-challenge.<name>` (a delegated zone). */
  cnameStrategy: Schema.optionalKey(Schema.Literals(["None", "Follow"])),
  rfc2136: Schema.optionalKey(Rfc2136Solver),
  webhook: Schema.optionalKey(WebhookSolver),
})
export type Dns01Solver = typeof Dns01Solver.Type

/** HTTP-01 through an HTTPRoute per Challenge, attached to these parents (or the Gateway a Certificate names). */
export const Http01GatewaySolver = Schema.Struct({
  parentRefs: Schema.optionalKey(Schema.Array(ParentReference)),
  labels: Schema.optionalKey(StringMap),
  serviceType: Schema.optionalKey(Schema.Literals(["ClusterIP", "NodePort"])),
})
export type Http01GatewaySolver = typeof Http01GatewaySolver.Type

export const AcmeChallengeSolver = Schema.Struct({
  selector: Schema.optionalKey(SolverSelector),
  http01: Schema.optionalKey(Schema.Struct({ ingress: Schema.optionalKey(Http01IngressSolver), gatewayHTTPRoute: Schema.optionalKey(Http01GatewaySolver) })),
  dns01: Schema.optionalKey(Dns01Solver),
})
export type AcmeChallengeSolver = typeof AcmeChallengeSolver.Type

export const ExternalAccountBinding = Schema.Struct({
  keyID: Schema.NonEmptyString,
  keySecretRef: SecretKeySelector,
  keyAlgorithm: Schema.optionalKey(Schema.Literals(["HS256", "HS384", "HS512"])),
})
export type ExternalAccountBinding = typeof ExternalAccountBinding.Type

export const AcmeIssuer = Schema.Struct({
  /** The ACME directory URL. */
  server: Schema.NonEmptyString,
  email: Schema.optionalKey(Schema.String),
  /** Where the ACME account key lives (generated there unless disableAccountKeyGeneration). */
  privateKeySecretRef: SecretKeySelector,
  externalAccountBinding: Schema.optionalKey(ExternalAccountBinding),
  /** Common name of the root to chain to, when the server offers alternates. */
  preferredChain: Schema.optionalKey(Schema.String),
  skipTLSVerify: Schema.optionalKey(Schema.Boolean),
  /** PEM CA bundle to trust for the ACME server, base64-encoded. */
  caBundle: Schema.optionalKey(Base64Bytes),
  disableAccountKeyGeneration: Schema.optionalKey(Schema.Boolean),
  solvers: Schema.optionalKey(Schema.Array(AcmeChallengeSolver)),
})
export type AcmeIssuer = typeof AcmeIssuer.Type

const CrlDistributionPoints = Schema.optionalKey(Schema.Array(Schema.String))

export const SelfSignedIssuer = Schema.Struct({ crlDistributionPoints: CrlDistributionPoints })
export type SelfSignedIssuer = typeof SelfSignedIssuer.Type

export const CAIssuer = Schema.Struct({
  /** The Secret holding the signing CA's tls.crt and tls.key. */
  secretName: Schema.NonEmptyString,
  crlDistributionPoints: CrlDistributionPoints,
})
export type CAIssuer = typeof CAIssuer.Type

export const IssuerSpec = Schema.Struct({
  acme: Schema.optionalKey(AcmeIssuer),
  selfSigned: Schema.optionalKey(SelfSignedIssuer),
  ca: Schema.optionalKey(CAIssuer),
})
export type IssuerSpec = typeof IssuerSpec.Type

export const IssuerStatus = Schema.Struct({
  conditions: Schema.optionalKey(Conditions),
  acme: Schema.optionalKey(
    Schema.Struct({
      /** The registered ACME account's URL. */
      uri: Schema.optionalKey(Schema.String),
      lastRegisteredEmail: Schema.optionalKey(Schema.String),
      /** Lets certops notice the account key was replaced and register again. */
      lastPrivateKeyHash: Schema.optionalKey(Schema.String),
    }),
  ),
})
export type IssuerStatus = typeof IssuerStatus.Type

export const Issuer = Schema.Struct({
  apiVersion: Schema.Literal("cert-manager.io/v1"),
  kind: Schema.Literal("Issuer"),
  metadata: ObjectMeta,
  spec: IssuerSpec,
  status: Schema.optionalKey(IssuerStatus),
}).annotate({ description: "A certificate authority that signs requests from its own namespace." })
export type Issuer = typeof Issuer.Type

export const ClusterIssuer = Schema.Struct({
  apiVersion: Schema.Literal("cert-manager.io/v1"),
  kind: Schema.Literal("ClusterIssuer"),
  metadata: ObjectMeta,
  spec: IssuerSpec,
  status: Schema.optionalKey(IssuerStatus),
}).annotate({ description: "A certificate authority that signs requests from any namespace." })
export type ClusterIssuer = typeof ClusterIssuer.Type
