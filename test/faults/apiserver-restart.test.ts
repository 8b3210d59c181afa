// kube-apiserver stopped for 20 s in the middle of issuance and started again
// on the same port with etcd's data kept (private etcd and apiserver). While
// it is down etcd's revision moves on and is compacted, so every watch
// certops resumes afterwards from a resourceVersion it knew is expired (410
// Gone) and must list again. No work is lost (all Ready) and no ACME order is
// made twice (pebble's "Added order" lines).
import { execFileSync } from "node:child_process"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Scope } from "effect"
import { Certificates, Issuers, Orders } from "../../src/api/kinds.ts"
import { runIssuance } from "../../src/controllers/issuance.ts"
import { ResourceStore } from "../../src/store/resource-store.ts"
import { binaries } from "../env/binaries.ts"
import { applyProjectCrds } from "../env/crds.ts"
import { makeRunDir } from "../env/environment.ts"
import { startEtcd } from "../env/etcd.ts"
import { startKubeApiserver } from "../env/kube-apiserver.ts"
import { testEnvironment, uniqueName } from "../support/env.ts"
import { allReady, isReady, notReadySummary, pebbleOrderCount } from "../support/faults/common.ts"
import { acmeIssuer, certificateFor, e2eLayer, e2eSettings, eventually, readyIssuer } from "../support/issuance-e2e.ts"
import { createNamespaceNamed } from "../support/kube.ts"

const env = testEnvironment()
const certificates = 8
const pebbleLog = join(env.dir, "pebble.log")

/** etcd's v3 JSON gateway. */
const etcdCall = (url: string, path: string, body: unknown) =>
  Effect.promise(() => fetch(`${url}${path}`, { method: "POST", body: JSON.stringify(body) }).then((response) => response.json() as Promise<{ header?: { revision?: string } }>))

describe("kube-apiserver stopped and restarted, watches expired", () => {
  const namespace = uniqueName("apirestart")
  it.live(`finishes ${certificates} issuances with one ACME order each`, () =>
    Effect.gen(function* () {
      const dir = makeRunDir()
      const etcd = yield* startEtcd({ dir })
      const apiScope = yield* Scope.make()
      const first = yield* startKubeApiserver({ dir, etcdUrl: etcd.url }).pipe(Scope.provide(apiScope))
      yield* applyProjectCrds(first.kubeconfig)
      const { process: _process, ...kube } = first
      const privateEnv = { ...env, etcdUrl: etcd.url, kube }
      yield* Effect.promise(() => createNamespaceNamed(privateEnv, namespace))
      const ordersBefore = pebbleOrderCount(pebbleLog)

      yield* Effect.gen(function* () {
        const store = yield* ResourceStore
        yield* runIssuance
        yield* store.create(Issuers, acmeIssuer(env, namespace, "acme", [{ http01: { ingress: {} } }]))
        yield* eventually("the Issuer to be Ready", readyIssuer(namespace, "acme"))
        for (let index = 0; index < certificates; index++) {
          yield* store.create(Certificates, certificateFor(namespace, `site-${index}`, "acme", [`${uniqueName(`api${index}`)}.${env.dns.zone}`]))
        }
        // Mid-flight: some ACME orders made, not every certificate done.
        yield* eventually(
          "ACME orders to be under way",
          store.list(Orders, { namespace }).pipe(Effect.map((orders) => (orders.filter((order) => order.status?.url !== undefined).length >= 2 ? orders : undefined))),
        )
        const readyAtStop = (yield* store.list(Certificates, { namespace })).filter(isReady).length
        const listed = yield* Effect.promise(() =>
          Promise.resolve(execFileSync(binaries.kubectl, ["--kubeconfig", kube.kubeconfig, "get", "--raw", `/apis/cert-manager.io/v1/namespaces/${namespace}/certificates`], { encoding: "utf8" })),
        )
        const oldVersion = (JSON.parse(listed) as { metadata: { resourceVersion: string } }).metadata.resourceVersion

        // Down for 20 s; etcd moves on and forgets the history.
        yield* Scope.close(apiScope, Exit.void)
        const downAt = Date.now()
        for (let index = 0; index < 5; index++) yield* etcdCall(etcd.url, "/v3/kv/put", { key: Buffer.from(`/fault/marker-${index}`).toString("base64"), value: Buffer.from("x").toString("base64") })
        const revision = (yield* etcdCall(etcd.url, "/v3/kv/put", { key: Buffer.from("/fault/last").toString("base64"), value: "eA==" })).header?.revision
        yield* etcdCall(etcd.url, "/v3/kv/compaction", { revision, physical: true })
        yield* Effect.sleep("20 seconds")
        yield* startKubeApiserver({ dir, etcdUrl: etcd.url, reuse: kube })
        yield* Effect.logInfo(`apiserver down for ${Date.now() - downAt} ms (start included); ${readyAtStop}/${certificates} Ready when stopped`)
        assert.isBelow(readyAtStop, certificates, "the stop must land before every certificate is done")

        // A watch from before the outage is expired now: what certops' informers resumed from.
        const expired = execFileSync(
          binaries.kubectl,
          ["--kubeconfig", kube.kubeconfig, "get", "--raw", `/apis/cert-manager.io/v1/namespaces/${namespace}/certificates?watch=1&timeoutSeconds=1&resourceVersion=${oldVersion}`],
          { encoding: "utf8" },
        )
        assert.match(expired, /"code":410/, expired)

        const ready = yield* allReady(namespace, certificates, 180).pipe(
          Effect.tapCause(() => notReadySummary(namespace).pipe(Effect.flatMap((summary) => Effect.logError(`not Ready:\n${summary}`)))),
        )
        yield* Effect.logInfo(`all Ready ${Date.now() - downAt} ms after the stop`)
        for (const certificate of ready) assert.strictEqual(certificate.status?.revision, 1, certificate.metadata.name)
        const ordersMade = pebbleOrderCount(pebbleLog) - ordersBefore
        assert.strictEqual(ordersMade, certificates, "one ACME order per certificate")
        const orders = yield* store.list(Orders, { namespace })
        assert.strictEqual(orders.length, certificates)
        assert.strictEqual(new Set(orders.map((order) => order.status?.url)).size, certificates)
      }).pipe(Effect.scoped, Effect.provide(e2eLayer(privateEnv, e2eSettings(env, { namespace }))))
    }).pipe(Effect.scoped),
    400_000,
  )
})
