// A read-only view of an embedded store's state directory, for
// `certops status` while the daemon may be running on it. The embedded
// backend's loader repairs as it loads (removes temp files, moves unreadable
// files aside, rewrites Secret files); done from a second process, that
// would race the daemon's own writes. This reader changes nothing, and reads
// no Secrets: status shows no key material, so it loads none.
import { readdir, readFile } from "node:fs/promises"
import { join } from "node:path"
import { Effect, Layer } from "effect"
import { CertificateRequests, Certificates, Challenges, ClusterIssuers, Events, Ingresses, Issuers, Orders } from "../../api/kinds.ts"
import type { KubeObject } from "../../api/meta.ts"
import { qualifiedPlural, type ResourceType } from "../../api/resource-type.ts"
import { tempPrefix } from "../../store/embedded/atomic-files.ts"
import { objectsDir } from "../../store/embedded/layout.ts"
import { StoreUnavailable } from "../../store/errors.ts"
import { ResourceStore } from "../../store/resource-store.ts"
import { makeTableStore } from "../../store/table-store.ts"

/** What `certops status` reads. */
export const statusKinds: ReadonlyArray<ResourceType<any>> = [Certificates, CertificateRequests, Issuers, ClusterIssuers, Orders, Challenges, Events, Ingresses]

const isMissing = (error: unknown) => (error as NodeJS.ErrnoException).code === "ENOENT"

/** Entries of a directory; none if it is gone (the daemon may have just removed it). */
const entries = async (dir: string): Promise<ReadonlyArray<string>> => {
  try {
    return await readdir(dir)
  } catch (error) {
    if (isMissing(error)) return []
    throw error
  }
}

/** One object file; undefined if deleted meanwhile or unreadable (the daemon repairs those on its next start). */
const readObject = async (path: string): Promise<KubeObject | undefined> => {
  try {
    return JSON.parse(await readFile(path, "utf8")) as KubeObject
  } catch (error) {
    if (isMissing(error) || error instanceof SyntaxError) return undefined
    throw error
  }
}

const loadKind = async (stateDir: string, resource: ResourceType<any>) => {
  const kindDir = join(objectsDir(stateDir), qualifiedPlural(resource))
  const objects: Array<{ resource: ResourceType<any>; object: KubeObject }> = []
  for (const scope of await entries(kindDir)) {
    for (const file of await entries(join(kindDir, scope))) {
      // A temp file is a write in flight; its object is whichever file it replaces.
      if (file.startsWith(tempPrefix) || !file.endsWith(".json")) continue
      const object = await readObject(join(kindDir, scope, file))
      if (object !== undefined) objects.push({ resource, object })
    }
  }
  return objects
}

/**
 * The state directory's objects of `kinds`, as a ResourceStore. Fails when
 * the directory does not exist: a mistyped --state-dir should say so, not
 * show an empty store.
 */
export const embeddedSnapshotLayer = (stateDir: string, kinds: ReadonlyArray<ResourceType<any>> = statusKinds): Layer.Layer<ResourceStore, StoreUnavailable> =>
  Layer.effect(
    ResourceStore,
    Effect.gen(function* () {
      const initial = yield* Effect.tryPromise({
        try: async () => {
          await readdir(stateDir)
          return (await Promise.all(kinds.map((kind) => loadKind(stateDir, kind)))).flat()
        },
        catch: (error) =>
          new StoreUnavailable({
            operation: "load",
            detail: isMissing(error) ? `there is no embedded store at ${stateDir}` : `cannot read ${stateDir}: ${String(error)}`,
            retryable: false,
          }),
      })
      // Writes would stay in this process' memory; status makes none.
      return yield* makeTableStore({ initial })
    }),
  )
