// deploy/admission on the real kube-apiserver with the real kubectl: for
// cert-manager's validation table (test/support/validation-cases.ts), the
// generated ValidatingAdmissionPolicies refuse each admission rule's bad case
// at `kubectl apply` with the rule's message, the CRDs refuse what their
// schema holds, and every good case is admitted, as `certops check` decides
// (test/unit/rules/validation-table.test.ts), with no webhook anywhere. The test binds the policies to its own objects only
// (an objectSelector), so the other tests sharing the apiserver are untouched.
import { execFileSync } from "node:child_process"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { parseAllDocuments, stringify } from "yaml"
import { describe, expect, it } from "vitest"
import { admissionRules } from "../../../src/rules/admission-rules.ts"
import { binaries } from "../../env/binaries.ts"
import { validationCases } from "../../support/validation-cases.ts"
import { testEnvironment, uniqueName } from "../../support/env.ts"
import { createNamespaceNamed } from "../../support/kube.ts"
import { until } from "../../support/poll.ts"

const env = testEnvironment()
const directory = join(import.meta.dirname, "../../../deploy/admission")
const run = uniqueName("admission")
const namespace = run
const label = { "certops.test/admission": run }

/** kubectl apply of YAML on stdin: the exit and what it said. */
const apply = (yaml: string): { readonly ok: boolean; readonly output: string } => {
  try {
    return { ok: true, output: execFileSync(binaries.kubectl, ["--kubeconfig", env.kube.kubeconfig, "apply", "-f", "-"], { input: yaml, encoding: "utf8", stdio: ["pipe", "pipe", "pipe"] }) }
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string }
    return { ok: false, output: `${failed.stdout ?? ""}${failed.stderr ?? ""}` }
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
      const [policy] = parseAllDocuments(readFileSync(join(directory, file), "utf8")).map((document) => document.toJSON() as Record<string, any>)
      expect(policy!["kind"]).toBe("ValidatingAdmissionPolicy")
      expect(apply(stringify(policy)).ok).toBe(true)
      const name = policy!["metadata"].name as string
      const binding = {
        apiVersion: "admissionregistration.k8s.io/v1",
        kind: "ValidatingAdmissionPolicyBinding",
        metadata: { name: `${name}-${run}` },
        spec: { policyName: name, validationActions: ["Deny"], matchResources: { objectSelector: { matchLabels: label } } },
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
})
