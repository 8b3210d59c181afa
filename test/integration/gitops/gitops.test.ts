// GitOps end to end: a Git server, the real apiserver, the whole daemon. A
// commit leads to a Ready Certificate and a status commit naming its serial
// and the intent commit; signed webhooks trigger a sync at once and unsigned
// ones are refused; removing a file prunes, editing re-issues; a policy
// violation is not applied and its denial is reported; no key reaches Git.
import { execFileSync } from "node:child_process"
import { createHmac, X509Certificate } from "node:crypto"
import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect, Redacted } from "effect"
import { parse as parseYaml } from "yaml"
import { Certificates, Secrets } from "../../../src/api/kinds.ts"
import type { DaemonConfig } from "../../../src/settings/daemon-config.ts"
import { daemonLayer, startDaemon } from "../../../src/daemon/daemon.ts"
import { rejectionFile } from "../../../src/report/layout.ts"
import { parseExposition, sampleValue } from "../../support/prometheus-text.ts"
import { ResourceStore } from "../../../src/store/resource-store.ts"
import { freePorts } from "../../env/ports.ts"
import { testEnvironment, uniqueName } from "../../support/env.ts"
import { createBareRepository } from "../../support/git.ts"
import { e2eSettings, eventually, readyCertificate } from "../../support/issuance-e2e.ts"
import { createNamespaceNamed } from "../../support/kube.ts"
import { workClone } from "../../support/work-clone.ts"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

const env = testEnvironment()
const namespace = uniqueName("gitops")
const repo = uniqueName("intents")
const issuerName = `selfsigned-${namespace}`
const webhookSecret = "a shared secret"

const issuerYaml = `apiVersion: cert-manager.io/v1
kind: ClusterIssuer
metadata:
  name: ${issuerName}
spec:
  selfSigned: {}
`
const certificateYaml = (name: string, dnsNames: ReadonlyArray<string>) => `apiVersion: cert-manager.io/v1
kind: Certificate
metadata:
  name: ${name}
spec:
  secretName: ${name}-tls
  dnsNames:
${dnsNames.map((dnsName) => `    - ${dnsName}`).join("\n")}
  issuerRef:
    name: ${issuerName}
    kind: ClusterIssuer
`
const policyYaml = `apiVersion: policy.certops.io/v1alpha1
kind: CertificatePolicy
metadata:
  name: example-names
spec:
  allowedDNSNames: ["*.example.test"]
`

const bare = createBareRepository(env.git.root, repo, {
  "clusters/test/issuer.yaml": issuerYaml,
  "clusters/test/web.yaml": certificateYaml("web", ["web.example.test"]),
  ".certops/policies/names.yaml": policyYaml,
})
const git = (...args: ReadonlyArray<string>) => execFileSync("git", ["-C", bare, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] })
const statusFile = (path: string) => parseYaml(git("show", `certops/status:${path}`)) as Record<string, unknown>

const [metricsPort = 0, webhookPort = 0] = await Effect.runPromise(freePorts(2))
const config: DaemonConfig = {
  git: {
    url: `${env.git.url}/${repo}.git`,
    branch: "main",
    path: "clusters/test",
    username: env.git.username,
    password: Redacted.make(env.git.password),
    pollInterval: "1 hour",
    webhookSecret: Redacted.make(webhookSecret),
    statusBranch: "certops/status",
    defaultNamespace: namespace,
  },
  store: { backend: "kubernetes", kubeconfig: env.kube.kubeconfig },
  stateDir: mkdtempSync(join(tmpdir(), "certops-daemon-")),
  http: { host: "127.0.0.1", port: metricsPort, webhookPort },
  issuance: e2eSettings(env, { namespace }),
  leaderElection: { namespace, identity: "gitops-test", leaseDuration: Duration.seconds(6) },
}

const post = (body: string, headers: Record<string, string>) =>
  Effect.promise(() => fetch(`http://127.0.0.1:${webhookPort}/hooks/git`, { method: "POST", body, headers: { "content-type": "application/json", ...headers } }))
const signed = (body: string) => ({ "x-hub-signature-256": `sha256=${createHmac("sha256", webhookSecret).update(body).digest("hex")}` })

const serialOfSecret = (name: string) =>
  ResourceStore.use((store) => store.get(Secrets, { namespace, name }, { fresh: true })).pipe(
    Effect.map((secret) => new X509Certificate(Buffer.from(secret.data?.["tls.crt"] ?? "", "base64")).serialNumber.toLowerCase().replace(/^0+/, "")),
  )

const isMissing = (name: string) =>
  ResourceStore.use((store) => store.get(Certificates, { namespace, name })).pipe(
    Effect.as(false),
    Effect.catchTag("NotFound", () => Effect.succeed(true)),
  )

const statusSettles = (path: string, check: (report: Record<string, unknown>) => boolean, what: string) =>
  eventually(
    what,
    Effect.sync(() => {
      try {
        // git show prints "fatal: path … does not exist" until the file is there.
        const report = statusFile(path)
        return check(report) ? report : undefined
      } catch {
        return undefined
      }
    }),
    60,
  )

