// `certops admission-policies`: the admission rules as ValidatingAdmissionPolicies
// and bindings, on stdout or with --output-dir as deploy/admission is made
// (`npm run generate:admission`).
import { Console, Effect, FileSystem, Option, Path } from "effect"
import { Command, Flag } from "effect/cli"
import { stringify } from "yaml"
import { admissionPolicies } from "../rules/admission-policies.ts"

const generatedHeader = "# Generated from src/rules/admission-rules.ts by `npm run generate:admission`; do not edit.\n"

const toYaml = (value: unknown) => stringify(value, { lineWidth: 0 })

/** deploy/admission as it should be: file name → content, kustomization.yaml included. */
export const renderAdmissionFiles = (): ReadonlyMap<string, string> => {
  const files = new Map(admissionPolicies().map((file) => [`${file.name}.yaml`, generatedHeader + file.documents.map(toYaml).join("---\n")]))
  const kustomization = { apiVersion: "kustomize.config.k8s.io/v1beta1", kind: "Kustomization", resources: [...files.keys()] }
  return new Map([...files, ["kustomization.yaml", generatedHeader + toYaml(kustomization)]])
}

const writeFiles = Effect.fn("writeAdmissionFiles")(function* (directory: string) {
  const fs = yield* FileSystem.FileSystem
  const path = yield* Path.Path
  yield* fs.makeDirectory(directory, { recursive: true })
  for (const [name, content] of renderAdmissionFiles()) {
    yield* fs.writeFileString(path.join(directory, name), content)
    yield* Console.log(`wrote ${path.join(directory, name)}`)
  }
})

export const admission = Command.make(
  "admission-policies",
  {
    outputDir: Flag.Directory("output-dir").pipe(Flag.withDescription("write one file per policy and a kustomization.yaml here instead of printing"), Flag.optional),
  },
  ({ outputDir }) =>
    Option.match(outputDir, {
      onNone: () => Console.log([...renderAdmissionFiles()].filter(([name]) => name !== "kustomization.yaml").map(([, content]) => `---\n${content}`).join("").trimEnd()),
      onSome: writeFiles,
    }),
).pipe(Command.withDescription("Print the ValidatingAdmissionPolicies that enforce certops' admission rules in a cluster"))
