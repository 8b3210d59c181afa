// The admission rules as ValidatingAdmissionPolicies (admissionregistration.k8s.io/v1,
// GA in Kubernetes 1.30) with their bindings: the API server itself refuses
// a bad Certificate or issuer at `kubectl apply`, with the rule's message,
// and no webhook Deployment, serving certificate or CA bundle is needed.
// Only the main resources are matched: status writes go to the status
// subresource, which the policies leave alone.
import { admissionRules, type AdmittedKind } from "./admission-rules.ts"

const labels = { "app.kubernetes.io/name": "certops", "app.kubernetes.io/part-of": "certops" }

const policyGroups: ReadonlyArray<{ readonly name: string; readonly resources: ReadonlyArray<string>; readonly kinds: ReadonlyArray<AdmittedKind> }> = [
  { name: "certops-certificates", resources: ["certificates"], kinds: ["Certificate"] },
  { name: "certops-issuers", resources: ["issuers", "clusterissuers"], kinds: ["Issuer", "ClusterIssuer"] },
]

export interface AdmissionPolicyFile {
  readonly name: string
  /** A ValidatingAdmissionPolicy and its binding. */
  readonly documents: readonly [Record<string, unknown>, Record<string, unknown>]
}

export const admissionPolicies = (): ReadonlyArray<AdmissionPolicyFile> =>
  policyGroups.map((group) => ({
    name: group.name,
    documents: [
      {
        apiVersion: "admissionregistration.k8s.io/v1",
        kind: "ValidatingAdmissionPolicy",
        metadata: { name: group.name, labels },
        spec: {
          failurePolicy: "Fail",
          matchConstraints: {
            resourceRules: [{ apiGroups: ["cert-manager.io"], apiVersions: ["v1"], operations: ["CREATE", "UPDATE"], resources: [...group.resources] }],
          },
          validations: admissionRules
            .filter((rule) => rule.kinds.some((kind) => group.kinds.includes(kind)))
            .map((rule) => ({ expression: rule.expression, message: `${rule.message} [${rule.name}]`, reason: "Invalid" })),
        },
      },
      {
        apiVersion: "admissionregistration.k8s.io/v1",
        kind: "ValidatingAdmissionPolicyBinding",
        metadata: { name: group.name, labels },
        spec: { policyName: group.name, validationActions: ["Deny"] },
      },
    ],
  }))
