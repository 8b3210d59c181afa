// kill -9 of the issuance process at random points, 10 times, while it
// issues 200 certificates over HTTP-01 (validations answered by a standby
// replica's responder, as in a two-replica deployment): all become Ready,
// no Secret is ever written with two different keys (each certificate is
// issued once, revision 1), no Order fails, and at most 1.1 × N ACME
// orders are made.
import { spawn, type ChildProcess } from "node:child_process"
import { createHash } from "node:crypto"
import { openSync } from "node:fs"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Schedule, Stream } from "effect"
import { CertificateRequests, Certificates, Issuers, Orders, Secrets } from "../../src/api/kinds.ts"
import { IssuanceSettings } from "../../src/settings/issuance-settings.ts"
import { http01ResponderLayer } from "../../src/solvers/http01/http01-responder.ts"
import type { Secret } from "../../src/api/core.ts"
import { KubeClient, kubeClientLayer } from "../../src/store/kubernetes/client.ts"
import { kubernetesStoreFromClient } from "../../src/store/kubernetes/layer.ts"
import { collectionPath } from "../../src/store/kubernetes/paths.ts"
import { ResourceStore, type WatchEvent } from "../../src/store/resource-store.ts"
import type { KubeObject } from "../../src/api/meta.ts"
import type { ResourceType } from "../../src/api/resource-type.ts"
import { testEnvironment, uniqueName } from "../support/env.ts"
import { allReady, isReady, notReadySummary, pebbleOrderCount } from "../support/faults/common.ts"
import { acmeIssuer, certificateFor, e2eSettings, eventually, readyIssuer } from "../support/issuance-e2e.ts"
import { createNamespace } from "../support/kube.ts"

const env = testEnvironment()
const certificates = 200
const kills = 10
const pebbleLog = join(env.dir, "pebble.log")

const startCertops = (log: string, namespace: string): ChildProcess =>
  spawn(process.execPath, [join(import.meta.dirname, "../support/issuance-process.ts")], {
    env: { ...process.env, CERTOPS_TEST_ENV: JSON.stringify(env), CERTOPS_TEST_NAMESPACE: namespace, CERTOPS_TEST_HTTP01_PORT: "0" },
    stdio: ["ignore", openSync(log, "a"), openSync(log, "a")],
  })

const stop = (child: ChildProcess, signal: NodeJS.Signals) =>
  Effect.callback<void>((resume) => {
    if (child.exitCode !== null || child.signalCode !== null) return resume(Effect.void)
    child.once("exit", () => resume(Effect.void))
    child.kill(signal)
  })

const fingerprint = (base64: string | undefined) => (base64 === undefined ? "" : createHash("sha256").update(Buffer.from(base64, "base64")).digest("hex").slice(0, 16))

/** ACME orders made (an Order with its URL) and Certificates Ready in the namespace. */
const progress = (namespace: string) =>
  Effect.gen(function* () {
    const store = yield* ResourceStore
    const ready = (yield* store.list(Certificates, { namespace })).filter(isReady).length
    const ordered = (yield* store.list(Orders, { namespace })).filter((order) => order.status?.url !== undefined).length
    return { ordered, ready }
  })

