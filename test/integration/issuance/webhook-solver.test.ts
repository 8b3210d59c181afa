// DNS-01 through cert-manager's webhook solver API, end to end: the test
// environment's own solver (a Go program on cert-manager's
// pkg/acme/webhook/cmd, registered as an APIService) is called through the
// real kube-apiserver's aggregation layer, serves the TXT record from its own
// DNS server, and pebble validates it through bind9. CleanUp follows success
// and failure alike; a solver that answers success: false fails the Challenge
// with its message and is tried again with backoff.
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import type { AcmeChallengeSolver } from "../../../src/api/issuer.ts"
import { Certificates, Challenges, Events, Issuers } from "../../../src/api/kinds.ts"
import { runIssuance } from "../../../src/controllers/issuance.ts"
import { ResourceStore } from "../../../src/store/resource-store.ts"
import { nsupdate, queryTxt } from "../../support/dns.ts"
import { testEnvironment, uniqueName } from "../../support/env.ts"
import { acmeIssuer, certificateFor, e2eLayer, e2eSettings, eventually, readyCertificate, readyIssuerIn } from "../../support/issuance-e2e.ts"
import { createNamespaceNamed } from "../../support/kube.ts"
import { solverCalls } from "../../support/webhook-solver-calls.ts"

const env = testEnvironment()
const solverZone = env.webhookSolver.zone.replace(/\.$/, "")

/** What the solver was asked, for one DNS name. */
const callsFor = (dnsName: string) => Effect.promise(() => solverCalls(env)).pipe(Effect.map((calls) => calls.filter((call) => call.dnsName === dnsName)))

const webhook = (config: { readonly [key: string]: string | number }): AcmeChallengeSolver => ({
  dns01: { webhook: { groupName: env.webhookSolver.groupName, solverName: env.webhookSolver.solverName, config } },
})

const setUp = (namespace: string, config: { readonly [key: string]: string | number }) => readyIssuerIn(env, acmeIssuer(env, namespace, "hook", [webhook(config)]))

describe("DNS-01 through a webhook solver", () => {
  const namespace = uniqueName("webhook")
  it.live("issues through the aggregation layer, self-checking at the zone's authoritative nameserver, and cleans up", () =>
    Effect.gen(function* () {
      const store = yield* setUp(namespace, { note: "passed through" })
      const name = `${uniqueName("hook")}.${solverZone}`
      yield* store.create(Certificates, certificateFor(namespace, "hooked", "hook", [name]))
      yield* eventually("the Certificate to be Ready", readyCertificate(namespace, "hooked"), 90)

      const calls = yield* eventually("Present and CleanUp", callsFor(name).pipe(Effect.map((all) => (all.length >= 2 ? all : undefined))))
      assert.deepStrictEqual(
        calls.map((call) => call.action),
        ["Present", "CleanUp"],
      )
      const [present, cleanUp] = [calls[0]!, calls[1]!]
      assert.deepInclude(present, {
        dnsName: name,
        resolvedFQDN: `_acme-challenge.${name}.`,
        resolvedZone: `${solverZone}.`,
        resourceNamespace: namespace,
        success: true,
      })
      // The Challenge's UID and key (the Challenge itself is gone once the Order is done); CleanUp names the same.
      assert.match(present.uid, /^[0-9a-f-]{36}$/)
      assert.match(present.key, /^[A-Za-z0-9_-]{43}$/)
      assert.deepInclude(cleanUp, { uid: present.uid, key: present.key, resolvedFQDN: present.resolvedFQDN, success: true })
      assert.deepStrictEqual(present.config, { note: "passed through" })
      // Gone, also through bind9 (which may serve its forwarded answer for up to a second).
      yield* eventually(
        "the record to be gone through bind9",
        Effect.promise(() => queryTxt({ ...env.dns, zone: solverZone }, `_acme-challenge.${name}`)).pipe(Effect.map((values) => (values.length === 0 ? true : undefined))),
        5,
      )
      const presented = (yield* store.list(Events, { namespace })).filter((event) => event.reason === "Presented")
      assert.deepStrictEqual(presented.map((event) => event.message), ["Presented challenge using dns-01 challenge mechanism"])
    }).pipe(
      Effect.scoped,
      // The default viewpoint: the zone's NS (ns.<zone>, 127.0.0.1) found through bind9, asked on the solver's DNS port.
      Effect.provide(e2eLayer(env, e2eSettings(env, { namespace, selfCheckRecursiveOnly: false, selfCheckAuthoritativePort: env.webhookSolver.dnsPort }))),
    ),
    120_000,
  )
})

describe("a webhook solver behind a CNAME (cnameStrategy: Follow)", () => {
  const namespace = uniqueName("hookcname")
  it.live("is asked to write the record where the CNAME points, in the solver's zone", () =>
    Effect.gen(function* () {
      const solver: AcmeChallengeSolver = {
        dns01: { cnameStrategy: "Follow", webhook: { groupName: env.webhookSolver.groupName, solverName: env.webhookSolver.solverName } },
      }
      const store = yield* readyIssuerIn(env, acmeIssuer(env, namespace, "hook", [solver]))
      // www.<unique>.certops.test delegates its challenge record into the solver's zone.
      const label = uniqueName("delegated")
      const name = `${label}.${env.dns.zone}`
      const target = `_acme-challenge.${label}.${solverZone}`
      const added = yield* Effect.promise(() => nsupdate(env.dns, [`update add _acme-challenge.${name}. 5 CNAME ${target}.`]))
      assert.isTrue(added.ok, added.output)
      yield* store.create(Certificates, certificateFor(namespace, "delegated", "hook", [name]))
      yield* eventually("the Certificate to be Ready", readyCertificate(namespace, "delegated"), 90)
      const calls = yield* eventually("Present and CleanUp", callsFor(name).pipe(Effect.map((all) => (all.length >= 2 ? all : undefined))))
      assert.deepStrictEqual(
        calls.map((call) => [call.action, call.resolvedFQDN, call.resolvedZone]),
        [
          ["Present", `${target}.`, `${solverZone}.`],
          ["CleanUp", `${target}.`, `${solverZone}.`],
        ],
      )
    }).pipe(Effect.scoped, Effect.provide(e2eLayer(env, e2eSettings(env, { namespace })))),
    120_000,
  )
})

