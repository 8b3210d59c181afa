// The CEL adapter: what compiles, what a rule sees as `object`, and how
// failures come back.
import { Result } from "effect"
import { describe, expect, it } from "vitest"
import { compileExpression } from "../../../src/policy/cel.ts"

const object = {
  metadata: { name: "web", labels: { team: "edge", "app.kubernetes.io/name": "web" } },
  spec: { secretName: "web-tls", dnsNames: ["a.example.com", "*.example.com"], privateKey: { algorithm: "RSA", size: 4096 }, duration: "2160h" },
}

const evaluate = (source: string, input: unknown = object) => {
  const compiled = compileExpression(source)
  if (Result.isFailure(compiled)) throw new Error(`does not compile: ${compiled.failure}`)
  return compiled.success.evaluate(input)
}

describe("compileExpression", () => {
  it.each([
    ["object.spec.dnsNames.all(n, n.endsWith('.example.com'))", true],
    ["object.spec.dnsNames.exists(n, n.startsWith('*.'))", true],
    ["object.spec.dnsNames.exists_one(n, n == 'a.example.com')", true],
    ["object.spec.dnsNames.filter(n, n.startsWith('*.')).size() == 1", true],
    ["object.spec.dnsNames.map(n, n.lowerAscii()) == object.spec.dnsNames", true],
    ["size(object.spec.dnsNames) <= 100", true],
    ["object.spec.privateKey.size == 4096 && object.spec.privateKey.size + 1 == 4097", true],
    ["object.spec.privateKey.size >= 2048.0", true],
    ["has(object.spec.commonName)", false],
    ["'team' in object.metadata.labels && object.metadata.labels['app.kubernetes.io/name'] == 'web'", true],
    ["duration(object.spec.duration) <= duration('2160h')", true],
    ["object.spec.secretName.matches('^[a-z-]+$')", true],
    ["type(object) == map && type(object.spec.secretName) == string", true],
    ["object.metadata.name.split('-').size() == 1", true],
    ["!has(object.spec.isCA) ? true : !object.spec.isCA", true],
  ])("%s → %s", (source, expected) => {
    expect(evaluate(source)).toEqual(Result.succeed(expected))
  })

  it.each([
    ["object.spec.dnsNames.all(n, n.endsWith('x')", /^line 1, column \d+: /],
    ["object.spec ==", /^line 1, column \d+: /],
    ["objet.spec.isCA", /^unknown variable objet \(the Certificate is bound as "object"\)$/],
    ["object.spec.dnsNames.all(n, m.endsWith('x'))", /^unknown variable m/],
    ["object.spec.secretName.endswith('tls')", /^unknown function endswith$/],
  ])("refuses %s", (source, message) => {
    const compiled = compileExpression(source)
    expect(Result.isFailure(compiled) && compiled.failure).toMatch(message)
  })

  it("fails an evaluation that hits a missing field, rather than guessing", () => {
    expect(evaluate("object.spec.commonName == 'x'")).toEqual(Result.fail("field not found: commonName"))
  })

  it("fails an expression that does not return a boolean", () => {
    expect(evaluate("object.spec.dnsNames")).toEqual(Result.fail("returned a list, not true or false"))
    expect(evaluate("object.spec")).toEqual(Result.fail("returned a map, not true or false"))
    expect(evaluate("object.spec.privateKey.size")).toEqual(Result.fail("returned a number, not true or false"))
  })
})
