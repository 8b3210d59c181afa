// deploy/admission on the real kube-apiserver with the real kubectl: for
// cert-manager's validation table (test/support/validation-cases.ts), the
// generated ValidatingAdmissionPolicies refuse each admission rule's bad case
// at `kubectl apply` with the rule's message, the CRDs refuse what their
// schema holds, and every good case is admitted, as `certops check` decides
// (test/unit/rules/validation-table.test.ts), with no webhook anywhere. The test binds the policies to its own objects only
// (an objectSelector), so the other tests sharing the apiserver are untouched.
import { execFileSync, spawnSync } from "node:child_process"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { parseAllDocuments, stringify } from "yaml"
import { describe, expect, it } from "vitest"
import { admissionRules } from "../../../src/rules/admission-rules.ts"
import { binaries } from "../../env/binaries.ts"
import { changeCases, creationCases, signerCase, type Refusal, type Write } from "../../support/request-validation-cases.ts"
import { validationCases, warningCases } from "../../support/validation-cases.ts"
import { testEnvironment, uniqueName } from "../../support/env.ts"
import { createNamespaceNamed } from "../../support/kube.ts"
import { until } from "../../support/poll.ts"

const env = testEnvironment()
const directory = join(import.meta.dirname, "../../../deploy/admission")
const run = uniqueName("admission")
const namespace = run
const label = { "certops.test/admission": run }

/** kubectl with these arguments (and YAML on stdin): the exit and what it said. */
const kubectl = (args: ReadonlyArray<string>, input = "", as?: string): { readonly ok: boolean; readonly output: string } => {
  // stderr too when it succeeds: kubectl prints the API server's warnings there.
  const run = spawnSync(binaries.kubectl, ["--kubeconfig", env.kube.kubeconfig, ...(as === undefined ? [] : [`--as=${as}`]), ...args], { input, encoding: "utf8" })
  return { ok: run.status === 0, output: `${run.stdout ?? ""}${run.stderr ?? ""}${run.error === undefined ? "" : String(run.error)}` }
}
const apply = (yaml: string) => kubectl(["apply", "-f", "-"], yaml)

const resourceOf: Readonly<Record<string, string>> = {
  CertificateRequest: "certificaterequests.cert-manager.io",
  Order: "orders.acme.cert-manager.io",
  Challenge: "challenges.acme.cert-manager.io",
}

/** kubectl patch --type=merge of one of our objects, on the object or its status subresource. */
const patch = (object: Record<string, unknown>, suffix: string, write: Write, as?: string) =>
  kubectl(
    [
      "patch", resourceOf[object["kind"] as string]!, `${(object["metadata"] as { name: string }).name}-${suffix}`, "-n", namespace, "--type=merge",
      ...(write.subresource === undefined ? [] : [`--subresource=${write.subresource}`]), "-p", JSON.stringify(write.patch),
    ],
    "",
    as,
  )

const expectRefusal = (rule: string, outcome: { readonly ok: boolean; readonly output: string }, refused: Refusal) => {
  expect(outcome.ok, `${rule}, bad case was admitted`).toBe(false)
  if ("policy" in refused) {
    const definition = admissionRules.find((candidate) => candidate.name === refused.policy)!
    expect(outcome.output, rule).toContain(`${definition.message} [${definition.name}]`)
  } else if ("crd" in refused) {
    expect(outcome.output, rule).toContain(refused.crd.split(".").at(-1)!.replace(/\[\d+\]$/, ""))
  }
}

const ours = (object: Record<string, unknown>, suffix: string) => {
  const metadata = object["metadata"] as Record<string, unknown>
  return stringify({ ...object, metadata: { ...metadata, name: `${metadata["name"] as string}-${suffix}`, namespace, labels: label } })
}

