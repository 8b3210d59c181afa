// From the intent reader's rejections (one per problem) to the reporter's
// (one per file). Typed structurally, so this module does not depend on the
// intent reader, only on the shape of what it returns.
import type { RejectionProblem, RejectionReport } from "./reports.ts"

export interface RejectionLike {
  readonly file: string
  readonly line?: number
  /** The field at fault, e.g. `spec.dnsNames[1]`. */
  readonly path?: string
  readonly kind?: string
  readonly namespace?: string
  readonly name?: string
  readonly rule: string
  readonly message: string
}

const resourceOf = (rejection: RejectionLike) =>
  rejection.kind === undefined || rejection.name === undefined
    ? undefined
    : `${rejection.kind} ${rejection.namespace === undefined ? "" : `${rejection.namespace}/`}${rejection.name}`

const problemOf = (rejection: RejectionLike): RejectionProblem => {
  const resource = resourceOf(rejection)
  return {
    rule: rejection.rule,
    message: rejection.path === undefined || rejection.path === "" ? rejection.message : `${rejection.path}: ${rejection.message}`,
    ...(rejection.line === undefined ? {} : { line: rejection.line }),
    ...(resource === undefined ? {} : { resource }),
  }
}

/** One report per file, its problems in the order given, all answering `intentCommit`. */
export const rejectionReports = (rejections: ReadonlyArray<RejectionLike>, intentCommit: string): ReadonlyArray<RejectionReport> => {
  const byFile = new Map<string, Array<RejectionProblem>>()
  for (const rejection of rejections) {
    const problems = byFile.get(rejection.file) ?? []
    byFile.set(rejection.file, [...problems, problemOf(rejection)])
  }
  return [...byFile].map(([file, [first, ...rest]]) => ({ file, intentCommit, problems: [first!, ...rest] }))
}
