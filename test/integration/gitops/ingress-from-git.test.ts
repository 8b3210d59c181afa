// The quick start from Git: an ACME Issuer and an annotated Ingress in the
// intents repository, the whole daemon with --manage-ingresses. The Ingress
// is applied as written, the Certificate its tls entry asks for is applied
// as an intent of that file (with its origin), issued over HTTP-01 against
// pebble, and the status report says where it came from. Removing the entry
// prunes the Certificate.
import { execFileSync } from "node:child_process"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect, Redacted } from "effect"
import { parse as parseYaml, stringify } from "yaml"
import { Certificates, Ingresses } from "../../../src/api/kinds.ts"
import { daemonLayer, startDaemon } from "../../../src/daemon/daemon.ts"
import type { DaemonConfig } from "../../../src/settings/daemon-config.ts"
import { ResourceStore } from "../../../src/store/resource-store.ts"
import { freePorts } from "../../env/ports.ts"
import { testEnvironment, uniqueName } from "../../support/env.ts"
import { createBareRepository } from "../../support/git.ts"
import { acmeIssuer, e2eSettings, eventually, readyCertificate } from "../../support/issuance-e2e.ts"
import { createNamespaceNamed } from "../../support/kube.ts"
import { workClone } from "../../support/work-clone.ts"

const env = testEnvironment()
const namespace = uniqueName("ingress-git")
const repo = uniqueName("quickstart")
const host = `${uniqueName("kuard")}.${env.dns.zone}`

const { namespace: _namespace, ...issuerMetadata } = acmeIssuer(env, namespace, "letsencrypt-staging", [{ http01: { ingress: { ingressClassName: "nginx" } } }]).metadata
const issuer = { ...acmeIssuer(env, namespace, "letsencrypt-staging", [{ http01: { ingress: { ingressClassName: "nginx" } } }]), metadata: issuerMetadata }
const ingress = (tls: ReadonlyArray<{ hosts: ReadonlyArray<string>; secretName: string }>) =>
  stringify({
    apiVersion: "networking.k8s.io/v1",
    kind: "Ingress",
    metadata: { name: "kuard", annotations: { "cert-manager.io/issuer": "letsencrypt-staging" } },
    spec: {
      ingressClassName: "nginx",
      tls,
      rules: [{ host, http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "kuard", port: { number: 80 } } } }] } }],
    },
  })

const bare = createBareRepository(env.git.root, repo, {
  "apps/issuer.yaml": stringify(issuer),
  "apps/ingress.yaml": ingress([{ hosts: [host], secretName: "quickstart-example-tls" }]),
})
const git = (...args: ReadonlyArray<string>) => execFileSync("git", ["-C", bare, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] })

const [metricsPort = 0, webhookPort = 0] = await Effect.runPromise(freePorts(2))
const config: DaemonConfig = {
  git: {
    url: `${env.git.url}/${repo}.git`,
    branch: "main",
    path: "apps",
    username: env.git.username,
    password: Redacted.make(env.git.password),
    pollInterval: "1 second",
    statusBranch: "certops/status",
    defaultNamespace: namespace,
    manageIngresses: true,
  },
  store: { backend: "kubernetes", kubeconfig: env.kube.kubeconfig },
  stateDir: mkdtempSync(join(tmpdir(), "certops-ingress-git-")),
  http: { host: "127.0.0.1", port: metricsPort, webhookPort },
  issuance: e2eSettings(env, { namespace }),
  leaderElection: { namespace, identity: "ingress-git-test", leaseDuration: Duration.seconds(6) },
}

const statusFile = (path: string) => {
  try {
    return git("show", `certops/status:${path}`)
  } catch {
    return undefined
  }
}

describe("an annotated Ingress in Git", () => {
  it.live("is applied, its Certificate issued as an intent of its file, reported with its origin, and pruned with its entry", () =>
    Effect.gen(function* () {
      yield* Effect.promise(() => createNamespaceNamed(env, namespace))
      const store = yield* ResourceStore
      yield* startDaemon(config)

      const certificate = yield* eventually("the Ingress' Certificate to be Ready", readyCertificate(namespace, "quickstart-example-tls"), 90)
      assert.deepStrictEqual(certificate.spec.dnsNames, [host])
      assert.strictEqual(certificate.metadata.annotations?.["certops.io/origin"], `Ingress ${namespace}/kuard`)
      assert.strictEqual(certificate.metadata.annotations?.["certops.io/source-path"], "apps/ingress.yaml")
      // From Git, not from the in-cluster shim: no owner, so pruning is Git's business.
      assert.isUndefined(certificate.metadata.ownerReferences)
      const applied = yield* store.get(Ingresses, { namespace, name: "kuard" })
      assert.strictEqual(applied.metadata.labels?.["certops.io/managed"], "true")
      assert.deepStrictEqual(applied.spec?.rules?.[0]?.host, host)

      const report = yield* eventually("the status report", Effect.sync(() => statusFile(`${namespace}/quickstart-example-tls.yaml`)).pipe(
        Effect.map((text) => (text !== undefined && (parseYaml(text) as Record<string, unknown>)["ready"] === "True" ? (parseYaml(text) as Record<string, unknown>) : undefined)),
      ), 60)
      assert.strictEqual(report["origin"], `Ingress ${namespace}/kuard`)
      assert.strictEqual(report["intentPath"], "apps/ingress.yaml")
      assert.include(statusFile("STATUS.md") ?? "", `(from Ingress ${namespace}/kuard)`)

      const clone = workClone(bare)
      clone.write("apps/ingress.yaml", ingress([]))
      clone.commitAndPush("kuard without TLS")
      yield* eventually("the Certificate to be pruned", store.list(Certificates, { namespace }).pipe(Effect.map((all) => (all.length === 0 ? all : undefined))), 30)
      const updated = yield* eventually("the Ingress to lose its tls", store.get(Ingresses, { namespace, name: "kuard" }).pipe(Effect.map((found) => ((found.spec?.tls ?? []).length === 0 ? found : undefined))), 30)
      assert.strictEqual(updated.metadata.name, "kuard")
    }).pipe(Effect.scoped, Effect.provide(daemonLayer(config))),
    150_000,
  )
})
