// An Issuer's or ClusterIssuer's solver configuration, checked by the one
// rule set (rules/solver-config.ts) and reported at the field's line.
import { formatPath } from "../api/decode.ts"
import { solverConfigProblems } from "../rules/solver-config.ts"
import type { Rejection } from "../rules/rejection.ts"
import { type Manifest, rejectAt } from "./decode-document.ts"
import { keyOfResource } from "./identity.ts"

export const checkSolvers = ({ resource, document }: Manifest): ReadonlyArray<Rejection> => {
  if (resource.kind !== "Issuer" && resource.kind !== "ClusterIssuer") return []
  const key = keyOfResource(resource)
  return solverConfigProblems(resource.spec).map((problem) => rejectAt(document, key, "invalid-solver", formatPath(["spec", ...problem.path]), problem.message))
}
