// The documents' quick start, end to end on the real apiserver and pebble: an
// ACME Issuer becomes Ready, a Certificate for two names is issued over
// HTTP-01, and Order and Challenges show the documented states and Events.
import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Stream } from "effect"
import { Certificates, Challenges, Events, Issuers, Orders, Secrets } from "../../../src/api/kinds.ts"
import { runIssuance } from "../../../src/controllers/issuance.ts"
import { ResourceStore } from "../../../src/store/resource-store.ts"
import { chainVerifies, dnsNamesOf, pebbleRoot, splitPemChain } from "../../support/acme.ts"
import { testEnvironment, uniqueName } from "../../support/env.ts"
import { acmeIssuer, certificateFor, e2eLayer, e2eSettings, eventually, readyCertificate, readyIssuer } from "../../support/issuance-e2e.ts"
import { createNamespaceNamed, kubectl } from "../../support/kube.ts"

const env = testEnvironment()

describe("ACME issuance over HTTP-01", () => {
  const namespace = uniqueName("quickstart")
  it.live("follows the quick start: Issuer Ready, Certificate Ready, documented Order and Challenge trail", () =>
    Effect.gen(function* () {
      yield* Effect.promise(() => createNamespaceNamed(env, namespace))
      const store = yield* ResourceStore
      yield* runIssuance
      const challengeTrail: Array<string> = []
      const watcher = yield* Effect.forkChild(
        store.watch(Challenges, { namespace }).pipe(
          Stream.runForEach((event) =>
            Effect.sync(() => {
              const status = event.object.status
              challengeTrail.push(`${event.type} processing=${status?.processing ?? false} presented=${status?.presented ?? false} state=${status?.state ?? ""}`)
            }),
          ),
        ),
      )

      const issuer = acmeIssuer(env, namespace, "letsencrypt-staging", [{ http01: { ingress: { class: "nginx" } } }])
      yield* store.create(Issuers, issuer)
      yield* eventually("the Issuer to be Ready", readyIssuer(namespace, "letsencrypt-staging"))
      const readyIssuerObject = yield* readyIssuer(namespace, "letsencrypt-staging")
      assert.strictEqual(readyIssuerObject?.status?.conditions?.find((c) => c.type === "Ready")?.reason, "ACMEAccountRegistered")
      assert.match(readyIssuerObject?.status?.acme?.uri ?? "", /^https:\/\/127\.0\.0\.1:\d+\//)

      const names = [`${uniqueName("test1")}.${env.dns.zone}`, `${uniqueName("test2")}.${env.dns.zone}`].sort()
      yield* store.create(Certificates, certificateFor(namespace, "example-com", "letsencrypt-staging", names))
      const certificate = yield* eventually("the Certificate to be Ready", readyCertificate(namespace, "example-com"), 90)
      assert.isString(certificate.status?.notAfter)

      const secret = yield* store.get(Secrets, { namespace, name: "example-com-tls" }, { fresh: true })
      const chain = splitPemChain(Buffer.from(secret.data?.["tls.crt"] ?? "", "base64").toString("utf8"))
      assert.deepStrictEqual(dnsNamesOf(chain[0]!), names)
      assert.isTrue(chainVerifies(chain, yield* Effect.promise(() => pebbleRoot(env.acme))))

      const [order] = yield* store.list(Orders, { namespace })
      assert.strictEqual(order?.status?.state, "valid")
      const events = yield* store.list(Events, { namespace })
      const reasonsFor = (kind: string) => events.filter((event) => event.involvedObject.kind === kind).map((event) => event.reason)
      assert.deepStrictEqual(reasonsFor("Order").sort(), ["Created", "Created", "OrderValid"], JSON.stringify(events.filter((event) => event.involvedObject.kind === "Order").map((event) => [event.reason, event.message, event.count])))
      assert.includeMembers(reasonsFor("CertificateRequest"), ["OrderCreated"])
      assert.includeMembers(reasonsFor("Challenge"), ["Started", "Presented", "DomainVerified"])
      assert.includeMembers(reasonsFor("Certificate"), ["Issuing", "Generated", "Requested", "Issued"])
      // Challenge messages as the documents show them.
      const messages = events.filter((event) => event.involvedObject.kind === "Challenge").map((event) => event.message)
      assert.include(messages, "Challenge scheduled for processing")
      assert.include(messages, "Presented challenge using http-01 challenge mechanism")
      assert.include(messages, `Domain "${names[0]}" verified with "http-01" validation`)

      // The lifecycle, as a watcher saw it: queued, then scheduled and presented
      // (one write: the slot is granted in memory and recorded with the
      // presentation, the Started event marks the scheduling), valid and released.
      assert.include(challengeTrail, "ADDED processing=false presented=false state=")
      assert.include(challengeTrail, "MODIFIED processing=true presented=true state=pending")
      assert.include(challengeTrail, "MODIFIED processing=false presented=false state=valid")
      assert.notInclude(challengeTrail, "MODIFIED processing=false presented=true state=pending")
      // Once the Order is valid its Challenges are deleted, as the documents say.
      assert.deepStrictEqual(yield* store.list(Challenges, { namespace }), [])
      yield* Fiber.interrupt(watcher)

      // What kubectl shows a person.
      const describeOrder = kubectl(env, ["describe", "order", "-n", namespace, order!.metadata.name])
      assert.match(describeOrder, /State:\s+valid/)
      assert.match(describeOrder, /Normal\s+OrderValid\s+.*Order completed successfully/)
      assert.match(describeOrder, new RegExp(`Created Challenge resource "${order!.metadata.name}-0" for domain`))
      const getCertificates = kubectl(env, ["get", "certificates", "-n", namespace])
      assert.match(getCertificates, /^NAME\s+READY\s+SECRET\s+AGE/m)
      assert.match(getCertificates, /^example-com\s+True\s+example-com-tls\s+/m)
    }).pipe(Effect.scoped, Effect.provide(e2eLayer(env, e2eSettings(env, { namespace })))),
    120_000,
  )
})
