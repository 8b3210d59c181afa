// The policies certops ships in policies/ and applies to every repository.
// Only the directory's own files count: policies/examples/ documents what a
// repository can write and is not applied.
import { fileURLToPath } from "node:url"
import { Effect } from "effect"
import { readWorkingTree } from "../manifests/working-tree.ts"

export const defaultPoliciesDirectory = fileURLToPath(new URL("../../policies", import.meta.url))

/** The shipped policy files, named `policies/<file>` in messages. */
export const readDefaultPolicies = (directory: string = defaultPoliciesDirectory) =>
  readWorkingTree(directory, { recursive: false }).pipe(
    Effect.map((files) => files.map((file) => ({ ...file, path: `policies/${file.path}` }))),
  )
