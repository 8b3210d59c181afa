// Go duration strings ("2160h", "1h30m", "1.5h", "300ms"), the format of every
// duration field in cert-manager's API (metav1.Duration parses them with Go's
// time.ParseDuration). The parser follows Go's grammar and its int64-nanosecond
// limit, so certops accepts exactly what cert-manager accepts.
import { Schema } from "effect"

const nanosPerUnit: ReadonlyMap<string, bigint> = new Map([
  ["ns", 1n],
  ["us", 1_000n],
  ["µs", 1_000n], // U+00B5 micro sign
  ["μs", 1_000n], // U+03BC Greek mu
  ["ms", 1_000_000n],
  ["s", 1_000_000_000n],
  ["m", 60_000_000_000n],
  ["h", 3_600_000_000_000n],
])

// Go keeps durations in an int64 of nanoseconds and refuses anything larger.
const maxNanos = 2n ** 63n - 1n

// One "<number><unit>" term: integer digits, an optional fraction, then a unit
// (letters, so that an unknown unit is caught rather than split).
const term = /^(\d*)(?:\.(\d*))?([a-zµμ]+)/

/**
 * Parses a Go duration string into nanoseconds, or undefined when Go's
 * time.ParseDuration would reject it.
 */
export const parseGoDurationNanos = (text: string): bigint | undefined => {
  let rest = text
  let negative = false
  if (rest.startsWith("-") || rest.startsWith("+")) {
    negative = rest.startsWith("-")
    rest = rest.slice(1)
  }
  if (rest === "0") return 0n // the only unit-less duration Go accepts
  if (rest === "") return undefined
  let total = 0n
  while (rest !== "") {
    const match = term.exec(rest)
    if (match === null) return undefined
    const [whole, integer = "", fraction, unit = ""] = match
    const scale = nanosPerUnit.get(unit)
    if (scale === undefined || (integer === "" && (fraction === undefined || fraction === ""))) return undefined
    total += BigInt(integer || "0") * scale
    if (fraction !== undefined && fraction !== "") {
      // Go truncates sub-nanosecond fractions; integer arithmetic does the same.
      total += (BigInt(fraction) * scale) / 10n ** BigInt(fraction.length)
    }
    if (total > maxNanos + (negative ? 1n : 0n)) return undefined
    rest = rest.slice(whole.length)
  }
  return negative ? -total : total
}

/** Parses a Go duration string into milliseconds (fractional below 1 ms), or undefined if it is not one. */
export const parseGoDuration = (text: string): number | undefined => {
  const nanos = parseGoDurationNanos(text)
  return nanos === undefined ? undefined : Number(nanos) / 1e6
}

/**
 * A duration field as cert-manager writes it. Go would parse "-1h" too, but no
 * duration in these APIs can be negative, so the schema refuses it here rather
 * than leaving it to surprise a controller.
 */
export const GoDuration = Schema.String.check(
  Schema.makeFilter((text: string) => {
    const nanos = parseGoDurationNanos(text)
    if (nanos === undefined) return `"${text}" is not a Go duration such as 2160h or 1h30m`
    return nanos < 0n ? `"${text}" is negative; a duration here must be zero or more` : undefined
  }),
)
export type GoDuration = typeof GoDuration.Type
