// `certops crds`: the CustomResourceDefinitions generated from src/api, as
// multi-document YAML on stdout, or with --output-dir as one file per CRD plus
// a kustomization.yaml (how deploy/crds is produced: `npm run generate:crds`).
import { Console, Effect, FileSystem, Option, Path } from "effect"
import { Command, Flag } from "effect/cli"
import { stringify } from "yaml"
import { customResourceDefinitions } from "../api/crd.ts"

const generatedHeader = "# Generated from src/api by `npm run generate:crds`; do not edit.\n"

// Fixed line width: folding long descriptions and JSONPaths would make the
// output depend on yaml's defaults and churn the generated files.
const toYaml = (value: unknown) => stringify(value, { lineWidth: 0 })

/** Every CRD as one multi-document YAML stream. */
export const renderCrdsYaml = (): string =>
  customResourceDefinitions().map((crd) => `---\n${toYaml(crd)}`).join("")

/** deploy/crds as it should be: file name → content, kustomization.yaml included. */
export const renderCrdFiles = (): ReadonlyMap<string, string> => {
  const files = new Map(customResourceDefinitions().map((crd) => [`${crd.metadata.name}.yaml`, generatedHeader + toYaml(crd)]))
  const kustomization = {
    apiVersion: "kustomize.config.k8s.io/v1beta1",
    kind: "Kustomization",
    resources: [...files.keys()],
  }
  return new Map([...files, ["kustomization.yaml", generatedHeader + toYaml(kustomization)]])
}

const writeFiles = Effect.fn("writeCrdFiles")(function* (directory: string) {
  const fs = yield* FileSystem.FileSystem
  const path = yield* Path.Path
  yield* fs.makeDirectory(directory, { recursive: true })
  for (const [name, content] of renderCrdFiles()) {
    yield* fs.writeFileString(path.join(directory, name), content)
    yield* Console.log(`wrote ${path.join(directory, name)}`)
  }
})

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
      onSome: writeFiles,
    }),
).pipe(Command.withDescription("Print the CustomResourceDefinitions certops serves, as YAML"))
