// CertificateRequest approval on the real apiserver, as cert-manager defines
// it: nothing is signed before Approved. The built-in approver denies what
// the repository's policies forbid, and the Certificate fails with the
// denial's reason; switched off (approver external), a request waits until
// a person runs `certops approve` (or `certops deny`).
import { execFile } from "node:child_process"
import { promisify } from "node:util"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Option } from "effect"
import type { CertificateRequest } from "../../../src/api/certificate-request.ts"
import { CertificateRequests, Certificates, Events, Secrets } from "../../../src/api/kinds.ts"
import { ApprovalPolicies } from "../../../src/policy/approval-policies.ts"
import { loadPolicies } from "../../../src/policy/load-policies.ts"
import type { ResourceStoreService } from "../../../src/store/resource-store.ts"
import { testEnvironment, uniqueName } from "../../support/env.ts"
import { certificateFor, e2eLayer, e2eSettings, eventually, readyCertificate, readyIssuerIn } from "../../support/issuance-e2e.ts"

const env = testEnvironment()
const selfSigned = (namespace: string) => ({ apiVersion: "cert-manager.io/v1" as const, kind: "Issuer" as const, metadata: { name: "self", namespace }, spec: { selfSigned: {} } })

const condition = (request: CertificateRequest, type: string) => request.status?.conditions?.find((found) => found.type === type)

/** The Certificate's one CertificateRequest, once made. */
const requestOf = (store: ResourceStoreService, namespace: string) =>
  eventually("the CertificateRequest", store.list(CertificateRequests, { namespace }).pipe(Effect.map((all) => all[0])))

/** The Certificate's Issuing=False condition, once its request has failed. */
const failedIssuing = (store: ResourceStoreService, namespace: string, name: string) =>
  eventually(
    `Certificate ${name} to fail`,
    store.get(Certificates, { namespace, name }).pipe(Effect.map((found) => found.status?.conditions?.find((condition) => condition.type === "Issuing" && condition.status === "False"))),
  )

/** `certops approve|deny` as a person runs it, against the test cluster. */
const certops = (...args: ReadonlyArray<string>) =>
  Effect.promise(() =>
    promisify(execFile)(process.execPath, ["bin/certops.js", ...args], { env: { ...process.env, KUBECONFIG: env.kube.kubeconfig } }).then(
      ({ stdout, stderr }) => ({ ok: true, output: `${stdout}${stderr}` }),
      (error: { stdout?: string; stderr?: string }) => ({ ok: false, output: `${error.stdout ?? ""}${error.stderr ?? ""}` }),
    ),
  )