describe("the generated ValidatingAdmissionPolicies", () => {
  it("refuse every rule's bad case at kubectl apply with its message, and admit its good case", async () => {
    await createNamespaceNamed(env, namespace)
    const files = readFileSync(join(directory, "kustomization.yaml"), "utf8").match(/- (\S+\.yaml)/g)!.map((line) => line.slice(2))
    for (const file of files) {
      const [policy, shipped] = parseAllDocuments(readFileSync(join(directory, file), "utf8")).map((document) => document.toJSON() as Record<string, any>)
      expect(policy!["kind"]).toBe("ValidatingAdmissionPolicy")
      // Server-side, with kubectl's own field manager, as deploy/ is applied: the manifests test's dry run of deploy/ shares the objects.
      const installed = kubectl(["apply", "--server-side", "--force-conflicts", "-f", "-"], stringify(policy))
      expect(installed.ok, installed.output).toBe(true)
      const name = policy!["metadata"].name as string
      const binding = {
        apiVersion: "admissionregistration.k8s.io/v1",
        kind: "ValidatingAdmissionPolicyBinding",
        metadata: { name: `${name}-${run}` },
        spec: { policyName: name, validationActions: shipped!["spec"].validationActions, matchResources: { objectSelector: { matchLabels: label } } },
      }
      const bound = apply(stringify(binding))
      expect(bound.ok, bound.output).toBe(true)
    }
    // Policies take effect a moment after they are created: wait for the first refusal.
    const first = validationCases.find((entry) => entry.refused.admissionRule === "duration-at-least-1h")
    let probes = 0
    const inForce = await until(
      "the policies to be in force",
      async () => {
        // A new object each time: an unchanged one would not be admitted again.
        const probe = apply(ours(first!.bad, `probe${probes++}`))
        return probe.ok ? undefined : probe.output
      },
      30_000,
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}; policy status: ${execFileSync(binaries.kubectl, ["--kubeconfig", env.kube.kubeconfig, "get", "validatingadmissionpolicies", "-o", "yaml"], { encoding: "utf8" })}`)
    })
    expect(inForce).toContain("[duration-at-least-1h]")

    for (const { rule, good, bad, refused, inCluster } of validationCases) {
      const admitted = apply(ours(good, "good"))
      expect(admitted.ok, `${rule}, good case: ${admitted.output}`).toBe(true)
      const outcome = apply(ours(bad, "bad"))
      if (inCluster === "reconciler" || inCluster === "git") {
        // Admitted: the reconcilers refuse it (test/integration/issuance/invalid-spec.test.ts), or only Git can say it.
        expect(outcome.ok, `${rule}, bad case: ${outcome.output}`).toBe(true)
        continue
      }
      expect(outcome.ok, `${rule}, bad case was admitted`).toBe(false)
      if (inCluster === "policy") {
        const definition = admissionRules.find((candidate) => candidate.name === refused.admissionRule)!
        expect(outcome.output).toContain(`${definition.message} [${definition.name}]`)
      } else {
        // The CRD names the field: its last segment, as kubectl prints it.
        expect(outcome.output, rule).toContain(refused.path.split(".").at(-1)!.replace(/\[\d+\]$/, ""))
      }
    }
  }, 90_000)

  it("warn at kubectl apply of what cert-manager's webhook warns about, and admit it", () => {
    for (const { rule, good, bad, admissionRule } of warningCases) {
      const definition = admissionRules.find((candidate) => candidate.name === admissionRule)!
      const admitted = apply(ours(good, "good"))
      expect(admitted.ok, `${rule}, good case: ${admitted.output}`).toBe(true)
      expect(admitted.output).not.toContain("Warning")
      const warned = apply(ours(bad, "bad"))
      expect(warned.ok, `${rule}, bad case: ${warned.output}`).toBe(true)
      const warning = warned.output.split("\n").find((line) => line.startsWith("Warning:"))
      expect(warning, warned.output).toContain(`${definition.message} [${definition.name}]`)
    }
  })

  // After the test above: the policies and their bindings are in force.
  it("refuse the CertificateRequests and changes to requests, Orders and Challenges that cert-manager's webhook refuses", () => {
    for (const { rule, good, bad, refused } of creationCases) {
      const admitted = apply(ours(good, "good"))
      expect(admitted.ok, `${rule}, good case: ${admitted.output}`).toBe(true)
      const outcome = apply(ours(bad, "bad"))
      if ("reconciler" in refused) {
        // Admitted: the reconciler fails it (test/integration/issuance/invalid-spec.test.ts).
        expect(outcome.ok, `${rule}, bad case: ${outcome.output}`).toBe(true)
        continue
      }
      expectRefusal(rule, outcome, refused)
    }
    for (const { rule, created, before, good, bad, refused } of changeCases) {
      for (const suffix of ["good", "bad"]) {
        const made = apply(ours(created, suffix))
        expect(made.ok, `${rule}, creating the ${suffix} object: ${made.output}`).toBe(true)
        for (const write of before) {
          const prepared = patch(created, suffix, write)
          expect(prepared.ok, `${rule}, before the ${suffix} write: ${prepared.output}`).toBe(true)
        }
      }
      const admitted = patch(created, "good", good)
      expect(admitted.ok, `${rule}, good write: ${admitted.output}`).toBe(true)
      expectRefusal(rule, patch(created, "bad", bad), refused)
    }
  }, 90_000)

  it("let only holders of 'approve' on the issuer's signer set Approved, as cert-manager's approval plugin does", async () => {
    const user = `approver-${run}`
    // May write request status, nothing more: the policy alone stands between it and approving.
    const grants = [
      { apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata: { name: user, namespace }, rules: [{ apiGroups: ["cert-manager.io"], resources: ["certificaterequests", "certificaterequests/status"], verbs: ["get", "patch"] }] },
      { apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding", metadata: { name: user, namespace }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: user }, subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: user }] },
    ]
    const granted = apply(grants.map((grant) => stringify(grant)).join("---\n"))
    expect(granted.ok, granted.output).toBe(true)
    expect(apply(ours(signerCase.created, "signer")).ok).toBe(true)
    const definition = admissionRules.find((candidate) => candidate.name === signerCase.rule)!
    const refused = patch(signerCase.created, "signer", signerCase.approve, user)
    expect(refused.ok, refused.output).toBe(false)
    expect(refused.output).toContain(`${definition.message} [${definition.name}]`)
    // A grant for another issuer's signer does not do.
    const signer = (name: string, resourceName: string) => [
      { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name, labels: label }, rules: [{ apiGroups: ["cert-manager.io"], resources: ["signers"], verbs: ["approve"], resourceNames: [resourceName] }] },
      { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRoleBinding", metadata: { name, labels: label }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name }, subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: user }] },
    ].map((grant) => stringify(grant)).join("---\n")
    expect(apply(signer(`${user}-other`, signerCase.signerFor("elsewhere"))).ok).toBe(true)
    expect(patch(signerCase.created, "signer", signerCase.approve, user).ok).toBe(false)
    expect(apply(signer(user, signerCase.signerFor(namespace))).ok).toBe(true)
    // RBAC takes effect through the authorizer's cache: a moment, not a fixed one.
    const admitted = await until("the signer grant to take effect", async () => {
      const outcome = patch(signerCase.created, "signer", signerCase.approve, user)
      return outcome.ok ? outcome : undefined
    }, 10_000)
    expect(admitted.ok).toBe(true)
    const approved = kubectl(["get", resourceOf["CertificateRequest"]!, "cr-signer-signer", "-n", namespace, "-o", "jsonpath={.status.conditions[?(@.type=='Approved')].status}"])
    expect(approved.output).toBe("True")
  }, 60_000)
})
