// The writer escapes what the format says to escape, and the strict test
// parser really is strict: otherwise the other tests would prove little.
import { describe, expect, it } from "vitest"
import { escapeHelp, escapeLabelValue, formatValue, renderExposition } from "../../../src/metrics/exposition.ts"
import { parseExposition, sampleValue } from "../../support/prometheus-text.ts"

describe("the exposition writer", () => {
  it("escapes backslash, double quote and line feed in label values, and they parse back", () => {
    const nasty = 'C:\\dir\\"quoted"\nsecond line'
    expect(escapeLabelValue(nasty)).toBe('C:\\\\dir\\\\\\"quoted\\"\\nsecond line')
    const text = renderExposition([{ type: "gauge", name: "t", help: "h", samples: [{ labels: { path: nasty, plain: "ok" }, value: 1 }] }])
    expect(text).toBe('# HELP t h\n# TYPE t gauge\nt{path="C:\\\\dir\\\\\\"quoted\\"\\nsecond line",plain="ok"} 1\n')
    expect(sampleValue(parseExposition(text), "t", { path: nasty, plain: "ok" })).toBe(1)
  })

  it("escapes only backslash and line feed in HELP", () => {
    expect(escapeHelp('a "b" \\ c\nd')).toBe('a "b" \\\\ c\\nd')
    const families = parseExposition(renderExposition([{ type: "counter", name: "c_total", help: 'a "b" \\ c\nd', samples: [{ labels: {}, value: 2 }] }]))
    expect(families.get("c_total")?.help).toBe('a "b" \\ c\nd')
  })

  it("spells special floats as Go does", () => {
    expect([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0.005, 1_767_225_600].map(formatValue)).toEqual(["NaN", "+Inf", "-Inf", "0.005", "1767225600"])
  })

  it("writes a histogram's buckets, +Inf, _sum and _count", () => {
    const text = renderExposition([
      { type: "histogram", name: "h", help: "x", series: [{ labels: { c: "a" }, buckets: [{ le: 0.5, cumulativeCount: 1 }, { le: 1, cumulativeCount: 2 }], sum: 3.5, count: 3 }] },
    ])
    expect(text.split("\n")).toEqual([
      "# HELP h x",
      "# TYPE h histogram",
      'h_bucket{c="a",le="0.5"} 1',
      'h_bucket{c="a",le="1"} 2',
      'h_bucket{c="a",le="+Inf"} 3',
      'h_sum{c="a"} 3.5',
      'h_count{c="a"} 3',
      "",
    ])
    expect(parseExposition(text).get("h")?.type).toBe("histogram")
  })

  it("leaves out families with no samples", () => {
    expect(renderExposition([{ type: "gauge", name: "empty", help: "x", samples: [] }])).toBe("")
  })
})

describe("the strict test parser", () => {
  const rejects = (text: string, reason: RegExp) => expect(() => parseExposition(text)).toThrow(reason)

  it("rejects malformed expositions that lenient parsers accept", () => {
    rejects("a 1", /line feed/)
    rejects('a{x="\\t"} 1\n', /invalid escape/)
    rejects("a 1\nb 1\na{x=\"y\"} 2\n", /not one group/)
    rejects("a 1\n# TYPE a gauge\n", /after its samples/)
    rejects("# TYPE a gauge\n# TYPE a gauge\n", /second TYPE/)
    rejects("a 1\na 2\n", /repeated/)
    rejects('a{x="1",x="2"} 1\n', /repeated/)
    rejects("# TYPE c_total counter\nc_total -1\n", /counter/)
    rejects("a one\n", /not a float/)
    rejects('# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n', /cumulative/)
    rejects('# TYPE h histogram\nh_bucket{le="1"} 1\nh_sum 1\nh_count 1\n', /\+Inf/)
    rejects('# TYPE h histogram\nh_bucket{le="+Inf"} 2\nh_sum 1\nh_count 1\n', /differs/)
  })
})