describe("repeated kill -9", () => {
  it.live(`${kills} kills during ${certificates} issuances: all Ready, one key per Secret, ≤ 1.1 × N orders`, () =>
    Effect.gen(function* () {
      const store = yield* ResourceStore
      const namespace = yield* Effect.promise(() => createNamespace(env, "killed"))
      // pebble's validations (and the self checks) go to a standby replica's
      // HTTP-01 responder, the same code reading the same Challenges, that is
      // never killed; the killed process listens elsewhere. What is measured
      // is crash safety: a validation cut by the kill would fail its Order
      // for reasons of the network path, not of certops' recovery.
      yield* Layer.build(http01ResponderLayer()).pipe(Effect.provideService(IssuanceSettings, e2eSettings(env, { namespace })))
      const log = join(env.dir, `certops-${namespace}.log`)
      const ordersBefore = pebbleOrderCount(pebbleLog)

      /** Every watch event of a kind in the namespace, handed to `record`. */
      const recordEvents = <A extends KubeObject>(type: ResourceType<A>, record: (event: WatchEvent<A>) => void) =>
        Effect.forkScoped(store.watch(type, { namespace }).pipe(Stream.runForEach((event) => Effect.sync(() => record(event))), Effect.ignore))

      // Every key and certificate each Secret ever held.
      const keys = new Map<string, Set<string>>()
      const certs = new Map<string, Set<string>>()
      // Straight from the apiserver's watch: the store's Secret cache keeps facts, never data.
      const client = yield* KubeClient
      yield* Effect.forkScoped(
        client.stream({ method: "GET", path: collectionPath(Secrets, namespace), query: { watch: "true", allowWatchBookmarks: "false" } }).pipe(
          Stream.runForEach((raw) =>
            Effect.sync(() => {
              const event = raw as { readonly type: string; readonly object: Secret }
              const name = event.object.metadata?.name ?? ""
              if (!/^site-\d+-tls$/.test(name) || event.type === "DELETED") return
              const key = event.object.data?.["tls.key"]
              const crt = event.object.data?.["tls.crt"]
              if (key !== undefined && key !== "") keys.set(name, (keys.get(name) ?? new Set()).add(fingerprint(key)))
              if (crt !== undefined && crt !== "") certs.set(name, (certs.get(name) ?? new Set()).add(fingerprint(crt)))
            }),
          ),
          Effect.ignore,
        ),
      )

      // Every Order that ever failed, and why.
      const failedOrders = new Map<string, string>()
      yield* recordEvents(Orders, (event) => {
        const state = event.object.status?.state
        if (state === "errored" || state === "invalid") failedOrders.set(event.object.metadata.name, `${state}: ${event.object.status?.reason ?? ""}`)
      })

      yield* store.create(Issuers, acmeIssuer(env, namespace, "acme", [{ http01: { ingress: {} } }]))
      for (let index = 0; index < certificates; index++) {
        yield* store.create(Certificates, certificateFor(namespace, `site-${index}`, "acme", [`${uniqueName(`kill${index}`)}.${env.dns.zone}`]))
      }

      const started = Date.now()
      const landed: Array<string> = []
      for (let round = 0; round < kills; round++) {
        const child = startCertops(log, namespace)
        yield* Effect.addFinalizer(() => stop(child, "SIGKILL"))
        if (round === 0) yield* eventually("the issuer to be Ready", readyIssuer(namespace, "acme"))
        // A random point while work is under way: once this process has made
        // progress of its own (node's start-up and the first lists take some
        // seconds here), then up to 4 s more.
        const before = yield* progress(namespace)
        yield* eventually(
          "the restarted process to make progress",
          progress(namespace).pipe(Effect.map((now) => (now.ordered + now.ready > before.ordered + before.ready || now.ready === certificates ? now : undefined))),
          60,
        )
        const delay = Math.floor(Math.random() * 4_000)
        yield* Effect.sleep(delay)
        const { ordered, ready } = yield* progress(namespace)
        yield* stop(child, "SIGKILL")
        landed.push(`kill ${round + 1} ${delay} ms after progress: ${ordered} ACME orders made, ${ready}/${certificates} Ready`)
        if (ready === certificates) break
      }
      yield* Effect.logInfo(landed.join("\n"))
      const midFlight = landed.filter((line) => !line.endsWith(`${certificates}/${certificates} Ready`)).length
      assert.isAtLeast(midFlight, 5, `kills must land mid-flight:\n${landed.join("\n")}`)
      // Some landed with part of the work done, not only before it started.
      assert.isTrue(landed.some((line) => !/ 0 ACME orders/.test(line) && !line.endsWith(`${certificates}/${certificates} Ready`)), landed.join("\n"))

      const last = startCertops(log, namespace)
      yield* Effect.addFinalizer(() => stop(last, "SIGTERM"))
      yield* allReady(namespace, certificates, 240).pipe(
        Effect.tapCause(() => notReadySummary(namespace).pipe(Effect.flatMap((summary) => Effect.logError(`not Ready:\n${summary}`)))),
      )
      yield* Effect.logInfo(`all ${certificates} Ready ${Date.now() - started} ms after the first start`)
      // Let the watch catch up with the last writes.
      yield* Effect.sleep("1 second")

      const twoKeys = [...keys].filter(([, set]) => set.size > 1).map(([name, set]) => `${name}: ${[...set].join(", ")}`)
      assert.deepStrictEqual(twoKeys, [], `Secrets written with different keys:\n${twoKeys.join("\n")}`)
      const twoCerts = [...certs].filter(([, set]) => set.size > 1).map(([name, set]) => `${name}: ${[...set].join(", ")}`)
      assert.deepStrictEqual(twoCerts, [], `Secrets written with different certificates:\n${twoCerts.join("\n")}`)
      assert.strictEqual(keys.size, certificates, "every Secret seen by the watch")

      // A kill is never a reason for an issuance to fail.
      const failures = [...failedOrders].map(([name, reason]) => `${name}: ${reason}`)
      assert.deepStrictEqual(failures, [], `Orders failed:\n${failures.join("\n")}`)

      const ordersMade = pebbleOrderCount(pebbleLog) - ordersBefore
      yield* Effect.logInfo(`${ordersMade} ACME orders for ${certificates} certificates`)
      assert.isAtLeast(ordersMade, certificates)
      assert.isAtMost(ordersMade, Math.floor(certificates * 1.1), `${ordersMade} ACME orders for ${certificates} certificates`)

      // Each issued exactly once, and the issuance finished: revision 1, its
      // request pruned, its pending private key Secret deleted.
      const unfinished = yield* Effect.gen(function* () {
        const current = yield* store.list(Certificates, { namespace })
        const requests = yield* store.list(CertificateRequests, { namespace })
        const secrets = (yield* store.list(Secrets, { namespace })).map((secret) => secret.metadata.name)
        return current
          .filter((certificate) => certificate.status?.revision !== 1)
          .map((certificate) => {
            const name = certificate.metadata.name
            const left = requests.filter((request) => request.metadata.ownerReferences?.some((owner) => owner.name === name)).map((request) => `${request.metadata.name} (Ready=${request.status?.conditions?.find((c) => c.type === "Ready")?.status})`)
            const keys = secrets.filter((secret) => secret.startsWith(`${name}-`) && secret !== `${name}-tls`)
            return `${name}: revision=${certificate.status?.revision} Ready=${isReady(certificate)}; requests left: ${left.join(", ")}; other secrets: ${keys.join(", ")}`
          })
      }).pipe(
        Effect.repeat({ until: (list) => list.length === 0, schedule: Schedule.spaced("1 second"), times: 10 }),
      )
      assert.deepStrictEqual(unfinished, [], `Ready but the issuance never finished:\n${unfinished.join("\n")}`)
    }).pipe(Effect.scoped, Effect.provide(kubernetesStoreFromClient().pipe(Layer.provideMerge(kubeClientLayer({ kubeconfigPath: env.kube.kubeconfig }))))),
    900_000,
  )
})
