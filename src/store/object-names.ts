// Names and namespaces as the API server validates them, so that every
// backend refuses the same objects.
import { Effect } from "effect"
import type { ObjectMeta } from "../api/meta.ts"
import type { ResourceType } from "../api/resource-type.ts"
import { Invalid } from "./errors.ts"
import type { ObjectKey } from "./resource-store.ts"

const dnsSubdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/
const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/

/** The key an object is stored under, or Invalid naming the bad field. */
export const validateObjectKey = (type: ResourceType<any>, metadata: ObjectMeta): Effect.Effect<ObjectKey, Invalid> => {
  const fail = (detail: string) =>
    Effect.fail(
      new Invalid({
        kind: type.kind,
        name: metadata.name,
        ...(metadata.namespace === undefined ? {} : { namespace: metadata.namespace }),
        detail,
      }),
    )
  if (metadata.name.length > 253 || !dnsSubdomain.test(metadata.name)) {
    return fail(`metadata.name: "${metadata.name}" is not a lowercase RFC 1123 subdomain`)
  }
  if (!type.namespaced) return Effect.succeed({ name: metadata.name })
  const namespace = metadata.namespace
  if (namespace === undefined || namespace === "") return fail("metadata.namespace: required for a namespaced kind")
  if (namespace.length > 63 || !dnsLabel.test(namespace)) return fail(`metadata.namespace: "${namespace}" is not a lowercase RFC 1123 label`)
  return Effect.succeed({ namespace, name: metadata.name })
}
