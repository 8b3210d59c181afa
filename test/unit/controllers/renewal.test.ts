import { describe, expect, it } from "vitest"
import { issuanceBackoff, nextAttemptTime, renewalTime } from "../../../src/controllers/certificates/renewal.ts"

const hour = 3_600_000
const notBefore = new Date("2026-01-01T00:00:00Z")
const notAfter = new Date(notBefore.getTime() + 90 * 24 * hour)

describe("renewalTime", () => {
  it("renews two thirds through the lifetime by default", () => {
    expect(renewalTime({}, notBefore, notAfter).toISOString()).toBe("2026-03-02T00:00:00.000Z")
  })
  it("honours renewBefore", () => {
    expect(renewalTime({ renewBefore: "360h" }, notBefore, notAfter).getTime()).toBe(notAfter.getTime() - 360 * hour)
  })
  it("falls back to the default when renewBefore is not shorter than the lifetime", () => {
    expect(renewalTime({ renewBefore: "2400h" }, notBefore, notAfter).toISOString()).toBe("2026-03-02T00:00:00.000Z")
  })
  it("honours renewBeforePercentage", () => {
    expect(renewalTime({ renewBeforePercentage: 10 }, notBefore, notAfter).getTime()).toBe(notAfter.getTime() - 9 * 24 * hour)
  })
})

describe("issuance backoff", () => {
  it("doubles from one hour and stops at 32 hours", () => {
    expect([1, 2, 3, 4, 5, 6, 7, 10].map((failures) => issuanceBackoff(failures, hour, 32 * hour) / hour)).toEqual([1, 2, 4, 8, 16, 32, 32, 32])
  })
  it("dates the next attempt from the last failure", () => {
    expect(nextAttemptTime(notBefore, 3, hour, 32 * hour).toISOString()).toBe("2026-01-01T04:00:00.000Z")
  })
})
