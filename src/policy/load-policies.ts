// Policy files → policies ready to evaluate. Policy files are checked like
// intents (file:line for every problem, one bad document never hides the
// others), and a policy that cannot be loaded is not simply dropped: the
// namespaces it would have governed are held back until it is fixed, so a
// typo never loosens what a policy enforces.
import { Result } from "effect"
import { decodeWith, formatPath } from "../api/decode.ts"
import { compareRejections, type Rejection, type RejectionRule } from "../rules/rejection.ts"
import { admitFile, type SourceFile } from "../manifests/source-file.ts"
import { parseYamlFile, type YamlDocument } from "../manifests/yaml-documents.ts"
import { compileExpression, type CompiledExpression } from "./cel.ts"
import { CertificatePolicy, policyApiVersion, policyKind, type CertificatePolicySpec, type PolicyRule } from "./certificate-policy.ts"

export interface CompiledRule {
  readonly rule: PolicyRule
  readonly expression: CompiledExpression
}

export interface Policy {
  readonly name: string
  readonly file: string
  readonly line: number
  readonly spec: CertificatePolicySpec
  readonly rules: ReadonlyArray<CompiledRule>
}

/** A policy that failed to load, and what it would have governed: its namespace globs if readable, else everything. */
export interface BrokenPolicy {
  readonly file: string
  readonly line?: number
  readonly name?: string
  readonly namespaces?: ReadonlyArray<string>
}

export interface PolicySet {
  readonly policies: ReadonlyArray<Policy>
  readonly broken: ReadonlyArray<BrokenPolicy>
  readonly rejected: ReadonlyArray<Rejection>
}

export const emptyPolicySet: PolicySet = { policies: [], broken: [], rejected: [] }

export const mergePolicySets = (...sets: ReadonlyArray<PolicySet>): PolicySet => ({
  policies: sets.flatMap((set) => set.policies),
  broken: sets.flatMap((set) => set.broken),
  rejected: sets.flatMap((set) => set.rejected),
})

interface RawPolicy {
  readonly kind?: unknown
  readonly metadata?: { readonly name?: unknown }
  readonly spec?: { readonly namespaces?: unknown }
}

/** Best effort, from a document that failed to decode. */
const brokenPolicyOf = (document: YamlDocument): BrokenPolicy => {
  const raw = (typeof document.value === "object" && document.value !== null ? document.value : {}) as RawPolicy
  const name = raw.metadata?.name
  const namespaces = raw.spec?.namespaces
  return {
    file: document.file,
    line: document.line,
    ...(typeof name === "string" && name !== "" ? { name } : {}),
    ...(Array.isArray(namespaces) && namespaces.every((item) => typeof item === "string") ? { namespaces } : {}),
  }
}

const rejectAt = (document: YamlDocument, name: string | undefined, rule: RejectionRule, path: string, message: string): Rejection => ({
  file: document.file,
  documentIndex: document.index,
  line: path === "" ? document.line : document.lineOf(path),
  ...(path === "" ? {} : { path }),
  kind: policyKind,
  ...(name === undefined ? {} : { name }),
  rule,
  message,
})

const loadDocument = (document: YamlDocument): PolicySet => {
  const { kind } = (typeof document.value === "object" && document.value !== null ? document.value : {}) as RawPolicy
  // Anything else in a policy directory is misplaced, not a broken policy.
  if (typeof kind === "string" && kind !== policyKind) {
    return {
      ...emptyPolicySet,
      rejected: [rejectAt(document, undefined, "unknown-kind", "kind", `a policy directory holds ${policyApiVersion} ${policyKind} documents only, not ${kind}`)],
    }
  }
  const decoded = decodeWith(CertificatePolicy, document.value)
  if (Result.isFailure(decoded)) {
    const broken = brokenPolicyOf(document)
    return {
      ...emptyPolicySet,
      broken: [broken],
      rejected: decoded.failure.map((issue) => rejectAt(document, broken.name, "schema", issue.path, issue.message)),
    }
  }
  const policy = decoded.success
  const rules: Array<CompiledRule> = []
  const rejected: Array<Rejection> = []
  ;(policy.spec.rules ?? []).forEach((rule, index) => {
    Result.match(compileExpression(rule.expression), {
      onSuccess: (expression) => rules.push({ rule, expression }),
      onFailure: (message) =>
        rejected.push(rejectAt(document, policy.metadata.name, "cel-compile", formatPath(["spec", "rules", index, "expression"]),
          `rule ${rule.name} does not compile: ${message}`)),
    })
  })
  if (rejected.length > 0) {
    const namespaces = policy.spec.namespaces
    return {
      ...emptyPolicySet,
      broken: [{ file: document.file, line: document.line, name: policy.metadata.name, ...(namespaces === undefined ? {} : { namespaces }) }],
      rejected,
    }
  }
  return { ...emptyPolicySet, policies: [{ name: policy.metadata.name, file: document.file, line: document.line, spec: policy.spec, rules }] }
}

const loadFile = (file: SourceFile, maxFileBytes: number): PolicySet => {
  const refused = admitFile(file, maxFileBytes)
  if (refused !== undefined) return { ...emptyPolicySet, broken: [{ file: file.path }], rejected: [refused] }
  const parsed = parseYamlFile(file)
  // A document with a syntax error could have said anything, including "every namespace".
  const unreadable = parsed.rejected
    .filter((rejection, index, all) => all.findIndex((other) => other.documentIndex === rejection.documentIndex) === index)
    .map((rejection): BrokenPolicy => ({ file: file.path, ...(rejection.line === undefined ? {} : { line: rejection.line }) }))
  return mergePolicySets({ ...emptyPolicySet, broken: unreadable, rejected: parsed.rejected }, ...parsed.documents.map(loadDocument))
}

/** Every policy in `files`; files that cannot be read at all are broken policies governing every namespace. */
export const loadPolicies = (files: ReadonlyArray<SourceFile>, maxFileBytes: number): PolicySet => {
  const set = mergePolicySets(...files.map((file) => loadFile(file, maxFileBytes)))
  return { ...set, rejected: [...set.rejected].sort(compareRejections) }
}
