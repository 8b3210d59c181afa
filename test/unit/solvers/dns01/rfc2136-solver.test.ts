// The RFC 2136 solver against an in-memory nameserver: where the TSIG key
// comes from, which zone gets the update, what present, cleanUp and the self
// check do, and what the Challenge's status will say when they fail.
import { Effect, Layer, Redacted } from "effect"
import { describe, expect, it } from "vitest"
import type { Challenge } from "../../../../src/api/acme-challenge.ts"
import type { Rfc2136Solver } from "../../../../src/api/issuer.ts"
import { Secrets } from "../../../../src/api/kinds.ts"
import { defaultIssuanceSettings, IssuanceSettings } from "../../../../src/settings/issuance-settings.ts"
import { makeRfc2136Solver } from "../../../../src/solvers/dns01/rfc2136-solver.ts"
import { tsigAlgorithmNamed } from "../../../../src/rules/tsig-algorithm.ts"
import type { TsigKey } from "../../../../src/solvers/dns01/tsig.ts"
import { Rcode } from "../../../../src/solvers/dns01/message.ts"
import type { ChallengeSolver, SolverError } from "../../../../src/solvers/solver.ts"
import { memoryStoreLayer } from "../../../../src/store/memory.ts"
import { ResourceStore } from "../../../../src/store/resource-store.ts"
import { challenge } from "../challenges.ts"
import { fakeNameserver, type FakeNameserver, type FakeNameserverOptions } from "./fake-nameserver.ts"

const secretText = Buffer.from("a shared secret of 32 bytes long").toString("base64")

const tsigKey: TsigKey = {
  name: "certops-key.",
  algorithm: tsigAlgorithmNamed("HMACSHA256")!,
  secret: Redacted.make(Buffer.from(secretText, "base64")),
}

const rfc2136 = (overrides: Partial<Rfc2136Solver> = {}): Rfc2136Solver => ({
  nameserver: "192.0.2.53:5353",
  tsigKeyName: "certops-key.",
  tsigAlgorithm: "HMACSHA256",
  tsigSecretSecretRef: { name: "tsig", key: "secret" },
  ...overrides,
})

const dns01 = (options: { solver?: Rfc2136Solver; issuerKind?: "Issuer" | "ClusterIssuer"; dnsName?: string; key?: string } = {}) =>
  challenge({
    type: "DNS-01",
    solver: { dns01: { rfc2136: options.solver ?? rfc2136() } },
    ...(options.issuerKind === undefined ? {} : { issuerKind: options.issuerKind }),
    ...(options.dnsName === undefined ? {} : { dnsName: options.dnsName }),
    ...(options.key === undefined ? {} : { key: options.key }),
  })

/** A DNS-01 Challenge whose solver follows CNAMEs (cnameStrategy: Follow). */
const followingCnames = () => challenge({ type: "DNS-01", solver: { dns01: { cnameStrategy: "Follow", rfc2136: rfc2136() } } })

/** A Secret holding the key as bind prints it (base64 text), in the Secret's own base64. */
const tsigSecret = (namespace: string, text = secretText) => ({
  apiVersion: "v1" as const,
  kind: "Secret" as const,
  metadata: { name: "tsig", namespace },
  data: { secret: Buffer.from(`${text}\n`).toString("base64") },
})

interface Harness {
  readonly solver: ChallengeSolver
  readonly nameserver: FakeNameserver
}

/** Runs body with a solver over a fresh memory store (holding the TSIG Secret in "team") and a fake nameserver. */
const withSolver = <A, E>(
  body: (harness: Harness) => Effect.Effect<A, E, ResourceStore>,
  options: { nameserver?: Partial<FakeNameserverOptions>; settings?: Partial<typeof defaultIssuanceSettings>; secretNamespace?: string } = {},
) => {
  const nameserver = fakeNameserver({ zone: "example.test", keys: [tsigKey], requireSignature: true, ...options.nameserver })
  return Effect.runPromise(
    Effect.gen(function* () {
      const store = yield* ResourceStore
      yield* store.create(Secrets, tsigSecret(options.secretNamespace ?? "team"))
      const solver = yield* makeRfc2136Solver
      return yield* body({ solver, nameserver })
    }).pipe(
      Effect.provideService(IssuanceSettings, { ...defaultIssuanceSettings, ...options.settings }),
      Effect.provide(Layer.mergeAll(memoryStoreLayer, nameserver.layer)),
    ),
  )
}

