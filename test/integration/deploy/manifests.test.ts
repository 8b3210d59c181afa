// deploy/ against a real kube-apiserver with RBAC on: every object passes the
// server's validation (a server-side dry run of the whole kustomization), and
// the ServiceAccount's grants, exercised with a real token, are exactly what
// certops needs: each verb it uses is allowed, everything else is denied.
import { execFile, execFileSync, spawnSync } from "node:child_process"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { promisify } from "node:util"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { binaries } from "../../env/binaries.ts"
import { testEnvironment, uniqueName } from "../../support/env.ts"
import { createNamespaceNamed } from "../../support/kube.ts"

const root = join(import.meta.dirname, "../../..")
const deployDir = join(root, "deploy")
const rbacFiles = ["namespace.yaml", "serviceaccount.yaml", "clusterrole.yaml", "clusterrolebinding.yaml", "role.yaml", "rolebinding.yaml"]

const run = promisify(execFile)

/** Runs kubectl as the test's admin; stdout and stderr both come back, for warnings. */
const kubectlAdmin = (kubeconfig: string, args: ReadonlyArray<string>): { readonly stdout: string; readonly stderr: string } => {
  const result = spawnSync(binaries.kubectl, ["--kubeconfig", kubeconfig, ...args], { encoding: "utf8" })
  if (result.status !== 0) throw new Error(`kubectl ${args.join(" ")} exited ${result.status}: ${result.stderr}`)
  return { stdout: result.stdout, stderr: result.stderr }
}

/** Warnings the API server or kubectl printed, one per line. */
const warnings = (stderr: string): ReadonlyArray<string> => stderr.split("\n").filter((line) => line.startsWith("Warning:"))

interface Access {
  readonly verb: string
  /** As kubectl names it: `plural.group`, or the plural alone for the core group. */
  readonly resource: string
  readonly subresource?: string
  /** Undefined: cluster-scoped (namespaces, clusterissuers). */
  readonly namespace?: string
}

const describeAccess = ({ verb, resource, subresource, namespace }: Access) =>
  `${verb} ${resource}${subresource === undefined ? "" : `/${subresource}`}${namespace === undefined ? "" : ` in ${namespace}`}`

const expand = (verbs: ReadonlyArray<string>, resources: ReadonlyArray<string>, rest: Omit<Access, "verb" | "resource"> = {}): ReadonlyArray<Access> =>
  resources.flatMap((resource) => verbs.map((verb) => ({ verb, resource, ...rest })))

const all = ["get", "list", "watch", "create", "update", "patch", "delete"]

/** What certops does, as listed in clusterrole.yaml and role.yaml: each must be allowed. */
const needed = (appNamespace: string): ReadonlyArray<Access> => [
  ...expand(all, ["certificates.cert-manager.io", "issuers.cert-manager.io"], { namespace: appNamespace }),
  ...expand(all, ["clusterissuers.cert-manager.io"]),
  ...expand(["get", "list", "watch", "create", "delete"], ["certificaterequests.cert-manager.io", "orders.acme.cert-manager.io", "challenges.acme.cert-manager.io"], { namespace: appNamespace }),
  ...expand(["update", "patch"], ["certificates.cert-manager.io", "certificaterequests.cert-manager.io", "issuers.cert-manager.io", "orders.acme.cert-manager.io", "challenges.acme.cert-manager.io"], { subresource: "status", namespace: appNamespace }),
  ...expand(["update", "patch"], ["clusterissuers.cert-manager.io"], { subresource: "status" }),
  ...expand(["update"], ["certificates.cert-manager.io", "certificaterequests.cert-manager.io", "orders.acme.cert-manager.io", "challenges.acme.cert-manager.io"], { subresource: "finalizers", namespace: appNamespace }),
  // Cluster-wide, in any namespace: checked in an application namespace and across all of them.
  ...expand(all, ["secrets"], { namespace: appNamespace }),
  ...expand(["list", "watch"], ["secrets"]),
  ...expand(["create", "patch"], ["events"], { namespace: appNamespace }),
  ...expand(["get", "list", "watch", "create", "patch", "delete"], ["ingresses.networking.k8s.io"], { namespace: appNamespace }),
  ...expand(["get", "list", "watch"], ["gateways.gateway.networking.k8s.io"], { namespace: appNamespace }),
  ...expand(["get", "create", "delete"], ["httproutes.gateway.networking.k8s.io"], { namespace: appNamespace }),
  { verb: "get", resource: "namespaces" },
  ...expand(["get", "create", "update"], ["leases.coordination.k8s.io"], { namespace: "certops" }),
]

