// The admission rules as ValidatingAdmissionPolicies (admissionregistration.k8s.io/v1,
// GA in Kubernetes 1.30) with their bindings: the API server itself refuses
// a bad object at `kubectl apply`, or a forbidden change to one, with the
// rule's message, and no webhook Deployment, serving certificate or CA
// bundle is needed. One policy per resource and kind of write: the object
// as written (CREATE, UPDATE), its changes (UPDATE, with `oldObject`), and
// its status subresource (UPDATE), where conditions are written; and one
// whose binding only warns.
import { admissionRules, type AdmissionRule, type AdmittedKind } from "./admission-rules.ts"

const labels = { "app.kubernetes.io/name": "certops", "app.kubernetes.io/part-of": "certops" }

const resourceGroups: ReadonlyArray<{
  readonly name: string
  readonly apiGroup: string
  readonly resources: ReadonlyArray<string>
  readonly kinds: ReadonlyArray<AdmittedKind>
}> = [
  { name: "certificates", apiGroup: "cert-manager.io", resources: ["certificates"], kinds: ["Certificate"] },
  { name: "issuers", apiGroup: "cert-manager.io", resources: ["issuers", "clusterissuers"], kinds: ["Issuer", "ClusterIssuer"] },
  { name: "certificaterequests", apiGroup: "cert-manager.io", resources: ["certificaterequests"], kinds: ["CertificateRequest"] },
  { name: "orders", apiGroup: "acme.cert-manager.io", resources: ["orders"], kinds: ["Order"] },
  { name: "challenges", apiGroup: "acme.cert-manager.io", resources: ["challenges"], kinds: ["Challenge"] },
]

interface Write {
  readonly suffix: string
  readonly matches: (rule: AdmissionRule) => boolean
  readonly subresource?: "status"
  readonly operations: ReadonlyArray<string>
  readonly action: "Deny" | "Warn"
}

const refuses = (rule: AdmissionRule) => rule.action === undefined
const writes: ReadonlyArray<Write> = [
  { suffix: "", matches: (rule) => refuses(rule) && rule.subresource === undefined && rule.judges === undefined, operations: ["CREATE", "UPDATE"], action: "Deny" },
  { suffix: "-changes", matches: (rule) => refuses(rule) && rule.subresource === undefined && rule.judges === "changes", operations: ["UPDATE"], action: "Deny" },
  { suffix: "-status", matches: (rule) => refuses(rule) && rule.subresource === "status", subresource: "status", operations: ["UPDATE"], action: "Deny" },
  // A binding's action holds for all its policy's validations: warnings get a policy of their own.
  { suffix: "-warnings", matches: (rule) => rule.action === "warn", operations: ["CREATE", "UPDATE"], action: "Warn" },
]

export interface AdmissionPolicyFile {
  readonly name: string
  /** A ValidatingAdmissionPolicy and its binding. */
  readonly documents: readonly [Record<string, unknown>, Record<string, unknown>]
}

export const admissionPolicies = (): ReadonlyArray<AdmissionPolicyFile> =>
  resourceGroups.flatMap((group) =>
    writes.flatMap((write) => {
      const rules = admissionRules.filter((rule) => write.matches(rule) && rule.kinds.some((kind) => group.kinds.includes(kind)))
      if (rules.length === 0) return []
      const name = `certops-${group.name}${write.suffix}`
      const resources = group.resources.map((resource) => (write.subresource === undefined ? resource : `${resource}/${write.subresource}`))
      const file: AdmissionPolicyFile = {
        name,
        documents: [
          {
            apiVersion: "admissionregistration.k8s.io/v1",
            kind: "ValidatingAdmissionPolicy",
            metadata: { name, labels },
            spec: {
              failurePolicy: "Fail",
              matchConstraints: { resourceRules: [{ apiGroups: [group.apiGroup], apiVersions: ["v1"], operations: [...write.operations], resources }] },
              validations: rules.map((rule) => ({ expression: rule.expression, message: `${rule.message} [${rule.name}]`, reason: "Invalid" })),
            },
          },
          {
            apiVersion: "admissionregistration.k8s.io/v1",
            kind: "ValidatingAdmissionPolicyBinding",
            metadata: { name, labels },
            spec: { policyName: name, validationActions: [write.action] },
          },
        ],
      }
      return [file]
    }),
  )
