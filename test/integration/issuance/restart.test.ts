// kill -9 of certops in the middle of 20 issuances, then a restart: all 20
// become Ready, resuming every Order and Challenge from the store, with at
// most two extra ACME orders (counted from pebble's own log).
import { spawn, type ChildProcess } from "node:child_process"
import { openSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { Certificates, Issuers, Orders } from "../../../src/api/kinds.ts"
import { ResourceStore } from "../../../src/store/resource-store.ts"
import { kubernetesStoreLayer } from "../../../src/store/kubernetes/layer.ts"
import { testEnvironment, uniqueName } from "../../support/env.ts"
import { acmeIssuer, certificateFor, eventually, readyIssuer } from "../../support/issuance-e2e.ts"
import { createNamespace } from "../../support/kube.ts"

const env = testEnvironment()
const pebbleOrders = () => readFileSync(join(env.dir, "pebble.log"), "utf8").split("\n").filter((line) => line.includes("Added order")).length

const startCertops = (log: string, namespace: string): ChildProcess =>
  spawn(process.execPath, [join(import.meta.dirname, "../../support/issuance-process.ts")], {
    env: { ...process.env, CERTOPS_TEST_ENV: JSON.stringify(env), CERTOPS_TEST_NAMESPACE: namespace },
    stdio: ["ignore", openSync(log, "a"), openSync(log, "a")],
  })

const stop = (child: ChildProcess, signal: NodeJS.Signals) =>
  Effect.callback<void>((resume) => {
    if (child.exitCode !== null || child.signalCode !== null) return resume(Effect.void)
    child.once("exit", () => resume(Effect.void))
    child.kill(signal)
  })

describe("restart safety", () => {
  it.live("finishes 20 issuances after a kill -9 without a second ACME order per request", () =>
    Effect.gen(function* () {
      const store = yield* ResourceStore
      const namespace = yield* Effect.promise(() => createNamespace(env, "restart"))
      const log = join(env.dir, `certops-${namespace}.log`)
      const ordersBefore = pebbleOrders()
      yield* store.create(Issuers, acmeIssuer(env, namespace, "acme", [{ http01: { ingress: {} } }]))
      for (let index = 0; index < 20; index++) {
        yield* store.create(Certificates, certificateFor(namespace, `site-${index}`, "acme", [`${uniqueName(`site${index}`)}.${env.dns.zone}`]))
      }

      const first = startCertops(log, namespace)
      yield* Effect.addFinalizer(() => stop(first, "SIGKILL"))
      yield* eventually("the issuer to be Ready", readyIssuer(namespace, "acme"))
      // Mid-flight: ACME orders exist, not every certificate is done.
      yield* eventually(
        "ACME orders to be under way",
        ResourceStore.use((s) => s.list(Orders, { namespace })).pipe(
          Effect.map((orders) => (orders.filter((order) => order.status?.url !== undefined).length >= 10 ? orders : undefined)),
        ),
      )
      const readyAtKill = (yield* store.list(Certificates, { namespace })).filter((certificate) =>
        certificate.status?.conditions?.some((condition) => condition.type === "Ready" && condition.status === "True"),
      ).length
      yield* stop(first, "SIGKILL")
      assert.isBelow(readyAtKill, 20, "the kill must land before every certificate is done")

      const second = startCertops(log, namespace)
      yield* Effect.addFinalizer(() => stop(second, "SIGTERM"))
      yield* eventually(
        "all 20 certificates to be Ready",
        ResourceStore.use((s) => s.list(Certificates, { namespace })).pipe(
          Effect.map((certificates) => {
            const ready = certificates.filter((certificate) => certificate.status?.conditions?.some((condition) => condition.type === "Ready" && condition.status === "True"))
            return ready.length === 20 ? ready : undefined
          }),
        ),
        120,
      )
      const ordersMade = pebbleOrders() - ordersBefore
      assert.isAtLeast(ordersMade, 20)
      assert.isAtMost(ordersMade, 22)
    }).pipe(Effect.scoped, Effect.provide(kubernetesStoreLayer({ kubeconfigPath: env.kube.kubeconfig }))),
    240_000,
  )
})
