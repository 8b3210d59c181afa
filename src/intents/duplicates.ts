// Two documents declaring one object, or two Certificates writing one
// Secret: no copy can be trusted to be the intended one, so every copy is
// rejected, each naming where the others are.
import type { Certificate } from "../api/certificate.ts"
import { type Declaration, type Manifest, rejectAt } from "./decode-document.ts"
import { describeKey, keyOfResource, keyString } from "./identity.ts"
import type { Rejection } from "../rules/rejection.ts"
import type { YamlDocument } from "../manifests/yaml-documents.ts"

const groupBy = <A>(items: ReadonlyArray<A>, keyOf: (item: A) => string): ReadonlyArray<ReadonlyArray<A>> => {
  const groups = new Map<string, Array<A>>()
  for (const item of items) {
    const key = keyOf(item)
    const group = groups.get(key)
    if (group === undefined) groups.set(key, [item])
    else group.push(item)
  }
  return [...groups.values()]
}

const where = (document: YamlDocument, path: string) => `${document.file}:${document.lineOf(path)}`

export const findDuplicateObjects = (declarations: ReadonlyArray<Declaration>): ReadonlyArray<Rejection> =>
  groupBy(declarations, (declaration) => keyString(declaration.key))
    .filter((group) => group.length > 1)
    .flatMap((group) =>
      group.map(({ key, document }) => {
        const others = group.filter((other) => other.document !== document).map((other) => where(other.document, "metadata.name"))
        return rejectAt(document, key, "duplicate", "metadata.name",
          `${describeKey(key)} is also declared in ${others.join(", ")}; every copy is rejected until one remains`)
      }),
    )

type CertificateManifest = Manifest & { readonly resource: Certificate }

const isCertificate = (manifest: Manifest): manifest is CertificateManifest => manifest.resource.kind === "Certificate"

/**
 * Certificates of different names writing one Secret would overwrite each
 * other's key and certificate. (Copies of one Certificate are reported as
 * duplicates instead.)
 */
export const findSharedSecrets = (manifests: ReadonlyArray<Manifest>): ReadonlyArray<Rejection> =>
  groupBy(manifests.filter(isCertificate), ({ resource }) => `${resource.metadata.namespace ?? ""}/${resource.spec.secretName}`)
    .flatMap((group) =>
      group.flatMap(({ resource, document }) => {
        const key = keyOfResource(resource)
        const others = group.filter((other) => keyString(keyOfResource(other.resource)) !== keyString(key))
        if (others.length === 0) return []
        const named = others.map((other) => `${describeKey(keyOfResource(other.resource))} (${where(other.document, "spec.secretName")})`)
        return [
          rejectAt(document, key, "duplicate-secret-name", "spec.secretName",
            `Secret ${resource.metadata.namespace}/${resource.spec.secretName} is also written by ${named.join(", ")}; each Certificate needs its own Secret`),
        ]
      }),
    )