describe("GitOps", () => {
  it.live("applies commits, answers webhooks, prunes, re-issues, reports denials, and keeps keys out of Git", () =>
    Effect.gen(function* () {
      yield* Effect.promise(() => createNamespaceNamed(env, namespace))
      const store = yield* ResourceStore
      const intentCommit = git("rev-parse", "main").trim()
      yield* startDaemon(config)

      // 1. The commit's Certificate becomes Ready, and the status branch says so.
      const web = yield* eventually("web to be Ready", readyCertificate(namespace, "web"), 60)
      assert.strictEqual(web.metadata.labels?.["certops.io/managed"], "true")
      assert.strictEqual(web.metadata.annotations?.["certops.io/source-path"], "clusters/test/web.yaml")
      const serial = yield* serialOfSecret("web-tls")
      const report = yield* statusSettles(`${namespace}/web.yaml`, (r) => r["serial"] === serial, "the status report with the serial")
      assert.strictEqual(report["intentCommit"], intentCommit)
      assert.strictEqual(report["ready"], "True")
      assert.include(git("show", "certops/status:STATUS.md"), "web")
      assert.match(git("log", "-1", "--format=%B", "certops/status"), /Certops-Status: true/)

      // The daemon's /metrics, parsed strictly: web is Ready, expires when its status says, and Git is in sync.
      const metrics = parseExposition(yield* Effect.promise(() => fetch(`http://127.0.0.1:${metricsPort}/metrics`).then((response) => response.text())))
      assert.strictEqual(sampleValue(metrics, "certops_certificate_ready_status", { name: "web", namespace, condition: "True" }), 1)
      assert.strictEqual(
        sampleValue(metrics, "certops_certificate_expiration_timestamp_seconds", { name: "web", namespace, issuer_name: issuerName, issuer_kind: "ClusterIssuer" }),
        Date.parse(web.status?.notAfter ?? "") / 1_000,
      )
      assert.strictEqual(sampleValue(metrics, "certops_git_last_applied_commit_info", { commit: intentCommit }), 1)
      assert.strictEqual((yield* Effect.promise(() => fetch(`http://127.0.0.1:${metricsPort}/readyz`))).status, 200)

      // 2. Webhooks: unsigned and wrongly signed pushes are refused and change nothing.
      const clone = workClone(bare)
      clone.write("clusters/test/api.yaml", certificateYaml("api", ["api.example.test"]))
      clone.commitAndPush("add api")
      const payload = JSON.stringify({ ref: "refs/heads/main" })
      assert.strictEqual((yield* post(payload, {})).status, 401)
      assert.strictEqual((yield* post(payload, { "x-hub-signature-256": "sha256=00" })).status, 401)
      assert.strictEqual((yield* post(payload, { "x-gitlab-token": "wrong" })).status, 401)
      yield* Effect.sleep("1 second")
      assert.isTrue(yield* isMissing("api"))
      // A signed one triggers a sync at once (the poll interval is an hour).
      const accepted = yield* post(payload, signed(payload))
      assert.strictEqual(accepted.status, 202)
      yield* eventually("api to be Ready after the webhook", readyCertificate(namespace, "api"), 30)

      // 3. Editing dnsNames re-issues; removing a file prunes.
      clone.write("clusters/test/web.yaml", certificateYaml("web", ["web.example.test", "www.example.test"]))
      clone.remove("clusters/test/api.yaml")
      clone.commitAndPush("web gets www, api goes")
      yield* post(payload, signed(payload))
      const reissued = yield* eventually(
        "web to be re-issued",
        ResourceStore.use((s) => s.get(Certificates, { namespace, name: "web" })).pipe(
          Effect.map((c) => ((c.status?.revision ?? 0) >= 2 && c.status?.conditions?.some((x) => x.type === "Ready" && x.status === "True") ? c : undefined)),
        ),
        30,
      )
      assert.deepStrictEqual(reissued.spec.dnsNames, ["web.example.test", "www.example.test"])
      yield* eventually("api to be pruned", isMissing("api").pipe(Effect.map((missing) => (missing ? true : undefined))), 30)
      // The Secret of a pruned Certificate stays unless the intent asked otherwise.
      assert.isDefined(yield* store.get(Secrets, { namespace, name: "api-tls" }))

      // 4. A policy violation on the tracked branch is not applied; its denial is reported.
      clone.write("clusters/test/evil.yaml", certificateYaml("evil", ["login.bank.example.org"]))
      clone.commitAndPush("sneak a name in")
      yield* post(payload, signed(payload))
      const denial = yield* statusSettles(rejectionFile("clusters/test/evil.yaml"), () => true, "the denial in the status report")
      assert.match(JSON.stringify(denial), /policy/)
      assert.match(JSON.stringify(denial), /example-names/)
      assert.isTrue(yield* isMissing("evil"))

      // 5. Nothing in the repository holds a private key or the Git password.
      const objects = execFileSync("git", ["-C", bare, "cat-file", "--batch-all-objects", "--batch"], { encoding: "latin1", maxBuffer: 64 * 1024 * 1024 })
      assert.notMatch(objects, /PRIVATE KEY/)
      assert.notInclude(objects, env.git.password)
      assert.notInclude(objects, webhookSecret)
    }).pipe(Effect.scoped, Effect.provide(daemonLayer(config))),
    180_000,
  )
})