const presentFails = (solver: ChallengeSolver, subject: Challenge) => Effect.flip(solver.present(subject)).pipe(Effect.map((error: SolverError) => error))

describe("present", () => {
  it("adds the TXT record, signed with the Issuer's key, in the zone found by SOA lookup", () =>
    withSolver(({ solver, nameserver }) =>
      Effect.gen(function* () {
        const subject = dns01({ key: "digest-of-the-key-authorization" })
        yield* solver.present(subject)
        expect(nameserver.txt("_acme-challenge.www.example.test")).toEqual([{ value: "digest-of-the-key-authorization", ttl: 60 }])
        expect(nameserver.updates).toEqual(["certops-key."])
        // Walked up from the record's name to the zone apex.
        expect(nameserver.questions).toEqual([
          "192.0.2.53:5353 SOA _acme-challenge.www.example.test",
          "192.0.2.53:5353 SOA www.example.test",
          "192.0.2.53:5353 SOA example.test",
        ])
      }),
    ))

  it("is idempotent, and cleanUp removes only its own value", () =>
    withSolver(({ solver, nameserver }) =>
      Effect.gen(function* () {
        const plain = dns01({ key: "plain" })
        const forWildcard = dns01({ key: "wildcard" })
        const wildcard = { ...forWildcard, spec: { ...forWildcard.spec, wildcard: true } }
        yield* solver.present(plain)
        yield* solver.present(plain)
        yield* solver.present(wildcard)
        expect(nameserver.txt("_acme-challenge.www.example.test").map((record) => record.value)).toEqual(["plain", "wildcard"])
        yield* solver.cleanUp(plain)
        expect(nameserver.txt("_acme-challenge.www.example.test").map((record) => record.value)).toEqual(["wildcard"])
        // Cleaning up what is gone already is fine.
        yield* solver.cleanUp(plain)
      }),
    ))

  it("reads a ClusterIssuer's Secret from the cluster resource namespace", () =>
    withSolver(
      ({ solver, nameserver }) =>
        Effect.gen(function* () {
          yield* solver.present(dns01({ issuerKind: "ClusterIssuer" }))
          expect(nameserver.updates).toEqual(["certops-key."])
          // An Issuer's Challenge looks in its own namespace, where there is no Secret.
          const error = yield* presentFails(solver, dns01())
          expect(error).toMatchObject({ detail: 'failed to load the TSIG secret: Secret "team/tsig" not found', retryable: false })
        }),
      { secretNamespace: "certops-system", settings: { clusterResourceNamespace: "certops-system" } },
    ))

  it("sends unsigned updates without a key name or Secret, as cert-manager does", () =>
    withSolver(
      ({ solver, nameserver }) =>
        Effect.gen(function* () {
          yield* solver.present(dns01({ solver: { nameserver: "192.0.2.53" } }))
          expect(nameserver.updates).toEqual(["unsigned"])
        }),
      { nameserver: { requireSignature: false } },
    ))

  it("explains a refused unsigned update", () =>
    withSolver(({ solver }) =>
      Effect.gen(function* () {
        const error = yield* presentFails(solver, dns01({ solver: { nameserver: "192.0.2.53" } }))
        expect(error.detail).toBe(
          "DNS update failed. Server replied: REFUSED (the update was not TSIG-signed: the solver sets no tsigKeyName or no tsigSecretSecretRef)",
        )
        expect(error.retryable).toBe(false)
      }),
    ))

  it.each([
    [{ tsigSecretSecretRef: { name: "tsig" } }, "key of data in Secret resource must be specified"],
    [{ tsigSecretSecretRef: { name: "tsig", key: "other" } }, 'data entry with key "other" not found in Secret "team/tsig"'],
    [{ tsigAlgorithm: "HMACSHA3" }, "algorithm 'HMACSHA3' is not supported (use one of HMACMD5, HMACSHA1, HMACSHA256, HMACSHA384, HMACSHA512)"],
    [{ nameserver: ":53" }, "RFC2136 nameserver has no host defined, :53"],
  ])("refuses a bad configuration: %j", (overrides, detail) =>
    withSolver(({ solver }) =>
      Effect.gen(function* () {
        expect(yield* presentFails(solver, dns01({ solver: rfc2136(overrides) }))).toMatchObject({ solver: "rfc2136", detail, retryable: false })
      }),
    ))

  it("refuses a signed update whose answer is not signed", () =>
    withSolver(
      ({ solver }) =>
        Effect.gen(function* () {
          const error = yield* presentFails(solver, dns01())
          expect(error.detail).toBe("DNS update failed: the server's answer to a signed update carries no TSIG signature")
        }),
      { nameserver: { unsignedAnswers: true } },
    ))

  it("reports the server's rcode like cert-manager, and retries only SERVFAIL", () =>
    Promise.all(
      [
        [Rcode.SERVFAIL, "DNS update failed. Server replied: SERVFAIL", true],
        [Rcode.NOTAUTH, 'DNS update failed. Server replied: NOTAUTH (192.0.2.53:5353 is not authoritative for zone "example.test.", or does not accept the TSIG key for it)', false],
      ].map(([rcode, detail, retryable]) =>
        withSolver(
          ({ solver }) =>
            Effect.gen(function* () {
              expect(yield* presentFails(solver, dns01())).toMatchObject({ detail, retryable })
            }),
          { nameserver: { updateRcode: rcode as number } },
        ),
      ),
    ))

  it("fails retryably when the nameserver does not answer", () =>
    withSolver(
      ({ solver }) =>
        Effect.gen(function* () {
          const error = yield* presentFails(solver, dns01())
          expect(error).toMatchObject({
            detail: 'could not find the zone of "_acme-challenge.www.example.test.": 192.0.2.53:5353: no answer over UDP within 2s',
            retryable: true,
          })
        }),
      { nameserver: { unreachable: true } },
    ))

  it("says which zone lookup failed when no SOA is found", () =>
    withSolver(({ solver }) =>
      Effect.gen(function* () {
        const error = yield* presentFails(solver, dns01({ dnsName: "www.elsewhere.test" }))
        expect(error.detail).toBe(
          "When querying the SOA record for the domain '_acme-challenge.www.elsewhere.test.' using nameservers [192.0.2.53:5353], rcode was expected to be 'NOERROR' or 'NXDOMAIN', but got 'REFUSED'",
        )
      }),
    ))

  it("refuses a Challenge without an rfc2136 section, and has nothing to clean up for it", () =>
    withSolver(({ solver }) =>
      Effect.gen(function* () {
        const webhook = challenge({ type: "DNS-01", solver: { dns01: { webhook: { groupName: "acme.example", solverName: "x" } } } })
        expect((yield* presentFails(solver, webhook)).retryable).toBe(false)
        yield* solver.cleanUp(webhook)
      }),
    ))
})

