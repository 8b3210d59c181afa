// The admission rules (rules/admission-rules.ts) evaluated by certops' own CEL
// engine: the same expressions the API server runs from deploy/admission, for
// intents from Git (`certops check`, the apply step). Objects made in the
// cluster are the policies' business, as they are cert-manager's webhook's:
// the reconcilers do not refuse them (tests and labs issue 20 s certificates).
import { admissionRules, type AdmissionRule } from "../rules/admission-rules.ts"
import { compileExpression, type CompiledExpression } from "./cel.ts"

export interface AdmissionViolation {
  readonly rule: string
  /** "warn": the rule warns and refuses nothing (AdmissionRule.action). */
  readonly action: "deny" | "warn"
  readonly fieldPath: string
  readonly message: string
}

/** Compiled once; a rule that does not compile is a bug in certops, found by its unit test. */
// Rules the API server alone can judge (judgedBy) are not compiled here.
const compiled: ReadonlyArray<{ readonly rule: AdmissionRule; readonly program: CompiledExpression }> = admissionRules.filter((rule) => rule.judgedBy !== "api-server").map((rule) => {
  const program = compileExpression(rule.expression, { withOldObject: rule.judges === "changes" })
  if (program._tag === "Failure") throw new Error(`admission rule ${rule.name} does not compile: ${program.failure}`)
  return { rule, program: program.success }
})

/**
 * The rules an object breaks. With `oldObject`, a write that updates it
 * (the rules on changes too); without, one that creates it. Which
 * subresource a rule watches is the API server's concern: here every rule
 * for the kind applies.
 */
export const admissionViolations = (object: { readonly kind: string }, oldObject?: unknown): ReadonlyArray<AdmissionViolation> =>
  compiled
    .filter(({ rule }) => rule.kinds.some((kind) => kind === object.kind) && (rule.judges !== "changes" || oldObject !== undefined))
    .flatMap(({ rule, program }) => {
      const verdict = program.evaluate(object, oldObject)
      if (verdict._tag === "Success" && verdict.success) return []
      // As the API server does (failurePolicy Fail): a rule that cannot be evaluated refuses.
      const message = verdict._tag === "Failure" ? `${rule.message} (${verdict.failure})` : rule.message
      return [{ rule: rule.name, action: rule.action ?? "deny", fieldPath: rule.fieldPath, message }]
    })
