// Fuzzing the way in: arbitrary bytes, arbitrary YAML and valid intents with
// an arbitrary subtree swapped in go through the whole intent set (decoder,
// schemas, name and solver rules, policies). None may throw or take long,
// and every rejection that names a field names one whose parent is in the
// input. A fixed seed and a bounded count keep it a test, not a lottery.
import * as fc from "fast-check"
import { stringify } from "yaml"
import { describe, expect, it } from "vitest"
import { buildIntentSet } from "../../../src/intents/intent-set.ts"
import { parseFieldPath } from "../../../src/rules/field-path.ts"
import { knownIssuer } from "./fixture-tree.ts"

const settings = { seed: 20261207, numRuns: 300 }
/** Far more than one small file takes: a slower answer is a hang in the making. */
const perFileMillis = 2_000

const check = (text: string | Uint8Array) => {
  const started = performance.now()
  const set = buildIntentSet([{ path: "fuzz.yaml", bytes: typeof text === "string" ? new TextEncoder().encode(text) : text }], { knownIssuers: [knownIssuer] })
  expect(performance.now() - started).toBeLessThan(perFileMillis)
  for (const rejection of set.rejected) {
    expect(rejection.file).toBe("fuzz.yaml")
    expect(rejection.message).not.toBe("")
  }
  return set
}

/** True when the path's parent exists in value (the field itself may be the one missing). */
const parentPresent = (value: unknown, path: string): boolean => {
  const segments = parseFieldPath(path)
  let here: unknown = value
  for (const segment of segments.slice(0, -1)) {
    if (typeof here !== "object" || here === null) return false
    here = (here as Record<string | number, unknown>)[segment]
    if (here === undefined) return false
  }
  return true
}

const certificate = {
  apiVersion: "cert-manager.io/v1",
  kind: "Certificate",
  metadata: { name: "web", namespace: "team" },
  spec: {
    secretName: "web-tls",
    dnsNames: ["example.com", "www.example.com"],
    duration: "2160h",
    privateKey: { algorithm: "ECDSA", size: 256 },
    issuerRef: { name: "known", kind: "ClusterIssuer" },
  },
}

const issuer = {
  apiVersion: "cert-manager.io/v1",
  kind: "ClusterIssuer",
  metadata: { name: "acme" },
  spec: {
    acme: {
      server: "https://acme.example.com/directory",
      email: "ops@example.com",
      privateKeySecretRef: { name: "acme-account" },
      solvers: [
        { dns01: { cnameStrategy: "Follow", webhook: { groupName: "acme.example.com", solverName: "example", config: { zone: "z" } } } },
        { dns01: { rfc2136: { nameserver: "192.0.2.53:53", tsigKeyName: "k", tsigAlgorithm: "HMACSHA256", tsigSecretSecretRef: { name: "tsig", key: "secret" } } } },
        { http01: { ingress: { ingressClassName: "nginx" } }, selector: { dnsZones: ["example.net"] } },
      ],
    },
  },
}

/** Every path to a value inside object, as segments. */
const pathsOf = (value: unknown, prefix: ReadonlyArray<string | number> = []): ReadonlyArray<ReadonlyArray<string | number>> => {
  if (typeof value !== "object" || value === null) return [prefix]
  const entries: ReadonlyArray<[string | number, unknown]> = Array.isArray(value) ? value.map((item, index) => [index, item]) : Object.entries(value)
  return [prefix, ...entries.flatMap(([key, child]) => pathsOf(child, [...prefix, key]))]
}

const replaceAt = (value: unknown, path: ReadonlyArray<string | number>, replacement: unknown): unknown => {
  if (path.length === 0) return replacement
  const [head, ...rest] = path
  const copy = (Array.isArray(value) ? [...value] : { ...(value as Record<string, unknown>) }) as Record<string | number, unknown>
  copy[head!] = replaceAt(copy[head!], rest, replacement)
  return copy
}

/** A valid intent with one subtree replaced by arbitrary JSON. */
const mutated = (base: object) => {
  const paths = pathsOf(base).filter((path) => path.length > 0)
  return fc.tuple(fc.constantFrom(...paths), fc.jsonValue({ maxDepth: 3 })).map(([path, replacement]) => replaceAt(base, path, replacement))
}

describe("the intent decoder and rules, fuzzed", () => {
  it("survive arbitrary text and bytes", () => {
    fc.assert(fc.property(fc.string({ maxLength: 2_000 }), (text) => void check(text)), settings)
    fc.assert(fc.property(fc.uint8Array({ maxLength: 2_000 }), (bytes) => void check(bytes)), settings)
  })

  it("survive YAML made of arbitrary values, anchors and all, rejecting what is not an intent", () => {
    const document = fc.oneof(fc.jsonValue({ maxDepth: 4 }), fc.record({ apiVersion: fc.string(), kind: fc.constantFrom("Certificate", "Issuer", "ClusterIssuer"), spec: fc.jsonValue({ maxDepth: 3 }) }))
    fc.assert(
      fc.property(fc.array(document, { maxLength: 4 }), (documents) => {
        const set = check(documents.map((value) => stringify(value)).join("---\n"))
        for (const rejection of set.rejected) expect(rejection.line === undefined || rejection.line >= 1).toBe(true)
      }),
      settings,
    )
    // YAML's own dangers, bounded: an alias bomb is refused, not expanded.
    const bomb = ["a: &a [x, x, x, x, x, x, x, x, x]", ...Array.from({ length: 9 }, (_, index) => `${String.fromCharCode(98 + index)}: &${String.fromCharCode(98 + index)} [*${String.fromCharCode(97 + index)}, *${String.fromCharCode(97 + index)}, *${String.fromCharCode(97 + index)}, *${String.fromCharCode(97 + index)}, *${String.fromCharCode(97 + index)}, *${String.fromCharCode(97 + index)}, *${String.fromCharCode(97 + index)}, *${String.fromCharCode(97 + index)}, *${String.fromCharCode(97 + index)}]`)].join("\n")
    const set = check(bomb)
    expect(set.rejected.length).toBeGreaterThan(0)
  })

  it("name, for every rejected field of a mutated intent, a field whose parent is in that intent", () => {
    let named = 0
    fc.assert(
      fc.property(fc.oneof(mutated(certificate), mutated(issuer)), (intent) => {
        const set = check(stringify(intent))
        for (const rejection of set.rejected) {
          if (rejection.path === undefined) continue
          named++
          expect(parentPresent(intent, rejection.path), `${rejection.rule} at ${rejection.path}: ${rejection.message}`).toBe(true)
        }
      }),
      settings,
    )
    // Most mutations break something: the property was exercised, not vacuous.
    expect(named).toBeGreaterThan(settings.numRuns / 3)
  })

  it("accept the unmutated intents, so the mutations are what the rejections are about", () => {
    expect(check(stringify(certificate)).rejected).toEqual([])
    expect(check(stringify(issuer)).rejected).toEqual([])
  })
})