/** A sample of what certops never does: each must be denied. */
const refused = (appNamespace: string): ReadonlyArray<Access> => [
  { verb: "delete", resource: "namespaces" },
  { verb: "list", resource: "namespaces" },
  { verb: "create", resource: "namespaces" },
  { verb: "get", resource: "configmaps", namespace: appNamespace },
  { verb: "get", resource: "configmaps", namespace: "certops" },
  { verb: "create", resource: "pods", namespace: appNamespace },
  { verb: "create", resource: "pods", subresource: "exec", namespace: "certops" },
  { verb: "update", resource: "deployments.apps", namespace: "certops" },
  { verb: "create", resource: "serviceaccounts", subresource: "token", namespace: "certops" },
  { verb: "patch", resource: "nodes" },
  { verb: "bind", resource: "clusterroles.rbac.authorization.k8s.io" },
  { verb: "escalate", resource: "clusterroles.rbac.authorization.k8s.io" },
  { verb: "create", resource: "clusterrolebindings.rbac.authorization.k8s.io" },
  { verb: "impersonate", resource: "users" },
  { verb: "deletecollection", resource: "secrets", namespace: appNamespace },
  // Orders and Challenges are immutable once made, CertificateRequests too (but for status).
  { verb: "update", resource: "orders.acme.cert-manager.io", namespace: appNamespace },
  { verb: "patch", resource: "challenges.acme.cert-manager.io", namespace: appNamespace },
  { verb: "update", resource: "certificaterequests.cert-manager.io", namespace: appNamespace },
  // Ingresses are patched (a challenge path in, then out), never replaced whole.
  { verb: "update", resource: "ingresses.networking.k8s.io", namespace: appNamespace },
  { verb: "delete", resource: "events", namespace: appNamespace },
  // Leader election is confined to certops' own namespace.
  { verb: "get", resource: "leases.coordination.k8s.io", namespace: appNamespace },
  { verb: "create", resource: "leases.coordination.k8s.io", namespace: "kube-system" },
  { verb: "delete", resource: "leases.coordination.k8s.io", namespace: "certops" },
  { verb: "update", resource: "customresourcedefinitions.apiextensions.k8s.io" },
]

interface ResourceRule {
  readonly verbs: ReadonlyArray<string>
  readonly apiGroups?: ReadonlyArray<string>
  readonly resources?: ReadonlyArray<string>
  readonly resourceNames?: ReadonlyArray<string>
}

/** Groups every authenticated user has rules in (asking about oneself); not certops' grants. */
const selfReviewGroups = new Set(["authorization.k8s.io", "authentication.k8s.io"])

/** `verb group/resource` for every combination a rule grants. */
const flatten = (rules: ReadonlyArray<ResourceRule>): ReadonlyArray<string> =>
  rules
    .flatMap((rule) =>
      (rule.apiGroups ?? []).flatMap((group) =>
        (rule.resources ?? []).flatMap((resource) => rule.verbs.map((verb) => `${verb} ${group === "" ? "core" : group}/${resource}`)),
      ),
    )
    .filter((entry) => !selfReviewGroups.has(entry.split(" ")[1]!.split("/")[0]!))

const grants = (groupResources: Readonly<Record<string, ReadonlyArray<string>>>): ReadonlyArray<string> =>
  Object.entries(groupResources).flatMap(([groupResource, verbs]) => verbs.map((verb) => `${verb} ${groupResource}`))

