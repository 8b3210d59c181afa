// Where the embedded store keeps things under its state directory:
//   objects/<plural.group>/<namespace | _cluster>/<name>.json   every object
//   secrets/<namespace>/<name>/<key>                           Secret data as files
//   resource-version                                          the version counter
import { join } from "node:path"
import type { KubeObject } from "../../api/meta.ts"
import { qualifiedPlural, type ResourceType } from "../../api/resource-type.ts"

export const clusterScopeDir = "_cluster"

export const objectsDir = (stateDir: string) => join(stateDir, "objects")

export const objectPath = (stateDir: string, type: ResourceType<any>, object: KubeObject) =>
  join(objectsDir(stateDir), qualifiedPlural(type), object.metadata.namespace ?? clusterScopeDir, `${object.metadata.name}.json`)

export const secretDir = (stateDir: string, object: KubeObject) =>
  join(stateDir, "secrets", object.metadata.namespace ?? clusterScopeDir, object.metadata.name)

export const versionPath = (stateDir: string) => join(stateDir, "resource-version")

/** A Secret data key that is safe to use as a file name. */
export const isFileSafeKey = (key: string) => /^[A-Za-z0-9][-._A-Za-z0-9]*$/.test(key)
