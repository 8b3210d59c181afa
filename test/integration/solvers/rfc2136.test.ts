// The RFC 2136 solver against the real bind9: records appear and go as
// nsupdate's reference resolver sees them, wrong keys, clocks and forged
// answers are refused with clear words, and pebble validates a DNS-01
// challenge the solver presented.
import { createSocket } from "node:dgram"
import { randomBytes } from "node:crypto"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import type { Challenge } from "../../../src/api/acme-challenge.ts"
import type { Rfc2136Solver } from "../../../src/api/issuer.ts"
import { Challenges, Secrets } from "../../../src/api/kinds.ts"
import { defaultIssuanceSettings, IssuanceSettings } from "../../../src/settings/issuance-settings.ts"
import { dnsTransportLayer } from "../../../src/solvers/dns01/dns-transport.ts"
import { makeRfc2136Solver } from "../../../src/solvers/dns01/rfc2136-solver.ts"
import type { ChallengeSolver } from "../../../src/solvers/solver.ts"
import { memoryStoreLayer } from "../../../src/store/memory.ts"
import { ResourceStore } from "../../../src/store/resource-store.ts"
import { deleteTxt, queryTxt } from "../../support/dns.ts"
import { dohServer } from "../../support/dns-viewpoints.ts"
import { testEnvironment, uniqueName } from "../../support/env.ts"
import { challengeFor, newAcmeClient, openChallenge, settledAuthorization } from "./acme-walk.ts"

const { dns, acme } = testEnvironment()
const namespace = "team"

const solverConfig = (overrides: Partial<Rfc2136Solver> = {}): Rfc2136Solver => ({
  nameserver: `${dns.host}:${dns.port}`,
  tsigKeyName: dns.tsig.name,
  tsigAlgorithm: "HMACSHA256",
  tsigSecretSecretRef: { name: "bind-tsig", key: "tsig-secret.key" },
  ...overrides,
})

const challenge = (options: { solver?: Rfc2136Solver; key?: string; dnsName?: string } = {}): Challenge =>
  challengeFor(
    { authorizationUrl: "https://acme.test/authz/1", url: "https://acme.test/chall/1", token: "token", key: options.key ?? `digest-${uniqueName("k")}` },
    {
      dnsName: options.dnsName ?? `${uniqueName("www")}.${dns.zone}`,
      type: "DNS-01",
      solver: { dns01: { rfc2136: options.solver ?? solverConfig() } },
      issuerRef: { name: "acme" },
    },
    namespace,
    uniqueName("challenge"),
  )

const recordName = (subject: Challenge) => `_acme-challenge.${subject.spec.dnsName}`

/** A solver over a memory store holding the TSIG Secret (bind's, unless told otherwise). */
const withSolver = <A, E>(
  body: (solver: ChallengeSolver) => Effect.Effect<A, E, ResourceStore>,
  options: { readonly secret?: string; readonly settings?: Partial<typeof defaultIssuanceSettings> } = {},
) =>
  Effect.gen(function* () {
    const store = yield* ResourceStore
    yield* store.create(Secrets, {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "bind-tsig", namespace },
      data: { "tsig-secret.key": Buffer.from(options.secret ?? dns.tsig.secret).toString("base64") },
    })
    return yield* body(yield* makeRfc2136Solver)
  }).pipe(
    Effect.provideService(IssuanceSettings, { ...defaultIssuanceSettings, ...options.settings }),
    Effect.provide(Layer.mergeAll(memoryStoreLayer, dnsTransportLayer())),
  )

/** A UDP relay to bind on a port of its own; change may alter each answer on the way back. */
const relay = (change: (answer: Buffer) => void = () => undefined) =>
  Effect.acquireRelease(
    Effect.callback<{ port: number; relayed: () => number; close: () => void }>((resume) => {
      const socket = createSocket("udp4")
      let relayed = 0
      socket.on("message", (request, client) => {
        const upstream = createSocket("udp4")
        upstream.on("message", (answer) => {
          relayed++
          change(answer)
          socket.send(answer, client.port, client.address)
          upstream.close()
        })
        upstream.send(request, dns.port, dns.host)
      })
      socket.bind(0, "127.0.0.1", () =>
        resume(Effect.succeed({ port: socket.address().port, relayed: () => relayed, close: () => socket.close() })),
      )
    }),
    (running) => Effect.sync(running.close),
  )

