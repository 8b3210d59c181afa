// Challenge (acme.cert-manager.io/v1): one ACME challenge for one
// authorization of an Order. Created by certops, never changed after creation;
// its status follows the lifecycle in DESIGN.md §1 (queued, scheduled,
// presented, self-checked, accepted, final state).
import { Schema } from "effect"
import { AcmeState } from "./acme-order.ts"
import { AcmeChallengeSolver } from "./issuer.ts"
import { ObjectMeta } from "./meta.ts"
import { IssuerRef } from "./references.ts"

/** cert-manager spells challenge types in capitals, unlike RFC 8555's "http-01". */
export const ChallengeType = Schema.Literals(["HTTP-01", "DNS-01"])
export type ChallengeType = typeof ChallengeType.Type

export const ChallengeSpec = Schema.Struct({
  /** The ACME challenge URL, posted to when the challenge is accepted. */
  url: Schema.String,
  authorizationURL: Schema.String,
  /** The name being authorized, without any "*." prefix. */
  dnsName: Schema.String,
  wildcard: Schema.optionalKey(Schema.Boolean),
  type: ChallengeType,
  token: Schema.String,
  /** The key authorization: the HTTP-01 response body, or hashed into the DNS-01 TXT record. */
  key: Schema.String,
  /** The issuer's solver chosen for this name, copied so the Challenge stands alone. */
  solver: AcmeChallengeSolver,
  issuerRef: IssuerRef,
})
export type ChallengeSpec = typeof ChallengeSpec.Type

export const ChallengeStatus = Schema.Struct({
  /** True while the challenge holds a scheduler slot. */
  processing: Schema.optionalKey(Schema.Boolean),
  /** True once the solver has put the record or HTTP response in place. */
  presented: Schema.optionalKey(Schema.Boolean),
  reason: Schema.optionalKey(Schema.String),
  state: Schema.optionalKey(AcmeState),
})
export type ChallengeStatus = typeof ChallengeStatus.Type

export const Challenge = Schema.Struct({
  apiVersion: Schema.Literal("acme.cert-manager.io/v1"),
  kind: Schema.Literal("Challenge"),
  metadata: ObjectMeta,
  spec: ChallengeSpec,
  status: Schema.optionalKey(ChallengeStatus),
}).annotate({ description: "One ACME challenge proving control of one DNS name, created by certops." })
export type Challenge = typeof Challenge.Type
