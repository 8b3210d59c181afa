// One line that says where a Certificate's issuance stands: either "up to
// date", or the first step of the chain that is not moving and why, in the
// order the troubleshooting guide checks them: the issuer, the
// CertificateRequest, the Order, then its Challenges.
import { finalStates } from "../../scheduler/decide.ts"
import {
  conditionOf,
  qualifiedName,
  type CertificateChain,
  type ChallengeSummary,
  type Diagnosis,
  type OrderSummary,
  type RequestSummary,
} from "./model.ts"

const stuck = (at: { readonly kind: string; readonly namespace?: string; readonly name: string }, why: string): Diagnosis => {
  const stuckAt = `${at.kind} ${qualifiedName(at)}`
  return { healthy: false, stuckAt, summary: `stuck at ${stuckAt}: ${why}` }
}

const withReason = (text: string | undefined) => (text === undefined || text === "" ? "" : `: ${text}`)

/** A failed Order or Challenge is final; the CertificateRequest fails with it and a new attempt starts later. */
const failedStates: ReadonlySet<string> = new Set([...finalStates].filter((state) => state !== "valid"))

const describeChallenge = (challenge: ChallengeSummary): string => `${challenge.type} for ${challenge.dnsName}`

/** The Challenge holding an Order back: a failed one first, then one in progress, then a queued one. */
const blockingChallenge = (order: OrderSummary): Diagnosis | undefined => {
  const failed = order.challenges.find((challenge) => challenge.state !== undefined && failedStates.has(challenge.state))
  if (failed !== undefined) return stuck(failed, `${describeChallenge(failed)} is ${failed.state}${withReason(failed.reason)}`)
  const working = order.challenges.find((challenge) => challenge.processing)
  if (working !== undefined) {
    if (working.presented) return stuck(working, `${describeChallenge(working)} is presented and ${working.state ?? "pending"}${withReason(working.reason)}`)
    return stuck(working, `${describeChallenge(working)} is not presented yet${withReason(working.reason)}`)
  }
  const queued = order.challenges.find((challenge) => challenge.state === undefined || !finalStates.has(challenge.state))
  if (queued !== undefined) {
    return stuck(queued, `${describeChallenge(queued)} is queued for a scheduler slot (at most 60 Challenges are processed at once, one per DNS name and solver type)`)
  }
  return undefined
}

const diagnoseOrder = (order: OrderSummary): Diagnosis => {
  if (order.state !== undefined && failedStates.has(order.state)) return stuck(order, `the Order is ${order.state}${withReason(order.reason)}`)
  const challenge = blockingChallenge(order)
  if (challenge !== undefined) return challenge
  if (order.challenges.length === 0 && (order.state === undefined || order.state === "pending")) {
    return stuck(order, "no Challenge created yet; the Order is waiting for its authorizations from the ACME server")
  }
  return stuck(order, `every Challenge is valid; the Order is ${order.state ?? "pending"}, waiting for the ACME server to issue the certificate`)
}

const diagnoseRequest = (request: RequestSummary, certificateMessage: string | undefined): Diagnosis => {
  const ready = conditionOf(request, "Ready")
  if (conditionOf(request, "Denied")?.status === "True" || ready?.reason === "Denied") {
    return stuck(request, `the request was denied${withReason(conditionOf(request, "Denied")?.message ?? ready?.message)}`)
  }
  if (ready?.reason === "Failed") {
    // The Certificate's message carries the backoff: "... Next attempt at <time>."
    const next = /Next attempt at (\S+?)\.?$/.exec(certificateMessage ?? "")?.[1]
    return stuck(request, `the request failed${withReason(ready.message)}${next === undefined ? "" : `; the next attempt is at ${next}`}`)
  }
  if (ready?.status === "True") return stuck(request, "the certificate is signed; waiting for the Certificate controller to store it in its Secret")
  const order = request.orders.at(-1)
  if (order !== undefined) return diagnoseOrder(order)
  return stuck(request, ready === undefined ? "not picked up by a controller yet" : `pending${withReason(ready.message)}`)
}

export const diagnose = (chain: CertificateChain, now: number): Diagnosis => {
  const { certificate, issuer } = chain
  const ready = conditionOf(certificate, "Ready")
  const issuing = conditionOf(certificate, "Issuing")
  const notAfter = certificate.notAfter === undefined ? Number.NaN : Date.parse(certificate.notAfter)

  if (ready?.status === "True" && issuing?.status !== "True") {
    if (notAfter <= now) return stuck(certificate, `Ready, but the certificate expired at ${certificate.notAfter}; no renewal has started`)
    const renewal = certificate.renewalTime === undefined ? "" : `, renewal at ${certificate.renewalTime}`
    return { healthy: true, summary: `up to date: valid until ${certificate.notAfter ?? "<unknown>"}${renewal}` }
  }

  // Not an issuance problem: the controller refuses to touch a Secret someone else owns.
  if (ready?.reason === "SecretInUse") return stuck(certificate, ready.message ?? "its Secret belongs to someone else")

  const issuerName = `${issuer.kind} ${qualifiedName(issuer)}`
  if (issuer.lookup === "External") return stuck(certificate, `waiting for ${issuerName}, an issuer certops does not run`)
  if (issuer.lookup === "NotFound") return stuck(issuer, "it does not exist; create it, or correct the Certificate's spec.issuerRef")
  const issuerReady = conditionOf(issuer, "Ready")
  if (issuerReady?.status !== "True") {
    return stuck(issuer, `the issuer is not Ready${issuerReady?.reason === undefined ? "" : ` (${issuerReady.reason})`}${withReason(issuerReady?.message)}`)
  }

  // The request for the issuance under way: the one for the next revision.
  const nextRevision = (certificate.revision ?? 0) + 1
  const current = chain.requests.filter((request) => request.revision === undefined || request.revision === nextRevision).at(-1)
  const why = issuing?.message ?? ready?.message
  if (current === undefined) return stuck(certificate, `no CertificateRequest for revision ${nextRevision} yet${withReason(why)}`)
  return diagnoseRequest(current, ready?.message)
}