/** The ClusterRole, flattened: everything certops may do in any namespace. */
const clusterWide = grants({
  "cert-manager.io/certificates": all,
  "cert-manager.io/issuers": all,
  "cert-manager.io/clusterissuers": all,
  "cert-manager.io/certificaterequests": ["get", "list", "watch", "create", "delete"],
  "acme.cert-manager.io/orders": ["get", "list", "watch", "create", "delete"],
  "acme.cert-manager.io/challenges": ["get", "list", "watch", "create", "delete"],
  "cert-manager.io/certificates/status": ["update", "patch"],
  "cert-manager.io/certificaterequests/status": ["update", "patch"],
  "cert-manager.io/issuers/status": ["update", "patch"],
  "cert-manager.io/clusterissuers/status": ["update", "patch"],
  "acme.cert-manager.io/orders/status": ["update", "patch"],
  "acme.cert-manager.io/challenges/status": ["update", "patch"],
  // For the signers of cert-manager's issuers only (resourceNames).
  "cert-manager.io/signers": ["approve"],
  "cert-manager.io/certificates/finalizers": ["update"],
  "cert-manager.io/certificaterequests/finalizers": ["update"],
  "acme.cert-manager.io/orders/finalizers": ["update"],
  "acme.cert-manager.io/challenges/finalizers": ["update"],
  "core/secrets": all,
  "core/events": ["create", "patch"],
  "networking.k8s.io/ingresses": ["get", "list", "watch", "create", "patch", "delete"],
  "gateway.networking.k8s.io/gateways": ["get", "list", "watch"],
  "gateway.networking.k8s.io/httproutes": ["get", "create", "delete"],
  "core/namespaces": ["get"],
})

const leaderElection = grants({ "coordination.k8s.io/leases": ["get", "create", "update"] })

