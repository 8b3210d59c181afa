// What `certops status` shows, independent of how it is printed: the text
// renderer and `--output json` both take these. Field names are stable, for
// scripts that read the JSON.
import type { AcmeState } from "../../api/acme-order.ts"
import type { Condition } from "../../api/meta.ts"

export interface EventSummary {
  readonly type: string
  readonly reason: string
  readonly message: string
  /** How many times Kubernetes counted it (the same reason and message for the same object). */
  readonly count: number
  readonly firstTimestamp?: string
  readonly lastTimestamp?: string
}

interface Described {
  readonly namespace?: string
  readonly name: string
  readonly conditions: ReadonlyArray<Condition>
  /** The most recent ones, oldest first. */
  readonly events: ReadonlyArray<EventSummary>
}

/** One line of the `certops status` table. */
export interface CertificateRow {
  readonly namespace: string
  readonly name: string
  /** The Ready condition's status; Unknown when there is none yet. */
  readonly ready: "True" | "False" | "Unknown"
  readonly secretName: string
  readonly notAfter?: string
  readonly renewalTime?: string
  readonly reason?: string
  readonly message?: string
  /** Where it comes from when certops derived it: "Ingress shop/kuard". */
  readonly origin?: string
}

/** An annotated Ingress (or one of its tls entries) that yields no Certificate, and why. */
export interface IngressProblemRow {
  readonly namespace: string
  readonly name: string
  readonly problem: string
}

export interface CertificateSummary extends Described {
  readonly kind: "Certificate"
  readonly namespace: string
  readonly secretName: string
  readonly dnsNames: ReadonlyArray<string>
  readonly issuerRef: { readonly name: string; readonly kind: string; readonly group: string }
  readonly revision?: number
  readonly notAfter?: string
  readonly renewalTime?: string
}

export interface IssuerSummary extends Described {
  readonly kind: string
  /** External: an issuer kind certops does not run, so it cannot tell more. */
  readonly lookup: "Found" | "NotFound" | "External"
  /** acme, ca or selfSigned, when found. */
  readonly type?: string
}

export interface ChallengeSummary extends Described {
  readonly kind: "Challenge"
  readonly type: string
  readonly dnsName: string
  readonly state?: AcmeState
  readonly reason?: string
  readonly processing: boolean
  readonly presented: boolean
}

export interface OrderSummary extends Described {
  readonly kind: "Order"
  readonly state?: AcmeState
  readonly reason?: string
  readonly url?: string
  readonly challenges: ReadonlyArray<ChallengeSummary>
}

export interface RequestSummary extends Described {
  readonly kind: "CertificateRequest"
  /** The Certificate revision this request would produce. */
  readonly revision?: number
  /** ACME issuers only: the Orders this request made, oldest first. */
  readonly orders: ReadonlyArray<OrderSummary>
}

export interface Diagnosis {
  /** Issued and current: nothing to do. */
  readonly healthy: boolean
  /** The first object in the chain that is not moving, e.g. `Challenge web/www-1-42-0`. */
  readonly stuckAt?: string
  readonly summary: string
}

/** Certificate → issuer → CertificateRequests → Orders → Challenges, as the troubleshooting guide walks them. */
export interface CertificateChain {
  readonly certificate: CertificateSummary
  readonly issuer: IssuerSummary
  /** Oldest first; the last one is the current attempt. */
  readonly requests: ReadonlyArray<RequestSummary>
  /** What could not be read (e.g. Events, for want of permission); the rest is still shown. */
  readonly warnings: ReadonlyArray<string>
}

/** A chain and what to make of it: `certops status <namespace>/<name>`. */
export interface CertificateReport extends CertificateChain {
  readonly diagnosis: Diagnosis
}

export const conditionOf = (described: { readonly conditions: ReadonlyArray<Condition> }, type: string): Condition | undefined =>
  described.conditions.find((condition) => condition.type === type)

/** `namespace/name`, or the name alone for cluster-scoped objects. */
export const qualifiedName = (described: { readonly namespace?: string; readonly name: string }): string =>
  described.namespace === undefined ? described.name : `${described.namespace}/${described.name}`
