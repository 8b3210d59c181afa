// Reads one Certificate's issuance chain from the store, the way the
// troubleshooting guide walks it with kubectl: the Certificate, its issuer,
// the CertificateRequests named after it (cert-manager.io/certificate-name),
// the Orders each request owns and the Challenges each Order owns, with the
// Events about each.
import { Effect, Result, Schema } from "effect"
import type { Challenge } from "../../api/acme-challenge.ts"
import type { Order } from "../../api/acme-order.ts"
import type { Certificate } from "../../api/certificate.ts"
import type { CertificateRequest } from "../../api/certificate-request.ts"
import type { Event } from "../../api/core.ts"
import type { KubeObject } from "../../api/meta.ts"
import { CertificateRequests, Certificates, Challenges, Events, Orders } from "../../api/kinds.ts"
import { annotations } from "../../api/annotations.ts"
import { getIssuer, type AnyIssuer } from "../../controllers/shared/issuer-lookup.ts"
import { isCertManagerIssuerRef, isClusterIssuerRef } from "../../rules/issuer-refs.ts"
import { controllerOf } from "../../controllers/shared/owners.ts"
import type { Forbidden, StoreUnavailable } from "../../store/errors.ts"
import { ResourceStore } from "../../store/resource-store.ts"
import { eventsAbout } from "./events.ts"
import type { CertificateChain, CertificateSummary, ChallengeSummary, IssuerSummary, OrderSummary, RequestSummary } from "./model.ts"

export class CertificateNotFound extends Schema.TaggedError<CertificateNotFound>()("CertificateNotFound", {
  namespace: Schema.String,
  name: Schema.String,
}) {
  override get message() {
    return `Certificate ${this.namespace}/${this.name} not found`
  }
}

/** Oldest first by creation, then by name (Challenges of one Order are created together, numbered). */
const oldestFirst = (left: KubeObject, right: KubeObject) =>
  (left.metadata.creationTimestamp ?? "").localeCompare(right.metadata.creationTimestamp ?? "") || left.metadata.name.localeCompare(right.metadata.name)

/** Whether `child` is controlled by `owner`: by uid where both have one, else by name. */
const ownedBy = (child: KubeObject, owner: KubeObject): boolean => {
  const reference = controllerOf(child, owner.kind)
  if (reference === undefined) return false
  return owner.metadata.uid !== undefined && reference.uid !== "" ? reference.uid === owner.metadata.uid : reference.name === owner.metadata.name
}

const revisionOf = (request: CertificateRequest): number | undefined => {
  const revision = Number(request.metadata.annotations?.[annotations.certificateRevision])
  return Number.isInteger(revision) ? revision : undefined
}

const summarizeCertificate = (certificate: Certificate, events: ReadonlyArray<Event>): CertificateSummary => {
  const { issuerRef } = certificate.spec
  const status = certificate.status
  return {
    kind: "Certificate",
    namespace: certificate.metadata.namespace ?? "",
    name: certificate.metadata.name,
    secretName: certificate.spec.secretName,
    dnsNames: certificate.spec.dnsNames ?? [],
    issuerRef: { name: issuerRef.name, kind: issuerRef.kind || "Issuer", group: issuerRef.group || "cert-manager.io" },
    conditions: status?.conditions ?? [],
    events: eventsAbout(events, certificate),
    ...(status?.revision === undefined ? {} : { revision: status.revision }),
    ...(status?.notAfter === undefined ? {} : { notAfter: status.notAfter }),
    ...(status?.renewalTime === undefined ? {} : { renewalTime: status.renewalTime }),
  }
}

const summarizeChallenge = (challenge: Challenge, events: ReadonlyArray<Event>): ChallengeSummary => ({
  kind: "Challenge",
  namespace: challenge.metadata.namespace ?? "",
  name: challenge.metadata.name,
  type: challenge.spec.type,
  dnsName: challenge.spec.wildcard === true ? `*.${challenge.spec.dnsName}` : challenge.spec.dnsName,
  processing: challenge.status?.processing === true,
  presented: challenge.status?.presented === true,
  conditions: [],
  events: eventsAbout(events, challenge),
  ...(challenge.status?.state === undefined ? {} : { state: challenge.status.state }),
  ...(challenge.status?.reason === undefined || challenge.status.reason === "" ? {} : { reason: challenge.status.reason }),
})

