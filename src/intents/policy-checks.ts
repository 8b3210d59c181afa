// Policies applied to one Certificate: every violation becomes a `policy`
// rejection at the field at fault; a policy that failed to load holds back the
// Certificates it may govern (`policy-rejected`) instead of letting them pass.
import { describeViolation, evaluatePolicies, governs } from "../policy/evaluate.ts"
import type { BrokenPolicy, PolicySet } from "../policy/load-policies.ts"
import { type Manifest, rejectAt } from "./decode-document.ts"
import { keyOfResource } from "./identity.ts"
import type { Rejection } from "../rules/rejection.ts"

const describeBroken = (broken: BrokenPolicy) => {
  const where = broken.line === undefined ? broken.file : `${broken.file}:${broken.line}`
  return broken.name === undefined ? `a policy in ${where}` : `policy "${broken.name}" (${where})`
}

export const checkPolicies = ({ resource, document }: Manifest, policySet: PolicySet): ReadonlyArray<Rejection> => {
  if (resource.kind !== "Certificate") return []
  const key = keyOfResource(resource)
  const namespace = resource.metadata.namespace ?? ""
  const heldBack = policySet.broken
    .filter((broken) => governs(broken.namespaces, namespace))
    .map((broken) =>
      rejectAt(document, key, "policy-rejected", "",
        `held back: ${describeBroken(broken)} is rejected and ${broken.namespaces === undefined ? "may govern every namespace" : `governs namespace "${namespace}"`}; fix the policy first`),
    )
  const denied = evaluatePolicies(policySet.policies, resource).map((violation) =>
    rejectAt(document, key, "policy", violation.path, describeViolation(violation)),
  )
  return [...heldBack, ...denied]
}