const countingRelay = relay()

/** Flips one byte of every signed UPDATE answer's MAC: the MAC's last byte sits before original ID, error and other length. */
const tamperingRelay = relay((answer) => {
  const isUpdate = ((answer.readUInt16BE(2) >> 11) & 0x0f) === 5
  if (isUpdate) answer[answer.length - 7] = answer[answer.length - 7]! ^ 0x01
})

describe("RFC 2136 solver against bind9", () => {
  it.live("presents, self-checks, and cleans up a TXT record", () =>
    withSolver((solver) =>
      Effect.gen(function* () {
        const subject = challenge()
        // The zone's wildcard A record makes the name exist: no TXT, but no NXDOMAIN either.
        assert.deepStrictEqual(yield* solver.selfCheck(subject), {
          ok: false,
          detail: `DNS record for "${subject.spec.dnsName}" not yet propagated: ${dns.host}:${dns.port} has no TXT record at ${recordName(subject)}.`,
        })

        yield* solver.present(subject)
        yield* solver.present(subject)
        assert.deepStrictEqual(yield* Effect.promise(() => queryTxt(dns, recordName(subject))), [subject.spec.key])
        assert.deepStrictEqual(yield* solver.selfCheck(subject), { ok: true })

        yield* solver.cleanUp(subject)
        assert.deepStrictEqual(yield* Effect.promise(() => queryTxt(dns, recordName(subject))), [])
        assert.isFalse((yield* solver.selfCheck(subject)).ok)
      }),
    ),
  )

  it.live("deletes only its own value when two Challenges share the record name", () =>
    withSolver((solver) =>
      Effect.gen(function* () {
        const plain = challenge()
        const wildcard = challenge({ dnsName: plain.spec.dnsName })
        yield* solver.present(plain)
        yield* solver.present(wildcard)
        assert.sameMembers([...(yield* Effect.promise(() => queryTxt(dns, recordName(plain))))], [plain.spec.key, wildcard.spec.key])
        yield* solver.cleanUp(wildcard)
        assert.deepStrictEqual(yield* Effect.promise(() => queryTxt(dns, recordName(plain))), [plain.spec.key])
        yield* solver.cleanUp(plain)
      }),
    ),
  )

  it.live("self-checks at the self-check nameservers when they are set", () =>
    Effect.gen(function* () {
      const relay = yield* countingRelay
      yield* withSolver(
        (solver) =>
          Effect.gen(function* () {
            const subject = challenge()
            yield* solver.present(subject)
            assert.deepStrictEqual(yield* solver.selfCheck(subject), { ok: true })
            assert.strictEqual(relay.relayed(), 1)
            yield* solver.cleanUp(subject)
          }),
        { settings: { selfCheckNameservers: [`127.0.0.1:${relay.port}`], selfCheckRecursiveOnly: true } },
      )
    }),
  )

  it.live("self-checks through a DNS-over-HTTPS endpoint given as a self-check nameserver", () =>
    Effect.gen(function* () {
      const doh = yield* dohServer(dns)
      yield* withSolver(
        (solver) =>
          Effect.gen(function* () {
            const subject = challenge()
            const before = yield* solver.selfCheck(subject)
            assert.deepStrictEqual(before, {
              ok: false,
              detail: `DNS record for "${subject.spec.dnsName}" not yet propagated: ${doh.url} has no TXT record at ${recordName(subject)}.`,
            })
            yield* solver.present(subject)
            assert.deepStrictEqual(yield* solver.selfCheck(subject), { ok: true })
            assert.strictEqual(doh.queries(), 2)
            yield* solver.cleanUp(subject)
          }),
        { settings: { selfCheckNameservers: [doh.url], selfCheckRecursiveOnly: true } },
      )
    }),
  )

  it.live("self-checks at the zone's authoritative nameservers, found through the resolver, by default", () =>
    Effect.gen(function* () {
      const relay = yield* countingRelay
      yield* withSolver(
        (solver) =>
          Effect.gen(function* () {
            const subject = challenge()
            yield* solver.present(subject)
            assert.deepStrictEqual(yield* solver.selfCheck(subject), { ok: true })
            // The resolver answers SOA, NS and the NS's address; the TXT question goes to ns.certops.test itself.
            assert.isAtLeast(relay.relayed(), 3)
            yield* solver.cleanUp(subject)
            const after = yield* solver.selfCheck(subject)
            assert.deepStrictEqual(after, {
              ok: false,
              detail: `DNS record for "${subject.spec.dnsName}" not yet propagated: 127.0.0.1:${dns.port} has no TXT record at ${recordName(subject)}.`,
            })
          }),
        // bind9's NS record says ns.certops.test, which resolves to 127.0.0.1; bind9 is on its own port.
        { settings: { selfCheckNameservers: [`127.0.0.1:${relay.port}`], selfCheckAuthoritativePort: dns.port } },
      )
    }),
  )

  it.live("is refused with BADSIG when the Secret holds another key", () =>
    withSolver(
      (solver) =>
        Effect.gen(function* () {
          const subject = challenge()
          const error = yield* Effect.flip(solver.present(subject))
          assert.match(error.detail, /^DNS update failed: the server could not verify the TSIG signature \(BADSIG\)/)
          assert.isFalse(error.retryable)
          assert.deepStrictEqual(yield* Effect.promise(() => queryTxt(dns, recordName(subject))), [])
        }),
      { secret: randomBytes(32).toString("base64") },
    ),
  )

  it.live("is refused with BADKEY for a key bind does not know", () =>
    withSolver((solver) =>
      Effect.gen(function* () {
        const error = yield* Effect.flip(solver.present(challenge({ solver: solverConfig({ tsigKeyName: "no-such-key" }) })))
        assert.strictEqual(error.detail, 'DNS update failed: the server does not know TSIG key "no-such-key" with algorithm hmac-sha256 (BADKEY)')
      }),
    ),
  )

  it.live("is refused when unsigned, with a hint", () =>
    withSolver((solver) =>
      Effect.gen(function* () {
        const error = yield* Effect.flip(solver.present(challenge({ solver: { nameserver: `${dns.host}:${dns.port}` } })))
        assert.match(error.detail, /^DNS update failed\. Server replied: REFUSED \(the update was not TSIG-signed/)
      }),
    ),
  )

  // it.effect runs on the test clock, which stands at 1970.
  it.effect("is refused with BADTIME when certops' clock is far off", () =>
    withSolver((solver) =>
      Effect.gen(function* () {
        const error = yield* Effect.flip(solver.present(challenge()))
        assert.match(error.detail, /BADTIME/)
      }),
    ),
  )

  it.live("rejects an answer whose signature was tampered with", () =>
    Effect.gen(function* () {
      const relay = yield* tamperingRelay
      const subject = challenge({ solver: solverConfig({ nameserver: `127.0.0.1:${relay.port}` }) })
      const error = yield* withSolver((solver) => Effect.flip(solver.present(subject)))
      assert.strictEqual(
        error.detail,
        `DNS update failed: the answer's TSIG signature does not verify with key "${dns.tsig.name}": it was altered on the way or signed with another secret`,
      )
      assert.isTrue(error.retryable)
      // bind applied the update; only its answer was forged on the way back.
      yield* Effect.promise(() => deleteTxt(dns, recordName(subject), subject.spec.key))
    }),
  )

  it.live("presents a DNS-01 challenge that pebble validates", () =>
    Effect.gen(function* () {
      const client = yield* newAcmeClient(acme)
      const dnsName = `${uniqueName("dns01")}.${dns.zone}`
      const opened = yield* openChallenge(client, dnsName, "dns-01")
      const subject = challengeFor(
        opened,
        { dnsName, type: "DNS-01", solver: { dns01: { rfc2136: solverConfig() } }, issuerRef: { name: "acme" } },
        namespace,
        uniqueName("challenge"),
      )
      yield* withSolver((solver) =>
        Effect.gen(function* () {
          yield* ResourceStore.use((store) => store.create(Challenges, subject))
          yield* solver.present(subject)
          assert.deepStrictEqual(yield* solver.selfCheck(subject), { ok: true })
          yield* client.acceptChallenge(subject.spec.url)
          const authorization = yield* settledAuthorization(client, subject.spec.authorizationURL)
          assert.strictEqual(authorization.status, "valid")
          yield* solver.cleanUp(subject)
        }),
      )
    }),
  )
})
