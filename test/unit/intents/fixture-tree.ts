// The fixture trees under test/fixtures/intents, read the way `certops check`
// reads a working tree. The bad tree is copied to a temporary directory and
// completed with what should not be committed: a symlink, an oversized file
// and a file that is not UTF-8.
import { Buffer } from "node:buffer"
import { cpSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { NodeServices } from "@effect/platform-node"
import { Effect } from "effect"
import type { SourceFile } from "../../../src/manifests/source-file.ts"
import { readWorkingTree } from "../../../src/manifests/working-tree.ts"
import { readDefaultPolicies } from "../../../src/policy/default-policies.ts"

export const fixturesDirectory = join(import.meta.dirname, "../../fixtures/intents")
export const goodDirectory = join(fixturesDirectory, "good")

/** The issuer the bad fixtures' Certificates use, passed as one that exists in the cluster. */
export const knownIssuer = { kind: "ClusterIssuer", name: "known" } as const

export const makeBadTree = (): string => {
  const root = mkdtempSync(join(tmpdir(), "certops-bad-intents-"))
  cpSync(join(fixturesDirectory, "bad"), root, { recursive: true })
  symlinkSync("duplicate-a.yaml", join(root, "linked.yaml"))
  // 300 000 bytes, over the 256 KiB default: comments, so that only the size is wrong.
  writeFileSync(join(root, "oversized.yaml"), "# padding\n".repeat(30_000))
  writeFileSync(join(root, "not-utf8.yaml"), Buffer.concat([Buffer.from("kind: Certificate\nmetadata:\n  name: "), Buffer.from([0xff, 0xfe]), Buffer.from("\n")]))
  return root
}

const run = <A, E>(effect: Effect.Effect<A, E, any>): Promise<A> => Effect.runPromise(effect.pipe(Effect.provide(NodeServices.layer)) as Effect.Effect<A, E>)

export const readTree = (root: string): Promise<ReadonlyArray<SourceFile>> => run(readWorkingTree(root))

export const readShippedPolicies = (): Promise<ReadonlyArray<SourceFile>> => run(readDefaultPolicies())
