// The seeds' quick start as a user runs it: an ACME Issuer and an Ingress
// annotated with cert-manager.io/issuer, applied with the real kubectl; the
// ingress-shim makes the Certificate (owned by the Ingress), HTTP-01 is
// answered by certops' solver against pebble, and `kubectl describe
// certificate` shows the seeds' Events. Then the shim follows the Ingress:
// an annotation changed updates the Certificate, a tls entry removed deletes
// it, a bad annotation is an Event that changes nothing, and a Certificate
// the shim did not make is never touched.
import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Stream } from "effect"
import { stringify } from "yaml"
import { Certificates, Events, Ingresses, Issuers, Secrets } from "../../../src/api/kinds.ts"
import { runIssuance } from "../../../src/controllers/issuance.ts"
import { ResourceStore } from "../../../src/store/resource-store.ts"
import { dnsNamesOf, splitPemChain } from "../../support/acme.ts"
import { testEnvironment, uniqueName } from "../../support/env.ts"
import { acmeIssuer, e2eLayer, e2eSettings, eventually, readyCertificate, readyIssuer, readyIssuerIn } from "../../support/issuance-e2e.ts"
import { createNamespaceNamed, kubectl, kubectlApply } from "../../support/kube.ts"

const env = testEnvironment()

const ingressYaml = (namespace: string, name: string, annotations: Record<string, string>, tls: ReadonlyArray<{ hosts: ReadonlyArray<string>; secretName: string }>) =>
  stringify({
    apiVersion: "networking.k8s.io/v1",
    kind: "Ingress",
    metadata: { name, namespace, annotations },
    spec: {
      ingressClassName: "nginx",
      tls,
      rules: tls.flatMap((entry) => entry.hosts.map((host) => ({ host, http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "kuard", port: { number: 80 } } } }] } }))),
    },
  })

describe("ingress-shim, the quick start", () => {
  const namespace = uniqueName("shim")
  it.live("issues the Certificate an annotated Ingress asks for, and keeps it in step with the Ingress", () =>
    Effect.gen(function* () {
      yield* Effect.promise(() => createNamespaceNamed(env, namespace))
      const store = yield* ResourceStore
      yield* runIssuance
      const apply = (yaml: string) => Effect.sync(() => kubectlApply(env, yaml))
      yield* apply(stringify(acmeIssuer(env, namespace, "letsencrypt-staging", [{ http01: { ingress: { ingressClassName: "nginx" } } }])))
      yield* eventually("the Issuer to be Ready", readyIssuer(namespace, "letsencrypt-staging"))

      const host = `${uniqueName("example")}.${env.dns.zone}`
      const tls = [{ hosts: [host], secretName: "quickstart-example-tls" }]
      yield* apply(ingressYaml(namespace, "kuard", { "kubernetes.io/ingress.class": "nginx", "cert-manager.io/issuer": "letsencrypt-staging" }, tls))
      const ingress = yield* store.get(Ingresses, { namespace, name: "kuard" })
      const certificate = yield* eventually("the Certificate to be Ready", readyCertificate(namespace, "quickstart-example-tls"), 90)
      assert.deepStrictEqual(certificate.spec.dnsNames, [host])
      assert.strictEqual(certificate.metadata.ownerReferences?.[0]?.uid, ingress.metadata.uid)
      const secret = yield* store.get(Secrets, { namespace, name: "quickstart-example-tls" }, { fresh: true })
      assert.deepStrictEqual(dnsNamesOf(splitPemChain(Buffer.from(secret.data?.["tls.crt"] ?? "", "base64").toString("utf8"))[0]!), [host])

      const described = kubectl(env, ["describe", "certificate", "quickstart-example-tls", "-n", namespace])
      for (const reason of ["Issuing", "Generated", "Requested"]) assert.match(described, new RegExp(`Normal\\s+${reason}\\s`), described)
      assert.include(described, "The certificate has been successfully issued")
      const created = `CreateCertificate: Successfully created Certificate "quickstart-example-tls"`
      yield* eventually("the CreateCertificate Event", eventsOf(namespace, "kuard").pipe(Effect.map((lines) => lines.find((line) => line === created))))

      // An annotation changed: the Certificate follows.
      yield* apply(ingressYaml(namespace, "kuard", { "cert-manager.io/issuer": "letsencrypt-staging", "cert-manager.io/duration": "720h" }, tls))
      yield* eventually("the duration to reach the Certificate", store.get(Certificates, { namespace, name: "quickstart-example-tls" }).pipe(Effect.map((found) => (found.spec.duration === "720h" ? found : undefined))))

      // A bad annotation: an Event, and the Certificate as it was.
      yield* apply(ingressYaml(namespace, "kuard", { "cert-manager.io/issuer": "letsencrypt-staging", "cert-manager.io/duration": "a month" }, tls))
      yield* eventually("the BadConfig Event", eventsOf(namespace, "kuard").pipe(Effect.map((lines) => lines.find((line) => line.startsWith("BadConfig:")))))
      const kept = yield* store.get(Certificates, { namespace, name: "quickstart-example-tls" })
      assert.strictEqual(kept.spec.duration, "720h")
      assert.include((yield* eventsOf(namespace, "kuard")).find((line) => line.startsWith("BadConfig:")) ?? "", 'metadata.annotations["cert-manager.io/duration"]: "a month" is not a duration')

      // Someone else's Certificate of a name the Ingress also asks for is left alone.
      yield* apply(stringify({ apiVersion: "cert-manager.io/v1", kind: "Certificate", metadata: { name: "by-hand", namespace }, spec: { secretName: "by-hand", dnsNames: ["hand.example.test"], issuerRef: { name: "letsencrypt-staging" } } }))
      const second = [...tls, { hosts: [`${uniqueName("second")}.${env.dns.zone}`], secretName: "by-hand" }]
      yield* apply(ingressYaml(namespace, "kuard", { "cert-manager.io/issuer": "letsencrypt-staging" }, second))
      yield* eventually("the duration annotation's removal to reach the Certificate", store.get(Certificates, { namespace, name: "quickstart-example-tls" }).pipe(Effect.map((found) => (found.spec.duration === undefined ? found : undefined))))
      const byHand = yield* store.get(Certificates, { namespace, name: "by-hand" })
      assert.deepStrictEqual(byHand.spec.dnsNames, ["hand.example.test"])
      assert.isUndefined(byHand.metadata.ownerReferences)

      // The tls entry removed: its Certificate goes; the one made by hand stays.
      yield* apply(ingressYaml(namespace, "kuard", { "cert-manager.io/issuer": "letsencrypt-staging" }, [{ hosts: [`${uniqueName("other")}.${env.dns.zone}`], secretName: "other-tls" }]))
      yield* eventually("the Certificate of the removed entry to go", store.list(Certificates, { namespace }).pipe(Effect.map((all) => (all.some((found) => found.metadata.name === "quickstart-example-tls") ? undefined : all))))
      yield* eventually("the new entry's Certificate", store.list(Certificates, { namespace }).pipe(Effect.map((all) => all.find((found) => found.metadata.name === "other-tls"))))
      assert.isTrue((yield* store.list(Certificates, { namespace })).some((found) => found.metadata.name === "by-hand"))
      const deleted = `DeleteCertificate: Successfully deleted unrequired Certificate "quickstart-example-tls"`
      yield* eventually("the DeleteCertificate Event", eventsOf(namespace, "kuard").pipe(Effect.map((lines) => lines.find((line) => line === deleted))))

      // The issuer annotation removed: the Ingress asks for nothing, and its Certificates go.
      yield* apply(ingressYaml(namespace, "kuard", {}, [{ hosts: ["x.example.test"], secretName: "other-tls" }]))
      yield* eventually("the unannotated Ingress' Certificate to go", store.list(Certificates, { namespace }).pipe(Effect.map((all) => (all.some((found) => found.metadata.name === "other-tls") ? undefined : all))))
      assert.isTrue((yield* store.list(Issuers, { namespace })).length === 1)
    }).pipe(Effect.scoped, Effect.provide(e2eLayer(env, e2eSettings(env, { namespace })))),
    180_000,
  )
})