describe("selfCheck", () => {
  it("waits for the value at the solver's nameserver, in cert-manager's words and saying what that server saw", () =>
    withSolver(({ solver }) =>
      Effect.gen(function* () {
        const subject = dns01()
        expect(yield* solver.selfCheck(subject)).toEqual({
          ok: false,
          detail: 'DNS record for "www.example.test" not yet propagated: 192.0.2.53:5353 has no TXT record at _acme-challenge.www.example.test. (NXDOMAIN)',
        })
        yield* solver.present(subject)
        expect(yield* solver.selfCheck(subject)).toEqual({ ok: true })
        // Another Challenge's value at the same name does not count: it is stale for this one.
        const other = yield* solver.selfCheck(dns01({ key: "another-challenge-key" }))
        expect(other).toEqual({
          ok: false,
          detail: `DNS record for "www.example.test" not yet propagated: 192.0.2.53:5353 serves a stale value at _acme-challenge.www.example.test.: "${subject.spec.key}"`,
        })
      }),
    ))

  it("asks every recursive nameserver, when they are set and recursive-only is on", () =>
    withSolver(
      ({ solver, nameserver }) =>
        Effect.gen(function* () {
          const subject = dns01()
          yield* solver.present(subject)
          expect(yield* solver.selfCheck(subject)).toEqual({ ok: true })
          expect(nameserver.questions.filter((question) => question.includes(" TXT ")).sort()).toEqual([
            "10.0.0.1:53 TXT _acme-challenge.www.example.test",
            "10.0.0.2:5353 TXT _acme-challenge.www.example.test",
          ])
        }),
      { settings: { selfCheckNameservers: ["10.0.0.1", "10.0.0.2:5353"], selfCheckRecursiveOnly: true } },
    ))

  it("asks the zone's authoritative nameservers, found through the recursive ones, by default", () =>
    withSolver(
      ({ solver, nameserver }) =>
        Effect.gen(function* () {
          const subject = dns01()
          yield* solver.present(subject)
          expect(yield* solver.selfCheck(subject)).toEqual({ ok: true })
          // The zone's NS (ns.example.test) at its address, on the authoritative port; the resolver only finds it.
          expect(nameserver.questions.filter((question) => question.startsWith("10.0.0.1:53 "))).toEqual(
            expect.arrayContaining(["10.0.0.1:53 NS example.test", "10.0.0.1:53 A ns.example.test"]),
          )
          expect(nameserver.questions.filter((question) => question.includes(" TXT "))).toEqual(["192.0.2.99:5300 TXT _acme-challenge.www.example.test"])
        }),
      {
        settings: { selfCheckNameservers: ["10.0.0.1"], selfCheckAuthoritativePort: 5300 },
        nameserver: { addresses: { "ns.example.test": "192.0.2.99" } },
      },
    ))

  it("follows CNAMEs with cnameStrategy Follow: the update and the check go where the chain ends", () =>
    withSolver(
      ({ solver, nameserver }) =>
        Effect.gen(function* () {
          const subject = followingCnames()
          yield* solver.present(subject)
          expect(nameserver.txt("_acme-challenge.www.example.test")).toEqual([])
          expect(nameserver.txt("www.delegation.example.test").map((record) => record.value)).toEqual([subject.spec.key])
          expect(yield* solver.selfCheck(subject)).toEqual({ ok: true })
          // Without Follow the record goes where the name says, CNAME or not.
          const plain = dns01({ key: "plain-key" })
          yield* solver.present(plain)
          expect(nameserver.txt("_acme-challenge.www.example.test").map((record) => record.value)).toEqual(["plain-key"])
        }),
      { nameserver: { cnames: { "_acme-challenge.www.example.test": "www.delegation.example.test." } } },
    ))

  it("refuses a CNAME loop, naming the chain, without retrying", () =>
    withSolver(
      ({ solver }) =>
        Effect.gen(function* () {
          const subject = followingCnames()
          const error = yield* presentFails(solver, subject)
          expect(error.detail).toBe("CNAME loop: _acme-challenge.www.example.test. → a.example.test. → b.example.test. → a.example.test.")
          expect(error.retryable).toBe(false)
          expect(yield* solver.selfCheck(subject)).toEqual({ ok: false, detail: error.detail })
        }),
      { nameserver: { cnames: { "_acme-challenge.www.example.test": "a.example.test.", "a.example.test": "b.example.test.", "b.example.test": "a.example.test." } } },
    ))

  it("calls a CNAME into no known zone dangling", () =>
    withSolver(
      ({ solver }) =>
        Effect.gen(function* () {
          const subject = followingCnames()
          const error = yield* presentFails(solver, subject)
          expect(error.detail).toMatch(/^dangling CNAME: _acme-challenge\.www\.example\.test\. → gone\.nowhere\.invalid\., and gone\.nowhere\.invalid\. is in no zone that 192\.0\.2\.53:5353 knows/)
        }),
      { nameserver: { cnames: { "_acme-challenge.www.example.test": "gone.nowhere.invalid." } } },
    ))

  it("reports an error rcode and a resolver failure as they are", () =>
    Promise.all([
      withSolver(({ solver }) =>
        Effect.gen(function* () {
          expect(yield* solver.selfCheck(dns01({ dnsName: "www.elsewhere.test" }))).toEqual({
            ok: false,
            detail: "NS 192.0.2.53:5353 returned REFUSED for _acme-challenge.www.elsewhere.test.",
          })
        }),
      ),
      withSolver(
        ({ solver }) =>
          Effect.gen(function* () {
            expect(yield* solver.selfCheck(dns01())).toEqual({ ok: false, detail: "192.0.2.53:5353 did not answer: no answer over UDP within 2s" })
          }),
        { nameserver: { unreachable: true } },
      ),
    ]))
})
