// One intent against the rules beyond its schema (rules/spec-problems.ts),
// each reported at its field's line. A ClusterIssuer that names a namespace
// is refused here: the namespace is dropped on decoding, as the API server
// would drop it, so the document itself is read.
import { formatPath } from "../api/decode.ts"
import type { Rejection } from "../rules/rejection.ts"
import { specProblems } from "../rules/spec-problems.ts"
import { type Manifest, rejectAt } from "./decode-document.ts"
import { keyOfResource } from "./identity.ts"

const declaredNamespace = (value: unknown): unknown => (value as { readonly metadata?: { readonly namespace?: unknown } } | undefined)?.metadata?.namespace

export const checkSpec = ({ resource, document }: Manifest): ReadonlyArray<Rejection> => {
  const key = keyOfResource(resource)
  const rejections = specProblems(resource).map((problem) => rejectAt(document, key, problem.rule, formatPath(problem.path), problem.message))
  const namespace = declaredNamespace(document.value)
  if (resource.kind === "ClusterIssuer" && typeof namespace === "string" && namespace !== "") {
    rejections.push(rejectAt(document, key, "cluster-scoped", "metadata.namespace", `a ClusterIssuer is cluster-scoped: remove metadata.namespace ("${namespace}")`))
  }
  return rejections
}
