// `certops crds`: the CustomResourceDefinitions generated from src/api, as
// multi-document YAML on stdout, or with --output-dir as one file per CRD plus
// a kustomization.yaml (how deploy/crds is produced: `npm run generate:crds`).
import { Console, Option } from "effect"
import { Command, Flag } from "effect/cli"
import { customResourceDefinitions } from "../api/crd.ts"
import { renderGeneratedFiles, toYaml, writeGeneratedFiles } from "./generated-files.ts"

const generatedHeader = "# Generated from src/api by `npm run generate:crds`; do not edit.\n"

/** Every CRD as one multi-document YAML stream. */
export const renderCrdsYaml = (): string =>
  customResourceDefinitions().map((crd) => `---\n${toYaml(crd)}`).join("")

/** deploy/crds as it should be: file name → content, kustomization.yaml included. */
export const renderCrdFiles = (): ReadonlyMap<string, string> =>
  renderGeneratedFiles(generatedHeader, customResourceDefinitions().map((crd) => ({ name: `${crd.metadata.name}.yaml`, documents: [crd] })))

export const crds = Command.make(
  "crds",
  {
    outputDir: Flag.Directory("output-dir").pipe(
      Flag.withDescription("write one file per CRD and a kustomization.yaml here instead of printing"),
      Flag.optional,
    ),
  },
  ({ outputDir }) =>
    Option.match(outputDir, {
      onNone: () => Console.log(renderCrdsYaml().trimEnd()),
      onSome: (directory) => writeGeneratedFiles(directory, renderCrdFiles()),
    }),
).pipe(Command.withDescription("Print the CustomResourceDefinitions certops serves, as YAML"))
