// Two replicas of `certops run` on the real apiserver: exactly one holds the
// Lease and writes; kill -9 of the leader and the other takes over within the
// lease duration and finishes the work that was pending.
import { spawn, type ChildProcess } from "node:child_process"
import { mkdtempSync, openSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { Certificates, Events, Leases } from "../../../src/api/kinds.ts"
import { kubernetesStoreLayer } from "../../../src/store/kubernetes/layer.ts"
import { ResourceStore } from "../../../src/store/resource-store.ts"
import { testEnvironment, uniqueName } from "../../support/env.ts"
import { createBareRepository } from "../../support/git.ts"
import { eventually } from "../../support/issuance-e2e.ts"
import { createNamespaceNamed } from "../../support/kube.ts"
import { workClone } from "../../support/work-clone.ts"

const env = testEnvironment()
const repoRoot = join(import.meta.dirname, "../../..")
const namespace = uniqueName("ha")
const issuer = `selfsigned-${namespace}`
const leaseSeconds = 4

const certificate = (name: string) => `apiVersion: cert-manager.io/v1
kind: Certificate
metadata:
  name: ${name}
spec:
  secretName: ${name}-tls
  dnsNames: [${name}.example.test]
  issuerRef: { name: ${issuer}, kind: ClusterIssuer }
`

const replica = (identity: string, repository: string): ChildProcess => {
  const dir = mkdtempSync(join(tmpdir(), `certops-${identity}-`))
  writeFileSync(join(dir, "git-password"), env.git.password)
  const log = openSync(join(env.dir, `${namespace}-${identity}.log`), "a")
  return spawn(
    process.execPath,
    [
      "bin/certops.js", "run",
      "--git-url", `${env.git.url}/${repository}.git`, "--git-username", env.git.username, "--git-password-file", join(dir, "git-password"),
      "--poll-interval", "1 second", "--default-namespace", namespace, "--namespace", namespace,
      "--store", "kubernetes", "--kubeconfig", env.kube.kubeconfig, "--state-dir", dir,
      "--lease-namespace", namespace, "--lease-duration", `${leaseSeconds} seconds`, "--identity", identity,
      "--http-port", "0", "--webhook-port", "0", "--http01-port", "0",
    ],
    { cwd: repoRoot, env: { PATH: process.env["PATH"], HOME: dir, HOSTNAME: identity }, stdio: ["ignore", log, log] },
  )
}

const ready = (names: ReadonlyArray<string>) =>
  ResourceStore.use((store) => store.list(Certificates, { namespace })).pipe(
    Effect.map((all) => {
      const done = all.filter((c) => names.includes(c.metadata.name) && c.status?.conditions?.some((x) => x.type === "Ready" && x.status === "True"))
      return done.length === names.length ? done : undefined
    }),
  )

const holder = ResourceStore.use((store) => store.get(Leases, { namespace, name: "certops-leader" })).pipe(Effect.map((lease) => lease.spec?.holderIdentity))

describe("high availability", () => {
  it.live("one leader writes; after kill -9 the standby takes over and finishes pending issuances", () =>
    Effect.gen(function* () {
      yield* Effect.promise(() => createNamespaceNamed(env, namespace))
      const repository = uniqueName("ha-intents")
      const bare = createBareRepository(env.git.root, repository, {
        "issuer.yaml": `apiVersion: cert-manager.io/v1\nkind: ClusterIssuer\nmetadata:\n  name: ${issuer}\nspec:\n  selfSigned: {}\n`,
        "one.yaml": certificate("one"),
      })
      const replicas = { a: replica("replica-a", repository), b: replica("replica-b", repository) }
      yield* Effect.addFinalizer(() => Effect.sync(() => Object.values(replicas).forEach((child) => child.kill("SIGKILL"))))

      yield* eventually("the first certificate", ready(["one"]), 60)
      const leader = (yield* holder) as "replica-a" | "replica-b"
      assert.oneOf(leader, ["replica-a", "replica-b"])
      const standby = leader === "replica-a" ? "replica-b" : "replica-a"
      // Exactly one writes: every Event so far was reported by the leader.
      const reporters = new Set((yield* ResourceStore.use((s) => s.list(Events, { namespace }))).map((event) => event.reportingInstance))
      assert.deepStrictEqual([...reporters], [leader])

      // Work arrives, and the leader dies before it can do it.
      const clone = workClone(bare)
      clone.write("two.yaml", certificate("two"))
      clone.write("three.yaml", certificate("three"))
      replicas[leader === "replica-a" ? "a" : "b"].kill("SIGKILL")
      const killedAt = Date.now()
      clone.commitAndPush("two more")

      yield* eventually("the standby to take the lease", holder.pipe(Effect.map((name) => (name === standby ? name : undefined))), 30)
      const tookOver = Date.now() - killedAt
      yield* eventually("the pending certificates", ready(["one", "two", "three"]), 60)
      const finished = Date.now() - killedAt
      assert.isBelow(tookOver, (leaseSeconds + 3) * 1_000, "taken over within the lease duration (and a retry period)")
      assert.isBelow(finished, (leaseSeconds + 15) * 1_000, "finished within the lease duration and one reconcile")
      console.log(`high availability: standby led ${tookOver} ms after kill -9, pending issuances done ${finished} ms after it`)
      const later = (yield* ResourceStore.use((s) => s.list(Events, { namespace }))).filter((event) => event.involvedObject.name === "three")
      assert.isTrue(later.every((event) => event.reportingInstance === standby))
    }).pipe(Effect.scoped, Effect.provide(kubernetesStoreLayer({ kubeconfigPath: env.kube.kubeconfig }))),
    120_000,
  )
})