const summarizeOrder = (order: Order, challenges: ReadonlyArray<Challenge>, events: ReadonlyArray<Event>): OrderSummary => ({
  kind: "Order",
  namespace: order.metadata.namespace ?? "",
  name: order.metadata.name,
  conditions: [],
  events: eventsAbout(events, order),
  challenges: challenges.filter((challenge) => ownedBy(challenge, order)).sort(oldestFirst).map((challenge) => summarizeChallenge(challenge, events)),
  ...(order.status?.state === undefined ? {} : { state: order.status.state }),
  ...(order.status?.reason === undefined || order.status.reason === "" ? {} : { reason: order.status.reason }),
  ...(order.status?.url === undefined ? {} : { url: order.status.url }),
})

const summarizeRequest = (
  request: CertificateRequest,
  orders: ReadonlyArray<Order>,
  challenges: ReadonlyArray<Challenge>,
  events: ReadonlyArray<Event>,
): RequestSummary => {
  const revision = revisionOf(request)
  return {
    kind: "CertificateRequest",
    namespace: request.metadata.namespace ?? "",
    name: request.metadata.name,
    conditions: request.status?.conditions ?? [],
    events: eventsAbout(events, request),
    orders: orders.filter((order) => ownedBy(order, request)).sort(oldestFirst).map((order) => summarizeOrder(order, challenges, events)),
    ...(revision === undefined ? {} : { revision }),
  }
}

/**
 * The issuer the Certificate names, if certops runs that kind. An Issuer's
 * Events are among the namespace's, already read; a ClusterIssuer's are in
 * "default", where client-go records events of cluster-scoped objects.
 */
const readIssuer = (
  certificate: Certificate,
  namespaceEvents: ReadonlyArray<Event>,
  eventsIn: (namespace: string) => Effect.Effect<ReadonlyArray<Event>>,
): Effect.Effect<IssuerSummary, StoreUnavailable | Forbidden, ResourceStore> =>
  Effect.gen(function* () {
    const ref = certificate.spec.issuerRef
    const namespace = certificate.metadata.namespace ?? ""
    const cluster = isClusterIssuerRef(ref)
    const base = { kind: ref.kind || "Issuer", name: ref.name, ...(cluster ? {} : { namespace }), conditions: [], events: [] }
    if (!isCertManagerIssuerRef(ref)) return { ...base, kind: `${ref.kind || "Issuer"}.${ref.group || "cert-manager.io"}`, lookup: "External" }
    const found = yield* getIssuer(ref, namespace).pipe(
      Effect.map((issuer): AnyIssuer | undefined => issuer),
      Effect.catchTag("NotFound", () => Effect.succeed(undefined)),
    )
    if (found === undefined) return { ...base, lookup: "NotFound" }
    const type = (["acme", "ca", "selfSigned"] as const).find((key) => found.spec[key] !== undefined)
    return {
      ...base,
      lookup: "Found",
      conditions: found.status?.conditions ?? [],
      events: eventsAbout(cluster ? yield* eventsIn("default") : namespaceEvents, found),
      ...(type === undefined ? {} : { type }),
    }
  })

export const readCertificateChain = (
  namespace: string,
  name: string,
): Effect.Effect<CertificateChain, CertificateNotFound | StoreUnavailable | Forbidden, ResourceStore> =>
  Effect.gen(function* () {
    const store = yield* ResourceStore
    const certificate = yield* store.get(Certificates, { namespace, name }).pipe(Effect.catchTag("NotFound", () => Effect.fail(new CertificateNotFound({ namespace, name }))))
    const warnings: Array<string> = []
    // Events are a nicety: a user allowed to read Certificates but not Events still gets the rest.
    const eventsIn = (eventNamespace: string) =>
      Effect.map(Effect.result(store.list(Events, { namespace: eventNamespace })), (listed) => {
        if (Result.isSuccess(listed)) return listed.success
        warnings.push(`Events in namespace ${eventNamespace} could not be read: ${listed.failure.message}`)
        return []
      })
    const scope = { namespace }
    const [requests, orders, challenges, events] = yield* Effect.all(
      [store.list(CertificateRequests, scope), store.list(Orders, scope), store.list(Challenges, scope), eventsIn(namespace)],
      { concurrency: "unbounded" },
    )
    const issuer = yield* readIssuer(certificate, events, eventsIn)
    const mine = requests
      .filter((request) => request.metadata.annotations?.[annotations.certificateName] === name)
      .sort((left, right) => (revisionOf(left) ?? 0) - (revisionOf(right) ?? 0) || oldestFirst(left, right))
    return {
      certificate: summarizeCertificate(certificate, events),
      issuer,
      requests: mine.map((request) => summarizeRequest(request, orders, challenges, events)),
      warnings,
    }
  })
