// Follows the Certificates applied from Git and reports each one's status to
// the status branch: readiness, the certificate in its Secret (serial,
// fingerprint, validity), retries, and the intent commit it answers.
import { Cause, Effect, Schedule, Stream, type Scope } from "effect"
import type { Certificate } from "../api/certificate.ts"
import { CertificateRequests, Certificates, Orders, Secrets } from "../api/kinds.ts"
import { provenance, sourceSelector, type SourceIdentity } from "../apply/provenance.ts"
import { annotations } from "../api/annotations.ts"
import { parseCertificate } from "../pki/certificate.ts"
import type { CertificateReport } from "../report/reports.ts"
import { StatusReporter } from "../report/status-reporter.ts"
import { ResourceStore } from "../store/resource-store.ts"

const nextRetry = (message: string | undefined) => /Next attempt at (\S+?)\.?$/.exec(message ?? "")?.[1]

export const certificateReport = (certificate: Certificate) =>
  Effect.gen(function* () {
    const store = yield* ResourceStore
    const namespace = certificate.metadata.namespace ?? ""
    const ready = certificate.status?.conditions?.find((condition) => condition.type === "Ready")
    const secret = yield* store.get(Secrets, { namespace, name: certificate.spec.secretName }).pipe(Effect.option)
    const pem = secret._tag === "Some" ? secret.value.data?.["tls.crt"] : undefined
    const parsed = pem === undefined ? undefined : yield* parseCertificate(Buffer.from(pem, "base64").toString("utf8")).pipe(Effect.option, Effect.map((option) => (option._tag === "Some" ? option.value : undefined)))
    // The Order behind the latest request, for ACME issuers.
    const requests = (yield* store.list(CertificateRequests, { namespace })).filter((request) => request.metadata.annotations?.[annotations.certificateName] === certificate.metadata.name)
    const latest = requests.sort((a, b) => Number(b.metadata.resourceVersion ?? 0) - Number(a.metadata.resourceVersion ?? 0))[0]
    const order = latest === undefined ? undefined : (yield* store.list(Orders, { namespace })).find((candidate) => candidate.metadata.ownerReferences?.some((owner) => owner.uid === latest.metadata.uid))
    const retry = nextRetry(ready?.message)
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
    }
    return report
  })

/** Reports every change to a Git-managed Certificate until the scope closes. */
export const followCertificates = (source: SourceIdentity): Effect.Effect<void, never, ResourceStore | StatusReporter | Scope.Scope> =>
  Effect.gen(function* () {
    const store = yield* ResourceStore
    const reporter = yield* StatusReporter
    const follow = store.watch(Certificates, { labelSelector: sourceSelector(source) }).pipe(
      Stream.runForEach((event) =>
        event.type === "DELETED"
          ? reporter.remove(event.object.metadata.namespace ?? "", event.object.metadata.name)
          : certificateReport(event.object).pipe(Effect.flatMap(reporter.report)),
      ),
      Effect.tapCause((cause) => Effect.logWarning("status reports: certificate watch ended; restarting", { cause: Cause.pretty(cause) })),
      Effect.retry(Schedule.spaced("1 second")),
      Effect.forever,
    )
    yield* Effect.forkScoped(follow)
  })
