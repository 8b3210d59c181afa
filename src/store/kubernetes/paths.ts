// REST paths of the API server for a kind, built from its descriptor so that
// no discovery round trip is needed.
import type { ResourceType } from "../../api/resource-type.ts"
import type { ObjectKey } from "../resource-store.ts"

const groupVersionPath = (type: ResourceType<any>): string =>
  type.group === "" ? `/api/${type.version}` : `/apis/${type.group}/${type.version}`

/** The collection: in one namespace, or across all of them when `namespace` is omitted. */
export const collectionPath = (type: ResourceType<any>, namespace?: string): string => {
  const scope = type.namespaced && namespace !== undefined ? `/namespaces/${encodeURIComponent(namespace)}` : ""
  return `${groupVersionPath(type)}${scope}/${type.plural}`
}

export const objectPath = (type: ResourceType<any>, key: ObjectKey, subresource?: "status"): string =>
  `${collectionPath(type, key.namespace)}/${encodeURIComponent(key.name)}${subresource === undefined ? "" : `/${subresource}`}`
