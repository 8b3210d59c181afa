// Checks on one intent's names, beyond what its schema says: object names the
// API server would refuse, and DNS names no CA would sign.
import { formatPath } from "../api/decode.ts"
import { type Manifest, rejectAt } from "./decode-document.ts"
import { dnsNameProblem, namespaceProblem, objectNameProblem } from "../rules/dns-names.ts"
import { keyOfResource } from "./identity.ts"
import type { Rejection } from "../rules/rejection.ts"
import { sanProblems } from "../rules/san-syntax.ts"

export const checkNames = ({ resource, document }: Manifest): ReadonlyArray<Rejection> => {
  const key = keyOfResource(resource)
  const reject = (rule: "invalid-name" | "invalid-dns-name" | "invalid-san", path: string, message: string) => rejectAt(document, key, rule, path, message)
  const rejections: Array<Rejection> = []

  const nameProblem = objectNameProblem(resource.metadata.name)
  if (nameProblem !== undefined) rejections.push(reject("invalid-name", "metadata.name", nameProblem))
  const namespace = resource.metadata.namespace
  const namespaceIssue = namespace === undefined ? undefined : namespaceProblem(namespace)
  if (namespaceIssue !== undefined) rejections.push(reject("invalid-name", "metadata.namespace", namespaceIssue))

  if (resource.kind === "Certificate") {
    const secretProblem = objectNameProblem(resource.spec.secretName)
    if (secretProblem !== undefined) rejections.push(reject("invalid-name", "spec.secretName", secretProblem))
    resource.spec.dnsNames?.forEach((name, index) => {
      const problem = dnsNameProblem(name)
      if (problem !== undefined) rejections.push(reject("invalid-dns-name", formatPath(["spec", "dnsNames", index]), `"${name}" ${problem}`))
    })
    for (const problem of sanProblems(resource.spec)) rejections.push(reject("invalid-san", formatPath(["spec", ...problem.path]), problem.message))
  }
  return rejections
}
