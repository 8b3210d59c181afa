// parseFieldPath reads back exactly what formatPath prints.
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { formatPath } from "../../../src/api/decode.ts"
import { parseFieldPath } from "../../../src/rules/field-path.ts"

describe("parseFieldPath", () => {
  it.each([
    ["", []],
    ["spec", ["spec"]],
    ["spec.dnsNames[1]", ["spec", "dnsNames", 1]],
    ['metadata.labels["app.kubernetes.io/name"]', ["metadata", "labels", "app.kubernetes.io/name"]],
    ['a["quote \\" inside"].b', ["a", 'quote " inside', "b"]],
    ["[0].x", [0, "x"]],
  ])("%s", (path, segments) => {
    expect(parseFieldPath(path)).toEqual(segments)
  })

  it("inverts formatPath", () => {
    const segment = fc.oneof(fc.string(), fc.nat({ max: 1000 }))
    fc.assert(
      fc.property(fc.array(segment, { maxLength: 6 }), (segments) => {
        expect(parseFieldPath(formatPath(segments))).toEqual(segments)
      }),
    )
  })
})
