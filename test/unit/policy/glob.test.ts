// Policy globs: `*` is the only wildcard and matches dots too.
import { describe, expect, it } from "vitest"
import { matchesAny, matchesDnsGlob, matchesGlob } from "../../../src/policy/glob.ts"

describe("globs", () => {
  it.each([
    ["*.example.com", "a.example.com", true],
    ["*.example.com", "a.b.example.com", true],
    ["*.example.com", "*.example.com", true],
    ["*.example.com", "example.com", false],
    ["*.example.com", "a.example.com.evil.org", false],
    ["*.example.com", "aexample.com", false],
    ["example.com", "example.com", true],
    ["example.com", "exampleXcom", false],
    ["api-*.example.com", "api-eu.example.com", true],
    ["*", "anything.at.all", true],
  ])("%s against %s: %s", (pattern, name, expected) => {
    expect(matchesDnsGlob(pattern, name)).toBe(expected)
  })

  it("compares DNS names without case, and everything else with it", () => {
    expect(matchesDnsGlob("*.Example.COM", "www.example.com")).toBe(true)
    expect(matchesGlob("prod-*", "Prod-eu")).toBe(false)
  })

  it("treats regular expression characters literally", () => {
    expect(matchesGlob("a+b?(c)", "a+b?(c)")).toBe(true)
    expect(matchesGlob("a+b", "aab")).toBe(false)
    expect(matchesGlob("[ab]", "a")).toBe(false)
  })

  it("matches any of a list", () => {
    expect(matchesAny(["prod", "prod-*"], "prod-eu")).toBe(true)
    expect(matchesAny(["prod", "prod-*"], "production")).toBe(false)
    expect(matchesAny([], "prod")).toBe(false)
  })
})
