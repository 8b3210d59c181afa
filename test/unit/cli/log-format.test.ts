// The text log line: one line per entry, the JSON entry's fields as key=value.
import { describe, expect, it } from "vitest"
import { formatTextLine } from "../../../src/cli/log-format.ts"

const entry = {
  level: "INFO",
  fiberId: "#27",
  timestamp: "2026-12-07T12:00:01.204Z",
  message: ["certops running", { git: "/home/me/examples#main:/", store: "embedded" }] as unknown,
  cause: undefined,
  annotations: { certificate: "web/www" } as Record<string, unknown>,
  spans: {} as Record<string, number>,
}

describe("text log lines", () => {
  it("put time, level and message first, then every field, annotation and span", () => {
    expect(formatTextLine(entry)).toBe("12:00:01.204 INFO  certops running git=/home/me/examples#main:/ store=embedded certificate=web/www fiber=#27")
    expect(formatTextLine({ ...entry, spans: { "acme.finalize": 12 } })).toContain(" span.acme.finalize=12ms ")
  })

  it("stay one line: values with spaces or quotes are quoted, a multi-line cause escaped", () => {
    const line = formatTextLine({
      ...entry,
      level: "ERROR",
      message: ["reconcile failed", { reason: 'DNS update failed. Server replied: "REFUSED"', attempt: 3, names: ["a", "b"] }],
      cause: "SolverError: refused\n    at present",
    })
    expect(line.split("\n")).toHaveLength(1)
    expect(line).toBe(
      '12:00:01.204 ERROR reconcile failed reason="DNS update failed. Server replied: \\"REFUSED\\"" attempt=3 names="[\\"a\\",\\"b\\"]" certificate=web/www cause="SolverError: refused\\n    at present" fiber=#27',
    )
  })
})
