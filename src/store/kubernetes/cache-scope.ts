// What each cached kind's informer holds. Everything, except Secrets: a
// cluster has many Secrets that are none of certops' business (and holding
// their keys in memory is a risk), so only those certops manages are cached.
import { Secrets } from "../../api/kinds.ts"
import { qualifiedPlural, type ResourceType } from "../../api/resource-type.ts"
import { everything, type Selection } from "./selection.ts"

/** The label that marks a Secret as certops' own, as recommended by Kubernetes. */
export const managedByLabel = "app.kubernetes.io/managed-by"
export const managedByCertops = "certops"

const managedSecrets: Selection = {
  labelSelector: `${managedByLabel}=${managedByCertops}`,
  requirements: [{ op: "in", key: managedByLabel, values: [managedByCertops] }],
}

export const cacheScopeOf = (type: ResourceType<any>): Selection =>
  qualifiedPlural(type) === qualifiedPlural(Secrets) ? managedSecrets : everything
