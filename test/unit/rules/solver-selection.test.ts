import { describe, expect, it } from "vitest"
import type { AcmeChallengeSolver } from "../../../src/api/issuer.ts"
import { selectSolver } from "../../../src/rules/solver-selection.ts"

const http = (selector?: AcmeChallengeSolver["selector"]): AcmeChallengeSolver => ({ http01: { ingress: {} }, ...(selector === undefined ? {} : { selector }) })
const dns = (nameserver: string, selector?: AcmeChallengeSolver["selector"]): AcmeChallengeSolver => ({
  dns01: { rfc2136: { nameserver, tsigKeyName: "k", tsigAlgorithm: "HMACSHA256", tsigSecretSecretRef: { name: "s", key: "k" } } },
  ...(selector === undefined ? {} : { selector }),
})
const both = ["http-01", "dns-01"]
const pick = (solvers: ReadonlyArray<AcmeChallengeSolver>, name: string, options: { wildcard?: boolean; offered?: ReadonlyArray<string>; labels?: Record<string, string> } = {}) =>
  selectSolver(solvers, { name, wildcard: options.wildcard ?? false, offeredTypes: options.offered ?? both }, options.labels ?? {})

describe("selectSolver", () => {
  it("uses a solver without selector for any name", () => {
    expect(pick([http()], "a.example.com")?.challengeType).toBe("http-01")
  })

  it("prefers a dnsNames match over a zone match over labels over nothing", () => {
    const byName = dns("name", { dnsNames: ["a.example.com"] })
    const byZone = dns("zone", { dnsZones: ["example.com"] })
    const byLabel = dns("label", { matchLabels: { team: "web" } })
    const fallback = http()
    const solvers = [fallback, byLabel, byZone, byName]
    expect(pick(solvers, "a.example.com", { labels: { team: "web" } })?.solver).toBe(byName)
    expect(pick(solvers, "b.example.com", { labels: { team: "web" } })?.solver).toBe(byZone)
    expect(pick(solvers, "b.other.org", { labels: { team: "web" } })?.solver).toBe(byLabel)
    expect(pick(solvers, "b.other.org")?.solver).toBe(fallback)
  })

  it("picks the longest matching zone", () => {
    const short = dns("short", { dnsZones: ["example.com"] })
    const long = dns("long", { dnsZones: ["eu.example.com"] })
    expect(pick([short, long], "a.eu.example.com")?.solver).toBe(long)
    expect(pick([short, long], "a.us.example.com")?.solver).toBe(short)
  })

  it("rules out a solver whose names and zones all miss, and one whose labels do not match", () => {
    expect(pick([dns("x", { dnsZones: ["example.org"] })], "a.example.com")).toBeUndefined()
    expect(pick([dns("x", { matchLabels: { team: "db" } })], "a.example.com", { labels: { team: "web" } })).toBeUndefined()
  })

  it("matches a wildcard by its *. name, and only with a challenge type the server offers", () => {
    const wildcardOnly = dns("w", { dnsNames: ["*.example.com"] })
    expect(pick([wildcardOnly], "example.com", { wildcard: true, offered: ["dns-01"] })?.solver).toBe(wildcardOnly)
    expect(pick([wildcardOnly], "example.com", { wildcard: false })).toBeUndefined()
    expect(pick([http()], "example.com", { wildcard: true, offered: ["dns-01"] })).toBeUndefined()
  })

  it("breaks ties by the order solvers are listed in", () => {
    const first = http()
    const second = dns("second")
    expect(pick([first, second], "a.example.com")?.solver).toBe(first)
  })
})