describe("a challenge the CA cannot validate through a webhook solver", () => {
  const namespace = uniqueName("vanish")
  it.live("is cleaned up all the same", () =>
    Effect.gen(function* () {
      // The record answers certops' self check (asked at the solver's DNS server) and is gone when pebble looks.
      const store = yield* setUp(namespace, { visibleForQueries: 1 })
      const name = `${uniqueName("vanish")}.${solverZone}`
      yield* store.create(Certificates, certificateFor(namespace, "vanish", "hook", [name]))
      const failed = yield* eventually(
        "the Challenge to fail",
        store.list(Challenges, { namespace }).pipe(Effect.map((all) => all.find((one) => one.status?.state === "invalid"))),
        60,
      )
      assert.strictEqual(failed.status?.processing, false)
      const calls = yield* eventually("CleanUp after the failure", callsFor(name).pipe(Effect.map((all) => (all.some((call) => call.action === "CleanUp") ? all : undefined))))
      assert.deepStrictEqual(
        calls.map((call) => `${call.action} ${call.success}`),
        ["Present true", "CleanUp true"],
      )
    }).pipe(
      Effect.scoped,
      Effect.provide(e2eLayer(env, e2eSettings(env, { namespace, selfCheckNameservers: [`${env.webhookSolver.dnsHost}:${env.webhookSolver.dnsPort}`] }))),
    ),
    90_000,
  )
})

describe("a webhook solver that answers success: false", () => {
  const namespace = uniqueName("refused")
  it.live("fails the Challenge with the solver's message and tries again with backoff", () =>
    Effect.gen(function* () {
      const message = "the DNS provider refused: zone quota exceeded"
      const store = yield* setUp(namespace, { failPresent: message })
      const name = `${uniqueName("refused")}.${solverZone}`
      yield* store.create(Certificates, certificateFor(namespace, "refused", "hook", [name]))

      const challenge = yield* eventually(
        "the Challenge to carry the solver's message",
        store.list(Challenges, { namespace }).pipe(Effect.map((all) => all.find((one) => one.status?.reason !== undefined && one.status.reason.includes(message)))),
        30,
      )
      assert.strictEqual(challenge.status?.reason, `Error presenting challenge: ${message}`)
      const events = (yield* store.list(Events, { namespace })).filter((event) => event.reason === "PresentError")
      assert.strictEqual(events[0]?.message, `Error presenting challenge: ${message}`)
      assert.strictEqual(events[0]?.type, "Warning")

      // Tried again with backoff: each pause longer than the one before (1 s, 2 s, … with jitter).
      const presentCount = callsFor(name).pipe(Effect.map((all) => all.filter((call) => call.action === "Present" && !call.success).length))
      const seenAt: Array<number> = []
      // From the second on: the first may have been seen late.
      for (const count of [2, 3, 4]) {
        yield* eventually(`Present number ${count}`, presentCount.pipe(Effect.map((seen) => (seen >= count ? seen : undefined))), 30)
        seenAt.push(Date.now())
      }
      const [first, second] = [seenAt[1]! - seenAt[0]!, seenAt[2]! - seenAt[1]!]
      assert.isAbove(first, 1_000, `second pause ${first} ms`)
      assert.isAbove(second, first, `pauses ${first} ms, then ${second} ms`)
      const certificate = yield* store.get(Certificates, { namespace, name: "refused" })
      assert.notStrictEqual(certificate.status?.conditions?.find((condition) => condition.type === "Ready")?.status, "True")
    }).pipe(Effect.scoped, Effect.provide(e2eLayer(env, e2eSettings(env, { namespace })))),
    120_000,
  )
})

describe("an Issuer made in the cluster with a solver the API server cannot route", () => {
  const namespace = uniqueName("badhook")
  it.live("is not Ready, with reason InvalidSpec naming the field, and an Event", () =>
    Effect.gen(function* () {
      yield* Effect.promise(() => createNamespaceNamed(env, namespace))
      const store = yield* ResourceStore
      yield* runIssuance
      const issuer = acmeIssuer(env, namespace, "badhook", [{ dns01: { webhook: { groupName: "Not_A_Group", solverName: "x", config: {} } } }])
      yield* store.create(Issuers, issuer)
      const refused = yield* eventually(
        "the Issuer to be refused",
        store.get(Issuers, { namespace, name: "badhook" }).pipe(
          Effect.map((found) => (found.status?.conditions?.some((condition) => condition.reason === "InvalidSpec") ? found : undefined)),
        ),
      )
      const ready = refused.status?.conditions?.find((condition) => condition.type === "Ready")
      assert.strictEqual(ready?.status, "False")
      assert.match(ready?.message ?? "", /^spec\.acme\.solvers\[0\]\.dns01\.webhook\.groupName: "Not_A_Group" is not a lowercase RFC 1123 subdomain/)
      const events = (yield* store.list(Events, { namespace })).filter((event) => event.reason === "InvalidSpec")
      assert.strictEqual(events[0]?.message, ready?.message)
      // No account was registered for it.
      assert.isUndefined(refused.status?.acme?.uri)
    }).pipe(Effect.scoped, Effect.provide(e2eLayer(env, e2eSettings(env, { namespace })))),
    60_000,
  )
})
