// Whether this replica may take or keep the Lease: a pure decision on the
// Lease as read, so the rules (hold while renewed, take over once expired)
// are tested without a cluster.
import type { Lease } from "../api/core.ts"

export type LeaseDecision =
  | { readonly _tag: "Create" }
  | { readonly _tag: "Renew" }
  | { readonly _tag: "TakeOver"; readonly from: string }
  | { readonly _tag: "Wait"; readonly holder: string; readonly expiresAt: number }

export const decideLease = (lease: Lease | undefined, identity: string, now: number): LeaseDecision => {
  if (lease === undefined) return { _tag: "Create" }
  const holder = lease.spec?.holderIdentity ?? ""
  if (holder === identity) return { _tag: "Renew" }
  const renewed = Date.parse(lease.spec?.renewTime ?? lease.spec?.acquireTime ?? "")
  const expiresAt = (Number.isNaN(renewed) ? 0 : renewed) + (lease.spec?.leaseDurationSeconds ?? 0) * 1_000
  if (holder === "" || expiresAt <= now) return { _tag: "TakeOver", from: holder }
  return { _tag: "Wait", holder, expiresAt }
}

/** Kubernetes MicroTime: RFC 3339 with exactly six fractional digits. */
export const microTime = (millis: number): string => new Date(millis).toISOString().replace(/\.(\d{3})Z$/, ".$1000Z")
