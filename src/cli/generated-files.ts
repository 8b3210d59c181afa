// What the `--output-dir` of a generating command writes (deploy/crds,
// deploy/admission): each file under a do-not-edit header, and a
// kustomization.yaml listing them, so the drift tests can compare the
// directory with a fresh rendering.
import { Console, Effect, FileSystem, Path } from "effect"
import { stringify } from "yaml"

// Fixed line width: folding long descriptions, JSONPaths and CEL would make
// the output depend on yaml's defaults and churn the generated files.
export const toYaml = (value: unknown) => stringify(value, { lineWidth: 0 })

/** file name → content for each entry's documents, then kustomization.yaml. */
export const renderGeneratedFiles = (header: string, files: ReadonlyArray<{ readonly name: string; readonly documents: ReadonlyArray<unknown> }>): ReadonlyMap<string, string> => {
  const rendered = new Map(files.map((file) => [file.name, header + file.documents.map(toYaml).join("---\n")]))
  const kustomization = { apiVersion: "kustomize.config.k8s.io/v1beta1", kind: "Kustomization", resources: [...rendered.keys()] }
  return new Map([...rendered, ["kustomization.yaml", header + toYaml(kustomization)]])
}

export const writeGeneratedFiles = Effect.fn("writeGeneratedFiles")(function* (directory: string, files: ReadonlyMap<string, string>) {
  const fs = yield* FileSystem.FileSystem
  const path = yield* Path.Path
  yield* fs.makeDirectory(directory, { recursive: true })
  for (const [name, content] of files) {
    yield* fs.writeFileString(path.join(directory, name), content)
    yield* Console.log(`wrote ${path.join(directory, name)}`)
  }
})
