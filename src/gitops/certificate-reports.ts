// Follows the Certificates applied from Git and reports each one's status to
// the status branch: readiness, the certificate in its Secret (serial,
// fingerprint, validity), retries, and the intent commit it answers.
import { createHash } from "node:crypto"
import { Cause, Effect, Option, Schedule, Stream, type Scope } from "effect"
import type { Certificate } from "../api/certificate.ts"
import { CertificateRequests, Certificates, Orders, Secrets } from "../api/kinds.ts"
import { provenance, sourceSelector, type SourceIdentity } from "../apply/provenance.ts"
import { annotations } from "../api/annotations.ts"
import { orderNameFor } from "../controllers/certificaterequests/acme-order.ts"
import { requestNameFor } from "../controllers/certificates/certificate-request.ts"
import { childName } from "../controllers/shared/owners.ts"
import { tlsSecretFacts } from "../pki/tls-secret-facts.ts"
import type { CertificateReport } from "../report/reports.ts"
import { StatusReporter } from "../report/status-reporter.ts"
import { ResourceStore } from "../store/resource-store.ts"

const nextRetry = (message: string | undefined) => /Next attempt at (\S+?)\.?$/.exec(message ?? "")?.[1]

/**
 * The newest request of a Certificate: the one in flight, else the one its
 * revision was issued by, both found by name; a search of the namespace only
 * when neither is there (a revision issued after failed attempts).
 */
const latestRequest = (certificate: Certificate) =>
  Effect.gen(function* () {
    const store = yield* ResourceStore
    const namespace = certificate.metadata.namespace ?? ""
    const byName = (name: string) => store.get(CertificateRequests, { namespace, name }).pipe(Effect.option, Effect.map(Option.getOrUndefined))
    const inFlight = yield* byName(requestNameFor(certificate))
    if (inFlight !== undefined) return inFlight
    const revision = certificate.status?.revision
    const issuedBy = revision === undefined ? undefined : yield* byName(childName(certificate.metadata.name, String(revision)))
    if (issuedBy !== undefined) return issuedBy
    const requests = (yield* store.list(CertificateRequests, { namespace })).filter((request) => request.metadata.annotations?.[annotations.certificateName] === certificate.metadata.name)
    return requests.sort((a, b) => Number(b.metadata.resourceVersion ?? 0) - Number(a.metadata.resourceVersion ?? 0))[0]
  })

export const certificateReport = (certificate: Certificate) =>
  Effect.gen(function* () {
    const store = yield* ResourceStore
    const namespace = certificate.metadata.namespace ?? ""
    const ready = certificate.status?.conditions?.find((condition) => condition.type === "Ready")
    // The Secrets certops writes are in the cache; one it does not hold has nothing to report.
    const secret = yield* store.get(Secrets, { namespace, name: certificate.spec.secretName }, { cachedOnly: true }).pipe(Effect.option)
    const parsed = secret._tag === "Some" ? tlsSecretFacts(secret.value).certificate : undefined
    // The Order behind the latest request, for ACME issuers.
    const latest = yield* latestRequest(certificate)
    const order = latest === undefined ? undefined : yield* store.get(Orders, { namespace, name: orderNameFor(latest) }).pipe(Effect.option, Effect.map(Option.getOrUndefined))
    const retry = nextRetry(ready?.message)
    const origin = certificate.metadata.annotations?.[annotations.origin]
    const report: CertificateReport = {
      namespace,
      name: certificate.metadata.name,
      secretName: certificate.spec.secretName,
      ready: ready?.status ?? "Unknown",
      ...(ready?.reason === undefined ? {} : { reason: ready.reason }),
      ...(ready?.message === undefined ? {} : { message: ready.message }),
      ...(parsed === undefined ? {} : { serial: parsed.serialNumber, sha256Fingerprint: parsed.fingerprintSha256 }),
      ...(certificate.status?.notBefore === undefined ? {} : { notBefore: certificate.status.notBefore }),
      ...(certificate.status?.notAfter === undefined ? {} : { notAfter: certificate.status.notAfter }),
      ...(certificate.status?.renewalTime === undefined ? {} : { renewalTime: certificate.status.renewalTime }),
      ...(retry === undefined ? {} : { nextRetryTime: retry }),
      issuer: { kind: certificate.spec.issuerRef.kind ?? "Issuer", name: certificate.spec.issuerRef.name },
      ...(order?.status?.url === undefined ? {} : { orderURL: order.status.url }),
      ...(certificate.status?.lastFailureTime === undefined ? {} : { lastFailure: { time: certificate.status.lastFailureTime, message: ready?.message ?? "" } }),
      intentCommit: certificate.metadata.annotations?.[provenance.commitAnnotation] ?? "",
      intentPath: certificate.metadata.annotations?.[provenance.pathAnnotation] ?? "unknown",
      ...(origin === undefined ? {} : { origin }),
    }
    return report
  })

/** Reports every change to a Git-managed Certificate until the scope closes. */
export const followCertificates = (source: SourceIdentity): Effect.Effect<void, never, ResourceStore | StatusReporter | Scope.Scope> =>
  Effect.gen(function* () {
    const store = yield* ResourceStore
    const reporter = yield* StatusReporter
    // What was last reported per Certificate, as a digest: most watch events
    // (a status write in the middle of an issuance) change nothing a report shows.
    const reported = new Map<string, string>()
    const follow = store.watch(Certificates, { labelSelector: sourceSelector(source) }).pipe(
      Stream.runForEach((event) => {
        const key = `${event.object.metadata.namespace ?? ""}/${event.object.metadata.name}`
        if (event.type === "DELETED") {
          reported.delete(key)
          return reporter.remove(event.object.metadata.namespace ?? "", event.object.metadata.name)
        }
        return certificateReport(event.object).pipe(
          Effect.flatMap((report) => {
            const digest = createHash("sha256").update(JSON.stringify(report)).digest("base64")
            if (reported.get(key) === digest) return Effect.void
            return reporter.report(report).pipe(Effect.tap(() => Effect.sync(() => reported.set(key, digest))))
          }),
        )
      }),
      Effect.tapCause((cause) => Effect.logWarning("status reports: certificate watch ended; restarting", { cause: Cause.pretty(cause) })),
      Effect.retry(Schedule.spaced("1 second")),
      Effect.forever,
    )
    yield* Effect.forkScoped(follow)
  })
