// DNS names and object names, as a CA and the API server would judge them.
import { describe, expect, it } from "vitest"
import { dnsNameProblem, namespaceProblem, objectNameProblem, wildcardBase } from "../../../src/rules/dns-names.ts"

describe("dnsNameProblem", () => {
  it.each([
    "example.com",
    "a.b.example.com",
    "xn--bcher-kva.example",
    "Mixed-Case.Example.com",
    "1password.com",
    "*.example.com",
    "localhost",
    `${"a".repeat(63)}.example.com`,
  ])("accepts %s", (name) => {
    expect(dnsNameProblem(name)).toBeUndefined()
  })

  it.each([
    ["", "is empty"],
    ["a..example.com", "has an empty label"],
    [".example.com", "has an empty label"],
    ["example.com.", "ends with a dot"],
    ["-a.example.com", 'invalid label "-a"'],
    ["a-.example.com", 'invalid label "a-"'],
    ["under_score.example.com", 'invalid label "under_score"'],
    ["spa ce.example.com", 'invalid label "spa ce"'],
    ["bücher.example", "non-ASCII label"],
    ["www.*.example.com", "wildcard that is not the whole leftmost label"],
    ["*foo.example.com", "wildcard that is not the whole leftmost label"],
    ["*.*.example.com", "wildcard that is not the whole leftmost label"],
    ["*", "bare wildcard"],
    ["*.", "ends with a dot"],
    ["192.0.2.10", "is an IP address"],
    ["2001:db8::1", "is an IP address"],
    [`${"a".repeat(64)}.example.com`, "longer than 63"],
    [Array(64).fill("abc").join("."), "longer than 253"],
  ])("rejects %j: %s", (name, problem) => {
    expect(dnsNameProblem(name)).toContain(problem)
  })

  it("knows what a wildcard covers", () => {
    expect(wildcardBase("*.example.com")).toBe("example.com")
    expect(wildcardBase("example.com")).toBe("example.com")
  })
})

describe("object names", () => {
  it("accepts lowercase RFC 1123 subdomains and labels", () => {
    expect(objectNameProblem("web-tls.v2")).toBeUndefined()
    expect(namespaceProblem("team-a")).toBeUndefined()
  })

  it.each(["Web", "web_tls", "-web", "web.", `${"a".repeat(254)}`])("rejects the name %j", (name) => {
    expect(objectNameProblem(name)).toContain("lowercase RFC 1123 subdomain")
  })

  it.each(["Team", "team.a", "a".repeat(64)])("rejects the namespace %j", (namespace) => {
    expect(namespaceProblem(namespace)).toContain("lowercase RFC 1123 label")
  })
})
