import { describe, expect, it } from "vitest"
import type { Lease } from "../../../src/api/core.ts"
import { decideLease, microTime } from "../../../src/leadership/lease-decision.ts"

const lease = (holder: string, renewedAt: number, seconds = 15): Lease => ({
  apiVersion: "coordination.k8s.io/v1",
  kind: "Lease",
  metadata: { name: "certops-leader", namespace: "certops" },
  spec: { holderIdentity: holder, leaseDurationSeconds: seconds, renewTime: microTime(renewedAt) },
})

describe("decideLease", () => {
  const now = Date.parse("2026-11-23T12:00:00Z")
  it("creates a missing Lease", () => expect(decideLease(undefined, "a", now)).toEqual({ _tag: "Create" }))
  it("renews its own", () => expect(decideLease(lease("a", now - 60_000), "a", now)).toEqual({ _tag: "Renew" }))
  it("waits while another holder's Lease is fresh", () =>
    expect(decideLease(lease("b", now - 5_000), "a", now)).toEqual({ _tag: "Wait", holder: "b", expiresAt: now + 10_000 }))
  it("takes over an expired Lease", () => expect(decideLease(lease("b", now - 15_000), "a", now)).toEqual({ _tag: "TakeOver", from: "b" }))
  it("takes over a released Lease at once", () => expect(decideLease(lease("", now), "a", now)).toEqual({ _tag: "TakeOver", from: "" }))
  it("writes MicroTime with six fractional digits", () => expect(microTime(Date.parse("2026-11-23T12:00:00.123Z"))).toBe("2026-11-23T12:00:00.123000Z"))
})
