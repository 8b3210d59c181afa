// The embedded backend: the default when no cluster is configured. Every
// object is a JSON file under the state directory, written crash-safe before
// the change becomes visible; a Secret's data is also written out as files
// (tls.crt, tls.key, ca.crt) for programs on the same host.
import { readdir, readFile, rename, rm } from "node:fs/promises"
import { join } from "node:path"
import { Effect, Layer } from "effect"
import { allKinds } from "../../api/kinds.ts"
import type { KubeObject } from "../../api/meta.ts"
import { qualifiedPlural, type ResourceType } from "../../api/resource-type.ts"
import { StoreUnavailable } from "../errors.ts"
import { ResourceStore } from "../resource-store.ts"
import { makeTableStore, type Change } from "../table-store.ts"
import { removeFileDurably, removeTreeDurably, tempPrefix, writeFileAtomic } from "./atomic-files.ts"
import { isFileSafeKey, objectPath, objectsDir, secretDir, versionPath } from "./layout.ts"

type SecretLike = KubeObject & { readonly data?: { readonly [key: string]: string } }

const kindsByDirectory = new Map<string, ResourceType<any>>(allKinds.map((kind) => [qualifiedPlural(kind), kind]))

const listDir = async (dir: string): Promise<ReadonlyArray<string>> => {
  try {
    return await readdir(dir)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return []
    throw error
  }
}

export interface LoadedState {
  readonly objects: ReadonlyArray<{ readonly resource: ResourceType<any>; readonly object: KubeObject }>
  readonly version: number
  /** Files that did not parse, moved aside as `<name>.corrupt`. */
  readonly quarantined: ReadonlyArray<string>
}

/** Reads every object back; removes temp files a crash left behind. */
export const loadState = async (stateDir: string): Promise<LoadedState> => {
  const objects: Array<{ resource: ResourceType<any>; object: KubeObject }> = []
  const quarantined: Array<string> = []
  let version = 0
  for (const kindDir of await listDir(objectsDir(stateDir))) {
    const resource = kindsByDirectory.get(kindDir)
    if (resource === undefined) continue
    for (const scope of await listDir(join(objectsDir(stateDir), kindDir))) {
      const dir = join(objectsDir(stateDir), kindDir, scope)
      for (const file of await listDir(dir)) {
        const path = join(dir, file)
        if (file.startsWith(tempPrefix)) {
          await rm(path, { force: true })
          continue
        }
        if (!file.endsWith(".json")) continue
        try {
          const object = JSON.parse(await readFile(path, "utf8")) as KubeObject
          objects.push({ resource, object })
          version = Math.max(version, Number(object.metadata.resourceVersion ?? 0))
        } catch {
          await rename(path, `${path}.corrupt`)
          quarantined.push(path)
        }
      }
    }
  }
  try {
    version = Math.max(version, Number((await readFile(versionPath(stateDir), "utf8")).trim()) || 0)
  } catch {
    // no deletions yet
  }
  return { objects, version, quarantined }
}

const writeSecretFiles = async (stateDir: string, secret: SecretLike, previous?: SecretLike) => {
  const dir = secretDir(stateDir, secret)
  const data = secret.data ?? {}
  for (const [key, value] of Object.entries(data)) {
    if (isFileSafeKey(key)) await writeFileAtomic(join(dir, key), Buffer.from(value, "base64"), 0o600)
  }
  for (const key of Object.keys(previous?.data ?? {})) {
    if (!(key in data) && isFileSafeKey(key)) await removeFileDurably(join(dir, key))
  }
}

const persistChange = async (stateDir: string, change: Change) => {
  const isSecret = change.resource.kind === "Secret" && change.resource.group === ""
  const path = objectPath(stateDir, change.resource, change.object)
  if (change.type === "DELETED") {
    // The counter must survive deleting the newest object, or versions would repeat.
    await writeFileAtomic(versionPath(stateDir), String(change.resourceVersion))
    await removeFileDurably(path)
    if (isSecret) await removeTreeDurably(secretDir(stateDir, change.object))
    return
  }
  await writeFileAtomic(path, JSON.stringify(change.object), isSecret ? 0o600 : 0o644)
  if (isSecret) await writeSecretFiles(stateDir, change.object, change.previous)
}

export const makeEmbeddedStore = (stateDir: string) =>
  Effect.gen(function* () {
    const state = yield* Effect.tryPromise({
      try: () => loadState(stateDir),
      catch: (error) => new StoreUnavailable({ operation: "load", detail: `cannot read ${stateDir}: ${String(error)}`, retryable: false }),
    })
    for (const path of state.quarantined) yield* Effect.logWarning("embedded store: unreadable object moved aside", { path })
    // Secret files are written after the object; a crash between the two is repaired here.
    yield* Effect.tryPromise({
      try: async () => {
        for (const { resource, object } of state.objects) if (resource.kind === "Secret") await writeSecretFiles(stateDir, object)
      },
      catch: (error) => new StoreUnavailable({ operation: "load", detail: `cannot write Secret files: ${String(error)}`, retryable: false }),
    })
    return yield* makeTableStore({
      initial: state.objects,
      initialVersion: state.version,
      persist: (change) =>
        Effect.tryPromise({
          try: () => persistChange(stateDir, change),
          catch: (error) =>
            new StoreUnavailable({ operation: "write", detail: `cannot persist under ${stateDir}: ${String(error)}`, retryable: true }),
        }),
    })
  })

export const embeddedStoreLayer = (stateDir: string) => Layer.effect(ResourceStore, makeEmbeddedStore(stateDir))
