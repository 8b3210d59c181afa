// cert-manager's validation table (test/support/validation-cases.ts) through
// `certops check` and through the apply step: each bad case is refused at its
// field, with the admission rule's own message where it is one, and nothing
// of it reaches the store; each good case passes and is applied. Also: every
// admission rule compiles and has a case, and deploy/admission is what the
// generator writes.
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { stringify } from "yaml"
import { Effect, Layer, Option } from "effect"
import { describe, expect, it } from "vitest"
import { ClusterIssuers, Certificates, Issuers } from "../../../src/api/kinds.ts"
import { renderAdmissionFiles } from "../../../src/cli/admission.ts"
import { renderText } from "../../../src/cli/check.ts"
import { reconcileIntents } from "../../../src/gitops/reconcile-intents.ts"
import { buildIntentSet } from "../../../src/intents/intent-set.ts"
import type { RejectionReport } from "../../../src/report/reports.ts"
import { StatusReporter } from "../../../src/report/status-reporter.ts"
import { admissionRules } from "../../../src/rules/admission-rules.ts"
import { eventRecorderLayer } from "../../../src/store/event-recorder.ts"
import { memoryStoreLayer } from "../../../src/store/memory.ts"
import { ResourceStore } from "../../../src/store/resource-store.ts"
import { uncoveredAdmissionRules, validationCases, warningCases } from "../../support/validation-cases.ts"
import { knownIssuer } from "../intents/fixture-tree.ts"

const file = (path: string, object: Record<string, unknown>) => ({ path, bytes: new TextEncoder().encode(stringify(object)) })
const checked = (object: Record<string, unknown>) => buildIntentSet([file("case.yaml", object)], { knownIssuers: [knownIssuer] })
const check = (object: Record<string, unknown>) => checked(object).rejected

describe("cert-manager's validation through certops check", () => {
  it("covers every admission rule with a case", () => {
    expect(uncoveredAdmissionRules()).toEqual([])
  })

  it.each(validationCases)("$rule: the good case passes, the bad one is refused at its field", ({ good, bad, refused }) => {
    expect(check(good)).toEqual([])
    const rejections = check(bad)
    expect(rejections.map((rejection) => [rejection.rule, rejection.path])).toEqual([[refused.rule, refused.path]])
    expect(rejections[0]!.line, "a line to point at").toBeGreaterThan(0)
    if (refused.admissionRule !== undefined) expect(rejections[0]!.message).toBe(admissionRules.find((rule) => rule.name === refused.admissionRule)!.message)
  })
})

describe("cert-manager's webhook warnings through certops check", () => {
  it.each(warningCases)("$rule: the bad case is accepted with the rule's message as a warning at its field", ({ good, bad, admissionRule }) => {
    const rule = admissionRules.find((candidate) => candidate.name === admissionRule)!
    expect(checked(good).warnings).toEqual([])
    const set = checked(bad)
    expect(set.rejected).toEqual([])
    expect(set.accepted).toHaveLength(1)
    expect(set.warnings.map((warning) => [warning.path, warning.message])).toEqual([[rule.fieldPath, rule.message]])
    expect(renderText(set).split("\n")).toEqual([
      `case.yaml:${set.warnings[0]!.line}: warning: admission: ${rule.fieldPath}: ${rule.message}`,
      "1 intent accepted, no problems, 1 warning",
    ])
  })
})

describe("cert-manager's validation through the apply step", () => {
  it("applies every good case and nothing of a bad one, reporting each bad file", async () => {
    const reported: Array<ReadonlyArray<RejectionReport>> = []
    const reporter = Layer.succeed(StatusReporter, {
      report: () => Effect.void,
      remove: () => Effect.void,
      rejections: (rejections) => Effect.sync(() => void reported.push(rejections)),
      flush: Effect.succeed(Option.none()),
      pendingCount: Effect.succeed(0),
    })
    const files = validationCases.flatMap((entry, index) => [file(`good/${index}.yaml`, entry.good), file(`bad/${index}.yaml`, entry.bad)])
    const stored = await Effect.gen(function* () {
      const store = yield* ResourceStore
      yield* store.create(ClusterIssuers, { apiVersion: "cert-manager.io/v1", kind: "ClusterIssuer", metadata: { name: knownIssuer.name }, spec: { selfSigned: {} } })
      const { outcomes } = yield* reconcileIntents(files, { repository: "https://git.example/certs.git", directory: "" }, "c".repeat(40), {})
      const names = [...(yield* store.list(Certificates)), ...(yield* store.list(Issuers)), ...(yield* store.list(ClusterIssuers))].map((object) => `${object.kind}/${object.metadata.name}`)
      return { names, failed: outcomes.filter((outcome) => outcome.action === "failed") }
    }).pipe(Effect.provide(Layer.mergeAll(Layer.provideMerge(eventRecorderLayer, memoryStoreLayer), reporter)), Effect.runPromise)

    expect(stored.failed).toEqual([])
    const keyOf = (object: Record<string, unknown>) => `${object["kind"] as string}/${(object["metadata"] as { name: string }).name}`
    const goodNames = validationCases.map((entry) => keyOf(entry.good))
    const badNames = validationCases.map((entry) => keyOf(entry.bad))
    expect(stored.names.sort()).toEqual([`ClusterIssuer/${knownIssuer.name}`, ...goodNames].sort())
    expect(stored.names.filter((name) => badNames.includes(name) && !goodNames.includes(name))).toEqual([])
    const rejectedFiles = new Set(reported.at(-1)!.map((report) => report.file))
    expect([...rejectedFiles].sort()).toEqual(validationCases.map((_, index) => `bad/${index}.yaml`).sort())
  })
})

describe("deploy/admission", () => {
  const directory = join(import.meta.dirname, "../../../deploy/admission")
  it("is what `npm run generate:admission` writes now (run it after changing src/rules/admission-rules.ts)", () => {
    const expected = renderAdmissionFiles()
    const actual = new Map(readdirSync(directory).map((name) => [name, readFileSync(join(directory, name), "utf8")]))
    expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort())
    for (const [name, content] of expected) expect(actual.get(name), `deploy/admission/${name} is stale`).toBe(content)
  })
})
