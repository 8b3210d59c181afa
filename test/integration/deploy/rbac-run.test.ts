// certops runs with a ServiceAccount token bound to exactly the deploy/
// ClusterRole and Role (and deploy/webhook-solvers, set to the test solver's
// group): it issues over SelfSigned, over ACME HTTP-01 (with its solver
// Ingress) and over DNS-01 through a webhook solver, takes the Lease, records
// Events, and no request of its is denied.
import { execFileSync, spawn } from "node:child_process"
import { mkdtempSync, openSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { Certificates, Leases } from "../../../src/api/kinds.ts"
import { kubernetesStoreLayer } from "../../../src/store/kubernetes/layer.ts"
import { ResourceStore } from "../../../src/store/resource-store.ts"
import { binaries } from "../../env/binaries.ts"
import { kubeconfigYaml } from "../../env/kube-apiserver.ts"
import { testEnvironment, uniqueName } from "../../support/env.ts"
import { createBareRepository } from "../../support/git.ts"
import { eventually } from "../../support/issuance-e2e.ts"
import { createNamespaceNamed } from "../../support/kube.ts"

const env = testEnvironment()
const root = join(import.meta.dirname, "../../..")
const rbacFiles = ["namespace.yaml", "serviceaccount.yaml", "clusterrole.yaml", "clusterrolebinding.yaml", "role.yaml", "rolebinding.yaml"]
const namespace = uniqueName("rbac")
const selfSigned = `selfsigned-${namespace}`

const admin = (...args: ReadonlyArray<string>) => execFileSync(binaries.kubectl, ["--kubeconfig", env.kube.kubeconfig, ...args], { encoding: "utf8" })

/** A kubeconfig that authenticates as the certops ServiceAccount, nothing more. */
const serviceAccountKubeconfig = (dir: string) => {
  admin("apply", "--server-side", ...rbacFiles.flatMap((file) => ["-f", join(root, "deploy", file)]))
  // The webhook solvers' grant, with the group a user would put there: the test solver's.
  const webhookRole = readFileSync(join(root, "deploy/webhook-solvers/clusterrole.yaml"), "utf8").replace("acme.example.com", env.webhookSolver.groupName)
  execFileSync(binaries.kubectl, ["--kubeconfig", env.kube.kubeconfig, "apply", "--server-side", "-f", "-", "-f", join(root, "deploy/webhook-solvers/clusterrolebinding.yaml")], {
    input: webhookRole,
    encoding: "utf8",
  })
  const token = admin("create", "token", "certops", "-n", "certops", "--duration", "1h").trim()
  const text = kubeconfigYaml(env.kube.server, env.kube.caPem, { certPem: "", keyPem: "" }, "certops")
    .replace(/    client-certificate-data: .*\n    client-key-data: .*\n/, `    token: ${token}\n`)
  const path = join(dir, "kubeconfig")
  writeFileSync(path, text, { mode: 0o600 })
  return path
}

const intents: Record<string, string> = {
  "issuers.yaml": `apiVersion: cert-manager.io/v1
kind: ClusterIssuer
metadata:
  name: ${selfSigned}
spec:
  selfSigned: {}
---
apiVersion: cert-manager.io/v1
kind: Issuer
metadata:
  name: acme
spec:
  acme:
    server: ${env.acme.directoryUrl}
    email: ops@certops.test
    privateKeySecretRef: { name: acme-account }
    caBundle: ${Buffer.from(env.acme.tlsCaPem).toString("base64")}
    solvers:
      - http01: { ingress: { ingressClassName: nginx } }
---
apiVersion: cert-manager.io/v1
kind: Issuer
metadata:
  name: hook
spec:
  acme:
    server: ${env.acme.directoryUrl}
    email: ops@certops.test
    privateKeySecretRef: { name: hook-account }
    caBundle: ${Buffer.from(env.acme.tlsCaPem).toString("base64")}
    solvers:
      - dns01: { webhook: { groupName: ${env.webhookSolver.groupName}, solverName: ${env.webhookSolver.solverName}, config: {} } }
`,
  "local.yaml": `apiVersion: cert-manager.io/v1
kind: Certificate
metadata:
  name: local
spec:
  secretName: local-tls
  dnsNames: [local.example.test]
  issuerRef: { name: ${selfSigned}, kind: ClusterIssuer }
`,
  "public.yaml": `apiVersion: cert-manager.io/v1
kind: Certificate
metadata:
  name: public
spec:
  secretName: public-tls
  dnsNames: [${uniqueName("public")}.${env.dns.zone}]
  issuerRef: { name: acme }
`,
}

intents["hooked.yaml"] = `apiVersion: cert-manager.io/v1
kind: Certificate
metadata:
  name: hooked
spec:
  secretName: hooked-tls
  dnsNames: [${uniqueName("rbac")}.${env.webhookSolver.zone.replace(/\.$/, "")}]
  issuerRef: { name: hook }
`

const ready = (name: string) =>
  ResourceStore.use((store) => store.get(Certificates, { namespace, name })).pipe(
    Effect.map((c) => (c.status?.conditions?.some((x) => x.type === "Ready" && x.status === "True") ? c : undefined)),
  )

describe("certops under its own RBAC", () => {
  it.live("issues with exactly the deploy/ grants and is never denied", () =>
    Effect.gen(function* () {
      yield* Effect.promise(() => createNamespaceNamed(env, namespace))
      const dir = mkdtempSync(join(tmpdir(), "certops-rbac-"))
      const kubeconfig = serviceAccountKubeconfig(dir)
      const repository = uniqueName("rbac-intents")
      createBareRepository(env.git.root, repository, intents)
      writeFileSync(join(dir, "git-password"), env.git.password)
      const logPath = join(env.dir, `${namespace}-certops.log`)
      const log = openSync(logPath, "a")
      const child = spawn(
        process.execPath,
        [
          "bin/certops.js", "run",
          "--git-url", `${env.git.url}/${repository}.git`, "--git-username", env.git.username, "--git-password-file", join(dir, "git-password"),
          "--poll-interval", "2 seconds", "--default-namespace", namespace, "--namespace", namespace,
          "--store", "kubernetes", "--kubeconfig", kubeconfig, "--state-dir", dir,
          "--lease-namespace", "certops", "--lease-duration", "6 seconds", "--identity", `rbac-${namespace}`,
          "--http-port", "0", "--webhook-port", "0",
          "--http01-port", String(env.acme.httpPort), "--http01-self-check-port", String(env.acme.httpPort),
          "--self-check-nameservers", `${env.dns.host}:${env.dns.port}`, "--self-check-recursive-only", "true", "--self-check-interval", "1 second",
          "--http01-ingress-service", "certops-acme-http01:8089",
        ],
        { cwd: root, env: { PATH: process.env["PATH"], HOME: dir }, stdio: ["ignore", log, log] },
      )
      yield* Effect.addFinalizer(() => Effect.sync(() => child.kill("SIGTERM")))

      yield* eventually("the SelfSigned certificate", ready("local"), 60)
      yield* eventually("the ACME certificate, with its solver Ingress", ready("public"), 90)
      yield* eventually("the certificate through the webhook solver", ready("hooked"), 90)
      const lease = yield* ResourceStore.use((store) => store.get(Leases, { namespace: "certops", name: "certops-leader" }))
      assert.strictEqual(lease.spec?.holderIdentity, `rbac-${namespace}`)
      const output = readFileSync(logPath, "utf8")
      assert.notMatch(output, /forbidden|Forbidden|\b403\b/, `a request was denied; see ${logPath}`)
      // The solver Ingress was made and removed again.
      assert.match(admin("get", "events", "-n", namespace, "-o", "jsonpath={.items[*].reason}"), /DomainVerified/)
      assert.strictEqual(admin("get", "ingresses", "-n", namespace, "-o", "name").trim(), "")
    }).pipe(Effect.scoped, Effect.provide(kubernetesStoreLayer({ kubeconfigPath: env.kube.kubeconfig }))),
    180_000,
  )
})
