// The admission rules on intents from Git (policy/admission.ts): an object
// `certops check` passes is one `kubectl apply` admits, with the same message.
import { admissionViolations } from "../policy/admission.ts"
import type { Rejection } from "../rules/rejection.ts"
import { type Manifest, rejectAt } from "./decode-document.ts"
import { keyOfResource } from "./identity.ts"

const violationsOf = ({ resource, document }: Manifest, action: "deny" | "warn"): ReadonlyArray<Rejection> => {
  const key = keyOfResource(resource)
  return admissionViolations(resource)
    .filter((violation) => violation.action === action)
    .map((violation) => rejectAt(document, key, "admission", violation.fieldPath, violation.message))
}

export const checkAdmission = (manifest: Manifest): ReadonlyArray<Rejection> => violationsOf(manifest, "deny")

/** What the API server would admit with a warning: the intent is accepted, and the warning shown. */
export const admissionWarnings = (manifest: Manifest): ReadonlyArray<Rejection> => violationsOf(manifest, "warn")
