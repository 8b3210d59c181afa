// `certops admission-policies`: the admission rules as ValidatingAdmissionPolicies
// and bindings, on stdout or with --output-dir as deploy/admission is made
// (`npm run generate:admission`).
import { Console, Option } from "effect"
import { Command, Flag } from "effect/cli"
import { admissionPolicies } from "../rules/admission-policies.ts"
import { renderGeneratedFiles, writeGeneratedFiles } from "./generated-files.ts"

const generatedHeader = "# Generated from src/rules/admission-rules.ts by `npm run generate:admission`; do not edit.\n"

/** deploy/admission as it should be: file name → content, kustomization.yaml included. */
export const renderAdmissionFiles = (): ReadonlyMap<string, string> =>
  renderGeneratedFiles(generatedHeader, admissionPolicies().map((file) => ({ name: `${file.name}.yaml`, documents: file.documents })))

export const admission = Command.make(
  "admission-policies",
  {
    outputDir: Flag.Directory("output-dir").pipe(Flag.withDescription("write one file per policy and a kustomization.yaml here instead of printing"), Flag.optional),
  },
  ({ outputDir }) =>
    Option.match(outputDir, {
      onNone: () => Console.log([...renderAdmissionFiles()].filter(([name]) => name !== "kustomization.yaml").map(([, content]) => `---\n${content}`).join("").trimEnd()),
      onSome: (directory) => writeGeneratedFiles(directory, renderAdmissionFiles()),
    }),
).pipe(Command.withDescription("Print the ValidatingAdmissionPolicies that enforce certops' admission rules in a cluster"))