describe("deploy/ on a real apiserver", () => {
  const env = testEnvironment()
  const appNamespace = uniqueName("certops-app")
  let tokenKubeconfig = ""

  /** `kubectl auth can-i` as certops' ServiceAccount: true for "yes". */
  const canI = async (access: Access): Promise<boolean> => {
    const args = ["--kubeconfig", tokenKubeconfig, "auth", "can-i", access.verb, access.resource, "--quiet"]
    if (access.subresource !== undefined) args.push(`--subresource=${access.subresource}`)
    if (access.namespace !== undefined) args.push("--namespace", access.namespace)
    else args.push("--all-namespaces")
    return run(binaries.kubectl, args).then(
      () => true,
      (error: { code?: number; stderr?: string }) => {
        // can-i exits 1 for "no"; anything else is kubectl failing to ask.
        if (error.code === 1 && (error.stderr ?? "").trim() === "") return false
        throw new Error(`kubectl ${args.slice(2).join(" ")}: ${error.stderr ?? String(error)}`)
      },
    )
  }

  /** The rules the server says certops has in `namespace` (a SelfSubjectRulesReview with its token). */
  const rulesIn = (namespace: string): ReadonlyArray<string> => {
    const review = { apiVersion: "authorization.k8s.io/v1", kind: "SelfSubjectRulesReview", spec: { namespace } }
    const answer = JSON.parse(
      // --validate=false: client-side validation would look up CRDs, which certops may not list.
      execFileSync(binaries.kubectl, ["--kubeconfig", tokenKubeconfig, "create", "--validate=false", "-f", "-", "-o", "json"], {
        input: JSON.stringify(review),
        encoding: "utf8",
      }),
    ) as { status: { resourceRules: ReadonlyArray<ResourceRule>; incomplete: boolean } }
    expect(answer.status.incomplete).toBe(false)
    return [...new Set(flatten(answer.status.resourceRules))].sort()
  }

  beforeAll(async () => {
    // Created for real: the RBAC objects are what the token is checked against.
    // The namespace is left behind afterwards (this apiserver has no namespace
    // controller to finish deleting it); the cluster-wide grants are removed.
    // Server-side, as the test environment applies the CRDs: one field manager for everything.
    kubectlAdmin(env.kube.kubeconfig, ["apply", "--server-side", ...rbacFiles.flatMap((file) => ["-f", join(deployDir, file)])])
    await createNamespaceNamed(env, appNamespace)
    const token = kubectlAdmin(env.kube.kubeconfig, ["create", "token", "certops", "--namespace", "certops", "--duration", "1h"]).stdout.trim()
    const dir = mkdtempSync(join(tmpdir(), "certops-rbac-"))
    writeFileSync(join(dir, "ca.crt"), env.kube.caPem)
    tokenKubeconfig = join(dir, "kubeconfig")
    writeFileSync(
      tokenKubeconfig,
      [
        "apiVersion: v1",
        "kind: Config",
        "clusters:",
        "- name: test",
        "  cluster:",
        `    server: ${env.kube.server}`,
        `    certificate-authority: ${join(dir, "ca.crt")}`,
        "users:",
        "- name: certops",
        "  user:",
        `    token: ${token}`,
        "contexts:",
        "- name: certops",
        "  context: { cluster: test, user: certops }",
        "current-context: certops",
        "",
      ].join("\n"),
      { mode: 0o600 },
    )
  })

  afterAll(() => {
    kubectlAdmin(env.kube.kubeconfig, ["delete", "--ignore-not-found", "clusterrolebinding/certops", "clusterrole/certops"])
  })

  it("passes the server's validation as a whole: kubectl apply --dry-run=server -k deploy/", () => {
    const { stdout, stderr } = kubectlAdmin(env.kube.kubeconfig, ["apply", "--dry-run=server", "-k", deployDir])
    for (const object of [
      "customresourcedefinition.apiextensions.k8s.io/certificates.cert-manager.io",
      "customresourcedefinition.apiextensions.k8s.io/challenges.acme.cert-manager.io",
      "namespace/certops",
      "serviceaccount/certops",
      "clusterrole.rbac.authorization.k8s.io/certops",
      "clusterrolebinding.rbac.authorization.k8s.io/certops",
      "role.rbac.authorization.k8s.io/certops-leader-election",
      "rolebinding.rbac.authorization.k8s.io/certops-leader-election",
      "deployment.apps/certops",
      "service/certops",
      "service/certops-acme-http01",
      "poddisruptionbudget.policy/certops",
    ]) {
      expect(stdout).toMatch(new RegExp(`^${object.replaceAll(".", "\\.")} .*\\(server dry run\\)$`, "m"))
    }
    // Objects created server-side lack the client-side annotation, which
    // kubectl says it adds; any other warning (a deprecated field, an
    // unknown one) is a finding.
    expect(warnings(stderr).filter((line) => !line.includes("last-applied-configuration"))).toEqual([])
  })

  it("passes with server-side apply too, without a warning", () => {
    const { stdout, stderr } = kubectlAdmin(env.kube.kubeconfig, ["apply", "--server-side", "--dry-run=server", "-k", deployDir])
    expect(stdout).toMatch(/^deployment\.apps\/certops serverside-applied \(server dry run\)$/m)
    expect(warnings(stderr)).toEqual([])
  })

  it("keeps the example overlay (examples/deploy) valid", () => {
    const { stdout, stderr } = kubectlAdmin(env.kube.kubeconfig, ["apply", "--server-side", "--dry-run=server", "-k", join(root, "examples/deploy")])
    expect(stdout).toMatch(/^deployment\.apps\/certops serverside-applied \(server dry run\)$/m)
    expect(warnings(stderr)).toEqual([])
  })

  it("lets the ServiceAccount's token do everything certops does", async () => {
    const answers = await Promise.all(needed(appNamespace).map(async (access) => [describeAccess(access), await canI(access)] as const))
    expect(answers.filter(([, allowed]) => !allowed).map(([what]) => what)).toEqual([])
  })

  it("denies the ServiceAccount's token what certops never does", async () => {
    const answers = await Promise.all(refused(appNamespace).map(async (access) => [describeAccess(access), await canI(access)] as const))
    expect(answers.filter(([, allowed]) => allowed).map(([what]) => what)).toEqual([])
  })

  it("grants nothing beyond that: the server's own list of rules, per namespace", () => {
    expect(rulesIn(appNamespace)).toEqual([...clusterWide].sort())
    expect(rulesIn("certops")).toEqual([...clusterWide, ...leaderElection].sort())
  })
})