describe("the built-in approver", () => {
  const namespace = uniqueName("approval")
  const policy = `apiVersion: policy.certops.io/v1alpha1
kind: CertificatePolicy
metadata:
  name: allowed-names
spec:
  namespaces: [${namespace}]
  allowedDNSNames: [allowed.example.test]
`
  const policies = loadPolicies([{ path: ".certops/policies/allowed.yaml", bytes: new TextEncoder().encode(policy) }], 1 << 20)
  const repository = Layer.succeed(ApprovalPolicies, { current: Effect.succeed(Option.some(policies.policies)), replace: () => Effect.void })

  it.live("approves what the policies allow, and denies the rest: the Certificate fails with the denial's reason", () =>
    Effect.gen(function* () {
      assert.strictEqual(policies.policies.length, 1)
      const store = yield* readyIssuerIn(env, selfSigned(namespace))
      yield* store.create(Certificates, certificateFor(namespace, "allowed", "self", ["allowed.example.test"]))
      yield* store.create(Certificates, certificateFor(namespace, "forbidden", "self", ["forbidden.example.test"]))
      yield* eventually("the allowed Certificate to be Ready", readyCertificate(namespace, "allowed"))
      const allowed = (yield* store.list(CertificateRequests, { namespace })).find((request) => request.metadata.name.startsWith("allowed"))!
      assert.strictEqual(condition(allowed, "Approved")?.reason, "cert-manager.io")

      const issuing = yield* failedIssuing(store, namespace, "forbidden")
      assert.strictEqual(issuing.reason, "policy.certops.io")
      assert.include(issuing.message, "forbidden.example.test")
      assert.include(issuing.message, "allowed-names")
      const denied = (yield* store.list(CertificateRequests, { namespace })).find((request) => request.metadata.name.startsWith("forbidden"))!
      assert.strictEqual(condition(denied, "Denied")?.status, "True")
      assert.isUndefined(condition(denied, "Approved"))
      assert.strictEqual(condition(denied, "Ready")?.reason, "Denied")
      assert.isUndefined(denied.status?.certificate)
      const ready = (yield* store.get(Certificates, { namespace, name: "forbidden" })).status?.conditions?.find((found) => found.type === "Ready")
      assert.strictEqual(ready?.status, "False")
      const secrets = yield* store.list(Secrets, { namespace })
      assert.isFalse(secrets.some((secret) => secret.metadata.name === "forbidden-tls" && secret.data?.["tls.crt"] !== undefined))
      const events = yield* store.list(Events, { namespace })
      assert.isTrue(events.some((event) => event.involvedObject.name === "forbidden" && event.reason === "policy.certops.io"))
      assert.isTrue(events.some((event) => event.involvedObject.kind === "CertificateRequest" && event.reason === "Denied"))
    }).pipe(Effect.scoped, Effect.provide(Layer.merge(e2eLayer(env, e2eSettings(env, { namespace })), repository))),
    90_000,
  )
})

describe("an external approver (approver external)", () => {
  const namespace = uniqueName("external")
  it.live("signs nothing until `certops approve`, and `certops deny` fails the Certificate with its reason", () =>
    Effect.gen(function* () {
      const store = yield* readyIssuerIn(env, selfSigned(namespace))
      yield* store.create(Certificates, certificateFor(namespace, "waits", "self", ["waits.example.test"]))
      const waiting = yield* requestOf(store, namespace)
      // The controllers have had time to sign it, had it been approved.
      yield* Effect.sleep("3 seconds")
      const unsigned = yield* store.get(CertificateRequests, { namespace, name: waiting.metadata.name })
      assert.isUndefined(condition(unsigned, "Approved"))
      assert.isUndefined(unsigned.status?.certificate)
      assert.isUndefined(yield* readyCertificate(namespace, "waits"))

      const approved = yield* certops("approve", `${namespace}/${waiting.metadata.name}`)
      assert.isTrue(approved.ok, approved.output)
      assert.include(approved.output, "approved")
      yield* eventually("the approved Certificate to be Ready", readyCertificate(namespace, "waits"))
      const signed = yield* store.get(CertificateRequests, { namespace, name: waiting.metadata.name })
      assert.strictEqual(condition(signed, "Approved")?.reason, "certops")
      const again = yield* certops("approve", `${namespace}/${waiting.metadata.name}`)
      assert.isFalse(again.ok)
      assert.include(again.output, "is already approved")

      yield* store.create(Certificates, certificateFor(namespace, "refused", "self", ["refused.example.test"]))
      const refused = yield* eventually(
        "the second CertificateRequest",
        store.list(CertificateRequests, { namespace }).pipe(Effect.map((all) => all.find((request) => request.metadata.name.startsWith("refused")))),
      )
      const denied = yield* certops("deny", refused.metadata.name, "-n", namespace, "--reason", "NotToday", "--message", "no certificates on Sundays")
      assert.isTrue(denied.ok, denied.output)
      const issuing = yield* failedIssuing(store, namespace, "refused")
      assert.strictEqual(issuing.reason, "NotToday")
      assert.include(issuing.message, "no certificates on Sundays")
      assert.isUndefined((yield* store.get(CertificateRequests, { namespace, name: refused.metadata.name })).status?.certificate)
    }).pipe(Effect.scoped, Effect.provide(e2eLayer(env, e2eSettings(env, { namespace, approver: "external" })))),
    90_000,
  )
})
