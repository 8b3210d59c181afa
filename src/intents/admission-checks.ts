// The admission rules on intents from Git (policy/admission.ts): an object
// `certops check` passes is one `kubectl apply` admits, with the same message.
import { admissionViolations } from "../policy/admission.ts"
import type { Rejection } from "../rules/rejection.ts"
import { type Manifest, rejectAt } from "./decode-document.ts"
import { keyOfResource } from "./identity.ts"

export const checkAdmission = ({ resource, document }: Manifest): ReadonlyArray<Rejection> => {
  const key = keyOfResource(resource)
  return admissionViolations(resource).map((violation) => rejectAt(document, key, "admission", violation.fieldPath, violation.message))
}
