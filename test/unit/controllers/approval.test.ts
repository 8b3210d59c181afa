// The built-in approver's decision on a CertificateRequest, and a person's
// (`certops approve|deny`): the policies' verdict on the certificate the CSR
// asks for; nothing decided while the policies are unknown or another
// approver decides; a decision, once made, is final.
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Option } from "effect"
import type { Certificate } from "../../../src/api/certificate.ts"
import type { CertificateRequest } from "../../../src/api/certificate-request.ts"
import { Certificates } from "../../../src/api/kinds.ts"
import { decide } from "../../../src/cli/approve.ts"
import { decideApproval } from "../../../src/controllers/certificaterequests/approval.ts"
import { createCsr } from "../../../src/pki/csr.ts"
import { generatePrivateKey } from "../../../src/pki/keys.ts"
import { ApprovalPolicies } from "../../../src/policy/approval-policies.ts"
import { loadPolicies } from "../../../src/policy/load-policies.ts"
import { IssuanceSettings } from "../../../src/settings/issuance-settings.ts"
import { memoryStoreLayer } from "../../../src/store/memory.ts"
import { ResourceStore } from "../../../src/store/resource-store.ts"
import { testSettings } from "../../support/issuance-harness.ts"

const policy = `apiVersion: policy.certops.io/v1alpha1
kind: CertificatePolicy
metadata:
  name: team-names
spec:
  namespaces: [team]
  allowedDNSNames: ["*.team.example"]
  minRSAKeySize: 3072
  rules:
    - name: owned
      expression: "has(object.metadata.labels) && 'team' in object.metadata.labels"
      message: Certificates in team carry a team label
`
const policies = loadPolicies([{ path: ".certops/policies/team.yaml", bytes: new TextEncoder().encode(policy) }], 1 << 20).policies

const requestFor = (namespace: string, dnsNames: ReadonlyArray<string>, key: Parameters<typeof generatePrivateKey>[0] = { algorithm: "ECDSA" }) =>
  Effect.gen(function* () {
    const pem = yield* createCsr(yield* generatePrivateKey(key), { dnsNames: [...dnsNames] })
    return {
      apiVersion: "cert-manager.io/v1",
      kind: "CertificateRequest",
      metadata: { name: "web-1", namespace, annotations: { "cert-manager.io/certificate-name": "web" } },
      spec: { request: Buffer.from(pem).toString("base64"), issuerRef: { name: "ca", kind: "ClusterIssuer" } },
    } satisfies CertificateRequest as CertificateRequest
  })

/** The Certificate the requests are made for, labelled as the policy asks. */
const owner = (namespace: string): Certificate => ({
  apiVersion: "cert-manager.io/v1",
  kind: "Certificate",
  metadata: { name: "web", namespace, labels: { team: "shop" } },
  spec: { secretName: "web-tls", dnsNames: ["web.team.example"], issuerRef: { name: "ca", kind: "ClusterIssuer" } },
})

const judged = (request: CertificateRequest, known: Option.Option<ReadonlyArray<(typeof policies)[number]>> = Option.some(policies), approver: "certops" | "external" = "certops", withOwner = true) =>
  Effect.gen(function* () {
    if (withOwner) yield* ResourceStore.use((store) => store.create(Certificates, owner(request.metadata.namespace ?? "")))
    return yield* decideApproval(request)
  }).pipe(
    Effect.provide(Layer.mergeAll(
      Layer.succeed(ApprovalPolicies, { current: Effect.succeed(known), replace: () => Effect.void }),
      Layer.succeed(IssuanceSettings, testSettings({ approver })),
      memoryStoreLayer,
    )),
  )

describe("decideApproval", () => {
  it.effect("approves what every policy for the namespace allows", () =>
    Effect.gen(function* () {
      const decision = yield* judged(yield* requestFor("team", ["web.team.example"]))
      assert.deepStrictEqual(decision._tag === "Decided" && [decision.condition.type, decision.condition.reason], ["Approved", "cert-manager.io"])
    }))

  it.effect("denies a name the policy does not allow, with the policy's name and the name in the message", () =>
    Effect.gen(function* () {
      const decision = yield* judged(yield* requestFor("team", ["web.elsewhere.example"]))
      assert.strictEqual(decision._tag, "Decided")
      if (decision._tag !== "Decided") return
      assert.strictEqual(decision.condition.type, "Denied")
      assert.strictEqual(decision.condition.reason, "policy.certops.io")
      assert.include(decision.condition.message, "team-names")
      assert.include(decision.condition.message, "web.elsewhere.example")
    }))

  it.effect("judges the labels of the Certificate the request is for: a request with no such Certificate has none", () =>
    Effect.gen(function* () {
      const decision = yield* judged(yield* requestFor("team", ["web.team.example"]), Option.some(policies), "certops", false)
      assert.strictEqual(decision._tag === "Decided" && decision.condition.type, "Denied")
      if (decision._tag === "Decided") assert.include(decision.condition.message, "carry a team label")
    }))

  it.effect("judges the key in the CSR: a 2048-bit RSA key under a 3072-bit minimum is denied", () =>
    Effect.gen(function* () {
      const decision = yield* judged(yield* requestFor("team", ["web.team.example"], { algorithm: "RSA", size: 2048 }))
      assert.strictEqual(decision._tag === "Decided" && decision.condition.type, "Denied")
    }))

  it.effect("applies no policy to another namespace", () =>
    Effect.gen(function* () {
      const decision = yield* judged(yield* requestFor("other", ["web.elsewhere.example"]))
      assert.strictEqual(decision._tag === "Decided" && decision.condition.type, "Approved")
    }))

  it.effect("decides nothing before the policies are known, or when another approver decides", () =>
    Effect.gen(function* () {
      const request = yield* requestFor("team", ["web.team.example"])
      assert.deepStrictEqual(yield* judged(request, Option.none()), { _tag: "Undecided", waitingFor: "policies" })
      assert.deepStrictEqual(yield* judged(request, Option.some(policies), "external"), { _tag: "Undecided", waitingFor: "external" })
    }))
})

describe("certops approve / deny", () => {
  const now = "2026-12-07T00:00:00Z"
  it.effect("sets the condition, keeping the others", () =>
    Effect.gen(function* () {
      const request = yield* requestFor("team", ["web.team.example"])
      const pending = { ...request, status: { conditions: [{ type: "Ready", status: "False" as const, reason: "Pending", message: "waiting" }] } }
      const status = decide(pending, "Denied", "NotToday", "no certificates on Sundays", now)
      assert.notStrictEqual(typeof status, "string")
      if (typeof status === "string") return
      assert.deepStrictEqual(status.conditions?.map((condition) => [condition.type, condition.status, condition.reason]), [["Ready", "False", "Pending"], ["Denied", "True", "NotToday"]])
    }))

  it.effect("refuses to decide twice, or to decide a finished request", () =>
    Effect.gen(function* () {
      const request = yield* requestFor("team", ["web.team.example"])
      const approved = { ...request, status: { conditions: [{ type: "Approved", status: "True" as const, reason: "cert-manager.io", message: "approved" }] } }
      assert.include(decide(approved, "Denied", "certops", "late", now) as string, "is already approved")
      const failed = { ...request, status: { conditions: [{ type: "Ready", status: "False" as const, reason: "Failed", message: "bad CSR" }] } }
      assert.include(decide(failed, "Approved", "certops", "late", now) as string, "is already finished")
    }))
})
