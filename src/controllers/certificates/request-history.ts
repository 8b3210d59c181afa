// Old CertificateRequests are kept up to revisionHistoryLimit (default 1, as
// cert-manager's) and removed with what they own, so nothing piles up where
// no garbage collector runs (the embedded store).
import { Effect } from "effect"
import type { Certificate } from "../../api/certificate.ts"
import { CertificateRequests, Challenges, Orders } from "../../api/kinds.ts"
import { ResourceStore } from "../../store/resource-store.ts"
import { annotations } from "../../api/annotations.ts"
import { isFinished } from "../certificaterequests/certificaterequest-reconciler.ts"

const defaultHistoryLimit = 1

/** Deletes a request's Orders and their Challenges, then the request. */
export const deleteRequestTree = (namespace: string, requestUid: string, requestName: string) =>
  Effect.gen(function* () {
    const store = yield* ResourceStore
    const orders = (yield* store.list(Orders, { namespace })).filter((order) => order.metadata.ownerReferences?.some((owner) => owner.uid === requestUid))
    for (const order of orders) {
      const challenges = (yield* store.list(Challenges, { namespace })).filter((challenge) =>
        challenge.metadata.ownerReferences?.some((owner) => owner.uid === order.metadata.uid),
      )
      for (const challenge of challenges) yield* store.delete(Challenges, { namespace, name: challenge.metadata.name }).pipe(Effect.catchTag("NotFound", () => Effect.void))
      yield* store.delete(Orders, { namespace, name: order.metadata.name }).pipe(Effect.catchTag("NotFound", () => Effect.void))
    }
    yield* store.delete(CertificateRequests, { namespace, name: requestName }).pipe(Effect.catchTag("NotFound", () => Effect.void))
  })

export const pruneRequests = (certificate: Certificate) =>
  Effect.gen(function* () {
    const store = yield* ResourceStore
    const namespace = certificate.metadata.namespace ?? ""
    const limit = certificate.spec.revisionHistoryLimit ?? defaultHistoryLimit
    const mine = (yield* store.list(CertificateRequests, { namespace }))
      .filter((request) => request.metadata.annotations?.[annotations.certificateName] === certificate.metadata.name && isFinished(request))
      .sort((left, right) => Number(right.metadata.resourceVersion ?? 0) - Number(left.metadata.resourceVersion ?? 0))
    for (const request of mine.slice(limit)) yield* deleteRequestTree(namespace, request.metadata.uid ?? "", request.metadata.name)
  })
