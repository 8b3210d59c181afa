// A child process for the crash test: writes to an embedded store in a loop
// and prints each write once the store has acknowledged it, until killed.
import { Effect } from "effect"
import { Certificates, Secrets } from "../../src/api/kinds.ts"
import { makeEmbeddedStore } from "../../src/store/embedded/embedded-store.ts"

const stateDir = process.argv[2]!
const store = await Effect.runPromise(makeEmbeddedStore(stateDir))
const namespace = "crash"
const start = (await Effect.runPromise(store.list(Certificates, { namespace }))).length
const b64 = (text: string) => Buffer.from(text).toString("base64")

for (let index = start; ; index++) {
  await Effect.runPromise(
    Effect.gen(function* () {
      yield* store.create(Certificates, {
        apiVersion: "cert-manager.io/v1",
        kind: "Certificate",
        metadata: { name: `c-${index}`, namespace },
        spec: { secretName: `c-${index}-tls`, dnsNames: [`c-${index}.example.test`], issuerRef: { name: "ca" } },
      })
      const data = { "tls.crt": b64(`certificate ${index}`), "tls.key": b64(`key ${index}`) }
      const existing = yield* store.get(Secrets, { namespace, name: "rolling" }).pipe(Effect.option)
      if (existing._tag === "Some") yield* store.update(Secrets, { ...existing.value, data })
      else yield* store.create(Secrets, { apiVersion: "v1", kind: "Secret", metadata: { name: "rolling", namespace }, type: "kubernetes.io/tls", data })
    }),
  )
  process.stdout.write(`acked ${index}\n`)
}
