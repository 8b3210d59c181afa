// The rules on a Certificate or issuer that neither its schema nor CEL in the
// API server can hold: names, SAN syntax, the secretTemplate's label and
// annotation syntax, DNS-01 solver settings, a CA bundle's certificates.
// `certops check` and the apply step report them at the field's line; the
// reconcilers make an object created in the cluster Ready=False, reason
// InvalidSpec, with the same words. (What CEL can say is in
// admission-rules.ts; what a field may hold is in src/api.)
import type { Certificate } from "../api/certificate.ts"
import { formatPath } from "../api/decode.ts"
import type { ClusterIssuer, Issuer } from "../api/issuer.ts"
import { caBundleProblem } from "./ca-bundle.ts"
import { dnsNameProblem, namespaceProblem, objectNameProblem } from "./dns-names.ts"
import type { PathSegment } from "./field-path.ts"
import { annotationProblems, labelProblems } from "./metadata-syntax.ts"
import type { RejectionRule } from "./rejection.ts"
import { sanProblems } from "./san-syntax.ts"
import { solverConfigProblems } from "./solver-config.ts"

export interface SpecProblem {
  readonly rule: RejectionRule
  /** From the object's root: ["spec", "dnsNames", 1]. */
  readonly path: ReadonlyArray<PathSegment>
  readonly message: string
}

const nameProblems = (resource: Certificate | Issuer | ClusterIssuer): ReadonlyArray<SpecProblem> => {
  const problems: Array<SpecProblem> = []
  const nameProblem = objectNameProblem(resource.metadata.name)
  if (nameProblem !== undefined) problems.push({ rule: "invalid-name", path: ["metadata", "name"], message: nameProblem })
  const namespace = resource.metadata.namespace
  const namespaceIssue = namespace === undefined ? undefined : namespaceProblem(namespace)
  if (namespaceIssue !== undefined) problems.push({ rule: "invalid-name", path: ["metadata", "namespace"], message: namespaceIssue })
  return problems
}

const certificateProblems = (spec: Certificate["spec"]): ReadonlyArray<SpecProblem> => {
  const problems: Array<SpecProblem> = []
  const secretProblem = objectNameProblem(spec.secretName)
  if (secretProblem !== undefined) problems.push({ rule: "invalid-name", path: ["spec", "secretName"], message: secretProblem })
  spec.dnsNames?.forEach((name, index) => {
    const problem = dnsNameProblem(name)
    if (problem !== undefined) problems.push({ rule: "invalid-dns-name", path: ["spec", "dnsNames", index], message: `"${name}" ${problem}` })
  })
  for (const problem of sanProblems(spec)) problems.push({ rule: "invalid-san", path: ["spec", ...problem.path], message: problem.message })
  const template = spec.secretTemplate
  const templateProblems = [["labels", labelProblems(template?.labels ?? {})], ["annotations", annotationProblems(template?.annotations ?? {})]] as const
  for (const [field, found] of templateProblems) {
    for (const { key, message } of found) {
      problems.push({ rule: "invalid-secret-template", path: ["spec", "secretTemplate", field, ...(key === undefined ? [] : [key])], message })
    }
  }
  return problems
}

const issuerProblems = (spec: Issuer["spec"]): ReadonlyArray<SpecProblem> => {
  const problems: Array<SpecProblem> = solverConfigProblems(spec).map((problem) => ({ rule: "invalid-solver", path: ["spec", ...problem.path], message: problem.message }))
  const bundle = spec.acme?.caBundle
  const bundleProblem = bundle === undefined ? undefined : caBundleProblem(bundle)
  if (bundleProblem !== undefined) problems.push({ rule: "invalid-ca-bundle", path: ["spec", "acme", "caBundle"], message: bundleProblem })
  return problems
}

export const specProblems = (resource: Certificate | Issuer | ClusterIssuer): ReadonlyArray<SpecProblem> => [
  ...nameProblems(resource),
  ...(resource.kind === "Certificate" ? certificateProblems(resource.spec) : issuerProblems(resource.spec)),
]

/** `spec.dnsNames[1]: "…" has …; …`: the problems as one condition message. */
export const describeSpecProblems = (problems: ReadonlyArray<SpecProblem>): string =>
  problems.map((problem) => `${formatPath(problem.path)}: ${problem.message}`).join("; ")