describe("ingress-shim with acme.cert-manager.io/http01-edit-in-place", () => {
  const namespace = uniqueName("in-place")
  it.live("routes the challenge through the user's own Ingress, serves a temporary certificate meanwhile, and leaves the Ingress as it was", () =>
    Effect.gen(function* () {
      const store = yield* readyIssuerIn(env, acmeIssuer(env, namespace, "letsencrypt-staging", [{ http01: { ingress: { ingressClassName: "nginx" } } }]))
      const apply = (yaml: string) => Effect.sync(() => kubectlApply(env, yaml))
      const host = `${uniqueName("edit")}.${env.dns.zone}`
      yield* apply(ingressYaml(namespace, "kuard", { "cert-manager.io/issuer": "letsencrypt-staging", "acme.cert-manager.io/http01-edit-in-place": "true" }, [{ hosts: [host], secretName: "kuard-tls" }]))
      const specOf = () => JSON.parse(kubectl(env, ["get", "ingress", "kuard", "-n", namespace, "-o", "jsonpath={.spec}"])) as unknown
      const before = specOf()

      // Every version of the Ingress while it is issued: one of them routes the token path to certops.
      const versions: Array<string> = []
      const watching = yield* Effect.forkChild(store.watch(Ingresses, { namespace }).pipe(Stream.runForEach((event) => Effect.sync(() => versions.push(JSON.stringify(event.object.spec ?? {}))))))
      const certificate = yield* eventually("the Certificate to be Ready", readyCertificate(namespace, "kuard-tls"), 90)
      assert.strictEqual(certificate.metadata.annotations?.["acme.cert-manager.io/http01-override-ingress-name"], "kuard")
      assert.isTrue(versions.some((version) => version.includes("/.well-known/acme-challenge/") && version.includes("certops-acme-http01")), versions.join("\n"))
      const temporary = (yield* store.list(Events, { namespace })).filter((event) => event.reason === "Issuing" && event.message === "Issued temporary certificate")
      assert.lengthOf(temporary, 1)
      // Cleaned up: the spec is the user's again, field for field.
      const after = yield* eventually("the challenge path to go", Effect.sync(() => {
        const spec = specOf()
        return JSON.stringify(spec).includes("acme-challenge") ? undefined : spec
      }), 30)
      assert.deepStrictEqual(after, before)
      yield* Fiber.interrupt(watching)
    }).pipe(Effect.scoped, Effect.provide(e2eLayer(env, e2eSettings(env, { namespace, http01IngressService: { name: "certops-acme-http01", port: 8089 } })))),
    120_000,
  )
})

/** `reason: message` of the Events on one Ingress. */
const eventsOf = (namespace: string, name: string) =>
  ResourceStore.use((store) => store.list(Events, { namespace })).pipe(
    Effect.map((events) => events.filter((event) => event.involvedObject.kind === "Ingress" && event.involvedObject.name === name).map((event) => `${event.reason}: ${event.message}`)),
  )
