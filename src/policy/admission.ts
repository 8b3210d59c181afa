// The admission rules (rules/admission-rules.ts) evaluated by certops' own CEL
// engine: the same expressions the API server runs from deploy/admission, for
// intents from Git (`certops check`, the apply step). Objects made in the
// cluster are the policies' business, as they are cert-manager's webhook's:
// the reconcilers do not refuse them (tests and labs issue 20 s certificates).
import { admissionRules, type AdmissionRule } from "../rules/admission-rules.ts"
import { compileExpression, type CompiledExpression } from "./cel.ts"

export interface AdmissionViolation {
  readonly rule: string
  readonly fieldPath: string
  readonly message: string
}

/** Compiled once; a rule that does not compile is a bug in certops, found by its unit test. */
const compiled: ReadonlyArray<{ readonly rule: AdmissionRule; readonly program: CompiledExpression }> = admissionRules.map((rule) => {
  const program = compileExpression(rule.expression)
  if (program._tag === "Failure") throw new Error(`admission rule ${rule.name} does not compile: ${program.failure}`)
  return { rule, program: program.success }
})

export const admissionViolations = (object: { readonly kind: string }): ReadonlyArray<AdmissionViolation> =>
  compiled
    .filter(({ rule }) => rule.kinds.some((kind) => kind === object.kind))
    .flatMap(({ rule, program }) => {
      const verdict = program.evaluate(object)
      if (verdict._tag === "Success" && verdict.success) return []
      // As the API server does (failurePolicy Fail): a rule that cannot be evaluated refuses.
      const message = verdict._tag === "Failure" ? `${rule.message} (${verdict.failure})` : rule.message
      return [{ rule: rule.name, fieldPath: rule.fieldPath, message }]
    })
