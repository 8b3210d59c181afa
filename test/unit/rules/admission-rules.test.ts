// The admission rules through `certops check`: each rule's bad case is refused
// at its field with the rule's message, its good case passes; every rule
// compiles and has a case; deploy/admission is what the generator writes.
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { stringify } from "yaml"
import { describe, expect, it } from "vitest"
import { renderAdmissionFiles } from "../../../src/cli/admission.ts"
import { buildIntentSet } from "../../../src/intents/intent-set.ts"
import { admissionRules } from "../../../src/rules/admission-rules.ts"
import { admissionCases, uncoveredRules } from "../../support/admission-cases.ts"
import { knownIssuer } from "../intents/fixture-tree.ts"

const check = (object: Record<string, unknown>) =>
  buildIntentSet([{ path: "case.yaml", bytes: new TextEncoder().encode(stringify(object)) }], { knownIssuers: [knownIssuer] }).rejected

const schemaFirst = new Set(["acme-solver-one-type"])

describe("admission rules through certops check", () => {
  it("cover every rule with a case", () => {
    expect(uncoveredRules()).toEqual([])
  })

  it.each(admissionCases)("$rule: the good case passes, the bad one is refused at its field", ({ rule, good, bad }) => {
    expect(check(good)).toEqual([])
    const definition = admissionRules.find((candidate) => candidate.name === rule)!
    const refused = check(bad)
    // A solver with two types is refused by the schema first: the same verdict, one step earlier.
    if (schemaFirst.has(rule)) return expect(refused.map((rejection) => rejection.rule)).toEqual(["schema"])
    expect(refused.map((rejection) => [rejection.rule, rejection.path, rejection.message])).toEqual([["admission", definition.fieldPath, definition.message]])
  })
})

describe("deploy/admission", () => {
  const directory = join(import.meta.dirname, "../../../deploy/admission")
  it("is what `npm run generate:admission` writes now (run it after changing src/rules/admission-rules.ts)", () => {
    const expected = renderAdmissionFiles()
    const actual = new Map(readdirSync(directory).map((name) => [name, readFileSync(join(directory, name), "utf8")]))
    expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort())
    for (const [name, content] of expected) expect(actual.get(name), `deploy/admission/${name} is stale`).toBe(content)
  })
})
