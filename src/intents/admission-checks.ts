// The admission rules (rules/admission-rules.ts) on intents from Git: the
// same CEL the API server runs from deploy/admission, evaluated by certops'
// own CEL engine, so an object `certops check` passes is one `kubectl apply`
// admits, with the same message.
import { compileExpression, type CompiledExpression } from "../policy/cel.ts"
import { admissionRules, type AdmissionRule } from "../rules/admission-rules.ts"
import type { Rejection } from "../rules/rejection.ts"
import { type Manifest, rejectAt } from "./decode-document.ts"
import { keyOfResource } from "./identity.ts"

/** Compiled once; a rule that does not compile is a bug in certops, found by its unit test. */
const compiled: ReadonlyArray<{ readonly rule: AdmissionRule; readonly program: CompiledExpression }> = admissionRules.map((rule) => {
  const program = compileExpression(rule.expression)
  if (program._tag === "Failure") throw new Error(`admission rule ${rule.name} does not compile: ${program.failure}`)
  return { rule, program: program.success }
})

export const checkAdmission = ({ resource, document }: Manifest): ReadonlyArray<Rejection> => {
  const key = keyOfResource(resource)
  return compiled
    .filter(({ rule }) => (rule.kinds as ReadonlyArray<string>).includes(resource.kind))
    .flatMap(({ rule, program }) => {
      const verdict = program.evaluate(resource)
      if (verdict._tag === "Success" && verdict.success) return []
      // As the API server does (failurePolicy Fail): a rule that cannot be evaluated refuses.
      const message = verdict._tag === "Failure" ? `${rule.message} (${verdict.failure})` : rule.message
      return [rejectAt(document, key, "admission", rule.fieldPath, message)]
    })
}
