// Shared pieces of the fault-injection tests: readiness of many certificates,
// a watch that remembers every Order state it saw, pebble's order count.
import { readFileSync } from "node:fs"
import { Effect, Fiber, Stream } from "effect"
import type { Certificate } from "../../../src/api/certificate.ts"
import { Certificates, Orders } from "../../../src/api/kinds.ts"
import { ResourceStore } from "../../../src/store/resource-store.ts"
import { eventually } from "../poll.ts"

export const isReady = (certificate: Certificate): boolean =>
  certificate.status?.conditions?.some((condition) => condition.type === "Ready" && condition.status === "True") ?? false

/** Waits until `count` Certificates of the namespace are Ready and returns them. */
export const allReady = (namespace: string, count: number, seconds: number) =>
  eventually(
    `all ${count} certificates in ${namespace} to be Ready`,
    ResourceStore.use((store) => store.list(Certificates, { namespace })).pipe(
      Effect.map((certificates) => {
        const ready = certificates.filter(isReady)
        return ready.length === count ? ready : undefined
      }),
    ),
    seconds,
  )

/** A summary of what is not Ready yet, for failure messages. */
export const notReadySummary = (namespace: string) =>
  ResourceStore.use((store) => store.list(Certificates, { namespace })).pipe(
    Effect.map((certificates) =>
      certificates
        .filter((certificate) => !isReady(certificate))
        .map((certificate) => `${certificate.metadata.name}: ${JSON.stringify(certificate.status?.conditions)}`)
        .join("\n"),
    ),
  )

/** Watches Orders of a namespace in the current scope, recording every state any of them reached. */
export const recordOrderStates = (namespace: string) =>
  Effect.gen(function* () {
    const store = yield* ResourceStore
    const states: Array<{ readonly name: string; readonly state: string; readonly reason: string }> = []
    const fiber = yield* Effect.forkScoped(
      store.watch(Orders, { namespace }).pipe(
        Stream.runForEach((event) =>
          Effect.sync(() => {
            const state = event.object.status?.state
            if (state !== undefined) states.push({ name: event.object.metadata.name, state, reason: event.object.status?.reason ?? "" })
          }),
        ),
        Effect.ignore,
      ),
    )
    return { states, stop: Fiber.interrupt(fiber) }
  })

/** The "Added order" lines in a pebble log: one per ACME order created. */
export const pebbleOrderCount = (logPath: string): number =>
  readFileSync(logPath, "utf8")
    .split("\n")
    .filter((line) => line.includes("Added order")).length
