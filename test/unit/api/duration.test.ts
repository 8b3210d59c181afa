// Go duration strings, parsed as Go's time.ParseDuration does.
import { Result, Schema } from "effect"
import { describe, expect, it } from "vitest"
import { GoDuration, parseGoDuration, parseGoDurationNanos } from "../../../src/api/duration.ts"

const hour = 3_600_000

describe("parseGoDuration", () => {
  it.each([
    ["2160h", 2160 * hour],
    ["1h30m", 1.5 * hour],
    ["90m0s", 1.5 * hour],
    ["720h0m0s", 720 * hour],
    ["1.5h", 1.5 * hour],
    ["300ms", 300],
    ["0", 0],
    ["-0", 0],
    ["+5s", 5_000],
    ["-1h", -hour],
    [".5s", 500],
    ["1.s", 1_000],
    ["1h1h", 2 * hour],
    ["2h45m30.5s", 2 * hour + 45 * 60_000 + 30_500],
    ["1us", 0.001],
    ["1µs", 0.001], // micro sign
    ["1μs", 0.001], // Greek mu
    ["1500ns", 0.0015],
  ])("%s is %d ms", (text, millis) => {
    expect(parseGoDuration(text)).toBe(millis)
  })

  it.each([
    ["", "empty"],
    ["1", "a number without a unit"],
    ["h", "a unit without a number"],
    [".h", "a lone decimal point"],
    ["1d", "days, which Go does not have"],
    ["1H", "an upper-case unit"],
    ["1 h", "a space inside"],
    ["1h ", "a trailing space"],
    ["--1h", "two signs"],
    ["1.5.5h", "two decimal points"],
    ["P1D", "ISO 8601"],
    ["2562048h", "more than Go's int64 nanoseconds"],
  ])("rejects %j (%s)", (text) => {
    expect(parseGoDuration(text)).toBeUndefined()
  })

  it("keeps Go's exact int64 nanosecond range", () => {
    expect(parseGoDurationNanos("9223372036854775807ns")).toBe(2n ** 63n - 1n)
    expect(parseGoDurationNanos("-9223372036854775808ns")).toBe(-(2n ** 63n))
    expect(parseGoDurationNanos("9223372036854775808ns")).toBeUndefined()
  })

  it("truncates below a nanosecond, as Go does", () => {
    expect(parseGoDurationNanos("1.0000000009s")).toBe(1_000_000_000n)
  })
})

describe("GoDuration", () => {
  const decode = Schema.decodeUnknownResult(GoDuration)

  it("accepts the durations cert-manager writes", () => {
    expect(Result.isSuccess(decode("2160h0m0s"))).toBe(true)
  })

  it("names the expected format when it rejects one", () => {
    const result = decode("90 days")
    expect(Result.isFailure(result) && result.failure.message).toBe('"90 days" is not a Go duration such as 2160h or 1h30m')
  })

  it("refuses negative durations", () => {
    const result = decode("-1h")
    expect(Result.isFailure(result) && result.failure.message).toMatch(/negative/)
  })
})
