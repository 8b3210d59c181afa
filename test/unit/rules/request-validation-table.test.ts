// cert-manager's validation of CertificateRequests, Orders and Challenges
// (test/support/request-validation-cases.ts) through certops' own CEL engine
// and the request rules: each policy case's bad write breaks exactly its
// rule and the good one none, judged against the object before the write as
// the API server judges it; each reconciler case's bad request is refused
// with its words and the good one passes. (The CRD cases are the API
// server's alone: test/integration/deploy/admission-policies.test.ts.)
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import type { CertificateRequestSpec } from "../../../src/api/certificate-request.ts"
import { admissionViolations } from "../../../src/policy/admission.ts"
import { requestProblems } from "../../../src/rules/request-problems.ts"
import { changeCases, creationCases, mergePatch, type ChangeCase } from "../../support/request-validation-cases.ts"

type Kinded = { readonly kind: string }
const violated = (object: unknown, oldObject?: unknown) => admissionViolations(object as Kinded, oldObject).map((violation) => violation.rule)
const problemsOf = (object: Record<string, unknown>) => Effect.runPromise(requestProblems(object["spec"] as CertificateRequestSpec))

const stateBefore = (entry: ChangeCase) => entry.before.reduce<unknown>((object, write) => mergePatch(object, write.patch), entry.created)

describe("cert-manager's CertificateRequest, Order and Challenge rules in certops", () => {
  it.each(creationCases.filter((entry) => "policy" in entry.refused))("$rule: created, the bad case breaks its policy", ({ good, bad, refused }) => {
    expect(violated(good)).toEqual([])
    expect(violated(bad)).toEqual(["policy" in refused ? refused.policy : ""])
  })

  it.each(creationCases.filter((entry) => "reconciler" in entry.refused))("$rule: the reconciler refuses the bad request", async ({ good, bad, refused }) => {
    expect(await problemsOf(good)).toEqual([])
    const problems = await problemsOf(bad)
    expect(problems.map((problem) => problem.path)).toEqual(["spec.request"])
    expect(problems[0]!.message).toContain("reconciler" in refused ? refused.reconciler : "")
  })

  it.each(changeCases.filter((entry) => "policy" in entry.refused))("$rule: the bad write breaks its policy, the good one none", (entry) => {
    const old = stateBefore(entry)
    expect(violated(old), "the state before the writes is itself admitted").toEqual([])
    expect(violated(mergePatch(old, entry.good.patch), old)).toEqual([])
    expect(violated(mergePatch(old, entry.bad.patch), old)).toEqual(["policy" in entry.refused ? entry.refused.policy : ""])
  })

  it("judges changes only when there is an object before the write", () => {
    const entry = changeCases.find((candidate) => "policy" in candidate.refused && candidate.refused.policy === "request-spec-unchanged")!
    expect(violated(mergePatch(entry.created, entry.bad.patch))).toEqual([])
  })
})
