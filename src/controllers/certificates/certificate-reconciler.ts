// Certificates: keep the Secret holding a valid certificate for the spec.
// Each pass decides from the store alone (restart-safe): up to date → Ready
// and wait for renewal; otherwise drive one issuance — key, request, install —
// backing off 1 h·2^(n-1) up to 32 h after failures. Each pass ends in one
// status write, and none when the status is what it was.
import { Clock, Duration, Effect } from "effect"
import type { Certificate } from "../../api/certificate.ts"
import type { CertificateRequest } from "../../api/certificate-request.ts"
import type { Secret } from "../../api/core.ts"
import { CertificateRequests, Certificates, Secrets } from "../../api/kinds.ts"
import { annotations } from "../../api/annotations.ts"
import { readCertificateFacts } from "../../pki/certificate-facts.ts"
import { PkiError } from "../../pki/errors.ts"
import { digestOf, tlsSecretFacts } from "../../pki/tls-secret-facts.ts"
import { describeIssuerRef, isCertManagerIssuerRef } from "../../rules/issuer-refs.ts"
import { describeSpecProblems, specProblems } from "../../rules/spec-problems.ts"
import { done, requeueAfter, type ReconcileResult, type Reconciler } from "../../runtime/reconciler.ts"
import { writeStatus } from "../../runtime/write-status.ts"
import { IssuanceSettings } from "../../settings/issuance-settings.ts"
import { EventRecorder } from "../../store/event-recorder.ts"
import { ResourceStore } from "../../store/resource-store.ts"
import { isFinished } from "../certificaterequests/certificaterequest-reconciler.ts"
import type { ControllerServices } from "../services.ts"
import { findCondition, isTrue, removeCondition, setCondition, type ConditionUpdate } from "../shared/conditions.ts"
import { getIssuer } from "../shared/issuer-lookup.ts"
import { secretText } from "../shared/secret-data.ts"
import { formatTimestamp } from "../shared/time.ts"
import { createRequest, csrFor, requestNameFor } from "./certificate-request.ts"
import { installTemporaryCertificate, wantsTemporaryCertificate } from "./temporary-certificate.ts"
import { ensureNextPrivateKey, readNextPrivateKey } from "./next-private-key.ts"
import { nextAttemptTime, renewalTime } from "./renewal.ts"
import { pruneRequests } from "./request-history.ts"
import { evaluateSecret } from "./secret-evaluation.ts"
import { writeCertificateSecret } from "./secret-writer.ts"
import { secondaries } from "./wakeups.ts"

type Status = NonNullable<Certificate["status"]>

const upToDate: ConditionUpdate = { type: "Ready", status: "True", reason: "Ready", message: "Certificate is up to date and has not expired" }

/** Who else claims the Secret, if anyone: another Certificate or another controller. */
const foreignOwner = (certificate: Certificate, secret: Secret | undefined): string | undefined => {
  if (secret === undefined) return undefined
  const claimedBy = secret.metadata.annotations?.[annotations.certificateName]
  if (claimedBy !== undefined && claimedBy !== certificate.metadata.name) return `Certificate "${claimedBy}"`
  const controller = secret.metadata.ownerReferences?.find((reference) => reference.controller === true)
  if (controller !== undefined && controller.uid !== certificate.metadata.uid) return `${controller.kind} "${controller.name}"`
  return undefined
}

/** The status once an issuance is over: no next key, no failures, not issuing. */
const settled = (status: Status): Status => {
  const { nextPrivateKeySecretName: _next, failedIssuanceAttempts: _attempts, lastFailureTime: _failure, ...rest } = status
  return { ...rest, conditions: removeCondition(rest.conditions, "Issuing") }
}

/** What `knownAbsent` remembers: this Certificate's Secret name (a spec change is another entry). */
const absenceKey = (certificate: Certificate) => `${certificate.metadata.uid ?? ""}/${certificate.spec.secretName}`

/** The status fields that say which certificate is installed and when it renews. */
const validity = (facts: { readonly notBefore: Date; readonly notAfter: Date }, renewal: Date) => ({
  notBefore: formatTimestamp(facts.notBefore),
  notAfter: formatTimestamp(facts.notAfter),
  renewalTime: formatTimestamp(renewal),
})

/**
 * The Certificate's Secret. The cache holds the Secrets certops manages; one
 * it misses may still exist (a user's, another controller's), so it is asked
 * for once, and its absence remembered: certops' own create of it fails
 * should one appear meanwhile.
 */
const secretOf = (certificate: Certificate, knownAbsent: Set<string>) =>
  Effect.gen(function* () {
    const store = yield* ResourceStore
    const key = { namespace: certificate.metadata.namespace ?? "", name: certificate.spec.secretName }
    const memo = absenceKey(certificate)
    const cached = yield* store.get(Secrets, key, { cachedOnly: true }).pipe(Effect.option)
    if (cached._tag === "Some") {
      knownAbsent.delete(memo)
      return cached.value
    }
    if (knownAbsent.has(memo)) return undefined
    const fresh = yield* store.get(Secrets, key, { fresh: true }).pipe(
      Effect.map((secret): Secret | undefined => secret),
      Effect.catchTag("NotFound", () => Effect.succeed(undefined)),
    )
    if (fresh === undefined) knownAbsent.add(memo)
    return fresh
  })

const reconcileCertificate = (knownAbsent: Set<string>) => (certificate: Certificate): Effect.Effect<ReconcileResult, unknown, ControllerServices> =>
  Effect.gen(function* () {
    const store = yield* ResourceStore
    const events = yield* EventRecorder
    const settings = yield* IssuanceSettings
    const now = new Date(yield* Clock.currentTimeMillis)
    const stamp = formatTimestamp(now)
    const namespace = certificate.metadata.namespace ?? ""
    const generation = certificate.metadata.generation
    const status: Status = certificate.status ?? {}
    const withConditions = (base: Status, ...updates: ReadonlyArray<ConditionUpdate>): Status => ({
      ...base,
      conditions: updates.reduce((all, update) => setCondition(all, update, stamp, generation), base.conditions ?? []),
    })
    /** The pass's one status write, then what to do next. */
    const settle = (next: Status, result: ReconcileResult = done) => writeStatus(Certificates, certificate, next).pipe(Effect.as(result))

    /** Not Ready until the spec or the world changes (either wakes the Certificate): an Event when the reason is new. */
    const refuse = (reason: string, message: string) =>
      Effect.gen(function* () {
        const ready = findCondition(status.conditions, "Ready")
        if (ready?.reason !== reason || ready.message !== message) yield* events.record(certificate, "Warning", reason, message)
        return yield* settle(withConditions(status, { type: "Ready", status: "False", reason, message }))
      })

    // What no admission policy can check (SAN syntax, names, the secretTemplate): a Certificate made in the cluster is refused here.
    const invalid = specProblems(certificate)
    if (invalid.length > 0) return yield* refuse("InvalidSpec", describeSpecProblems(invalid))

    const existingSecret = yield* secretOf(certificate, knownAbsent)
    const owner = foreignOwner(certificate, existingSecret)
    if (owner !== undefined) return yield* refuse("SecretInUse", `Secret "${certificate.spec.secretName}" is already managed by ${owner}; refusing to overwrite it`)

    const requestName = requestNameFor(certificate)
    const request = yield* store.get(CertificateRequests, { namespace, name: requestName }).pipe(Effect.option)
    const verdict = yield* evaluateSecret(certificate, existingSecret, now)
    if (verdict._tag === "UpToDate") {
      // A crash between writing the Secret and recording the issuance leaves the
      // request Ready with the very certificate the Secret holds: finish it now.
      if (request._tag === "Some" && isFinished(request.value) && request.value.status?.certificate !== undefined && existingSecret !== undefined) {
        const installed = digestOf(Buffer.from(request.value.status.certificate, "base64")) === tlsSecretFacts(existingSecret).digests["tls.crt"]
        if (installed) return yield* install(certificate, request.value, existingSecret, { alreadyWritten: true })
      }
      const next = withConditions(settled(status), upToDate)
      return yield* settle(
        { ...next, ...validity(verdict.certificate, verdict.renewal) },
        requeueAfter(Duration.millis(Math.min(verdict.renewal.getTime() - now.getTime(), 12 * 3_600_000))),
      )
    }

    // An issuance is needed. A failed attempt backs off before the next one.
    const failures = status.failedIssuanceAttempts ?? 0
    const lastFailure = status.lastFailureTime
    if (failures > 0 && lastFailure !== undefined && request._tag === "None") {
      const next = nextAttemptTime(new Date(lastFailure), failures, Duration.toMillis(settings.issuanceBackoffBase), Duration.toMillis(settings.issuanceBackoffMax))
      if (next.getTime() > now.getTime()) {
        const ready = findCondition(status.conditions, "Ready")
        const message = `${ready?.message?.replace(/ Next attempt at .*$/, "") ?? "Issuance failed."} Next attempt at ${formatTimestamp(next)}.`
        return yield* settle(withConditions(status, { type: "Ready", status: "False", reason: ready?.reason ?? "Failed", message }), requeueAfter(Duration.millis(next.getTime() - now.getTime())))
      }
    }

    const issuing = (reason: string, message: string): Status =>
      withConditions(
        status,
        { type: "Issuing", status: "True", reason, message },
        ...(isTrue(status.conditions, "Ready") ? [] : [{ type: "Ready", status: "False" as const, reason: verdict.reason, message: verdict.message }]),
      )
    const startsIssuing = !isTrue(status.conditions, "Issuing")
    if (startsIssuing) yield* events.record(certificate, "Normal", "Issuing", verdict.message)

    if (request._tag === "None") {
      // No key or request until the issuer can sign: a Certificate waiting on
      // a missing or broken issuer costs nothing (its readiness wakes it).
      const waiting = yield* issuerNotReady(certificate)
      if (waiting !== undefined) return yield* settle(issuing("IssuerNotReady", `${verdict.message}; waiting for ${waiting}`))
      const currentKey = existingSecret === undefined ? undefined : yield* currentPrivateKey(certificate, existingSecret)
      const key = yield* ensureNextPrivateKey(certificate, currentKey)
      const csrPem = yield* csrFor(certificate, key.keyPem)
      if (wantsTemporaryCertificate(certificate, verdict)) yield* installTemporaryCertificate(certificate, existingSecret, key.keyPem, csrPem)
      yield* createRequest(certificate, key.secretName, csrPem)
      return yield* settle({ ...issuing(verdict.reason, verdict.message), nextPrivateKeySecretName: key.secretName })
    }
    if (!isFinished(request.value)) return yield* settle(issuing(verdict.reason, verdict.message))

    const ready = findCondition(request.value.status?.conditions, "Ready")
    if (ready?.status !== "True" || request.value.status?.certificate === undefined) {
      // As cert-manager: a denial, then an invalid request, say why in their own reason; anything else is Failed.
      const cause = [findCondition(request.value.status?.conditions, "Denied"), findCondition(request.value.status?.conditions, "InvalidRequest")]
        .find((condition) => condition?.status === "True")
      const reason = cause?.reason ?? "Failed"
      const message = `The certificate request has failed to complete and will be retried: ${(cause ?? ready)?.message ?? "unknown failure"}`
      yield* events.record(certificate, "Warning", reason, message)
      // The next attempt is known now: said in the same write, and waited for from here.
      const next = nextAttemptTime(now, failures + 1, Duration.toMillis(settings.issuanceBackoffBase), Duration.toMillis(settings.issuanceBackoffMax))
      const waiting = `${message} Next attempt at ${formatTimestamp(next)}.`
      return yield* settle(
        {
          ...withConditions(status, { type: "Issuing", status: "False", reason, message }, { type: "Ready", status: "False", reason: "Failed", message: waiting }),
          failedIssuanceAttempts: failures + 1,
          lastFailureTime: stamp,
        },
        requeueAfter(Duration.millis(next.getTime() - now.getTime())),
      )
    }
    return yield* install(certificate, request.value, existingSecret, { alreadyWritten: false }).pipe(
      // Someone made the Secret after all: look at it on the next pass.
      Effect.tapError((error) =>
        Effect.sync(() => {
          if ((error as { _tag?: string })._tag === "AlreadyExists") knownAbsent.delete(absenceKey(certificate))
        }),
      ),
    )
  })

/**
 * The Secret's key, read from the server, when the next key may reuse it
 * (rotationPolicy Never): cached Secrets hold no data.
 */
const currentPrivateKey = (certificate: Certificate, secret: Secret) =>
  certificate.spec.privateKey?.rotationPolicy !== "Never"
    ? Effect.succeed(undefined)
    : ResourceStore.use((store) => store.get(Secrets, { namespace: secret.metadata.namespace ?? "", name: secret.metadata.name }, { fresh: true })).pipe(
        Effect.map((fresh) => secretText(fresh, "tls.key")),
        Effect.orElseSucceed(() => undefined),
      )

/** The request is Ready: put its certificate with the next key into the Secret, and record the new revision. */
const install = (certificate: Certificate, request: CertificateRequest, existingSecret: Secret | undefined, options: { readonly alreadyWritten: boolean }) =>
  Effect.gen(function* () {
    const store = yield* ResourceStore
    const events = yield* EventRecorder
    const now = new Date(yield* Clock.currentTimeMillis)
    const stamp = formatTimestamp(now)
    const status: Status = certificate.status ?? {}
    const namespace = certificate.metadata.namespace ?? ""
    const keySecretName = request.metadata.annotations?.[annotations.privateKeySecretName] ?? ""
    const chainPem = Buffer.from(request.status!.certificate!, "base64").toString("utf8")
    const caPem = request.status?.ca === undefined ? "" : Buffer.from(request.status.ca, "base64").toString("utf8")
    const parsed = readCertificateFacts(chainPem)
    if (parsed === undefined) return yield* new PkiError({ reason: "InvalidCertificate", message: `the certificate of request "${request.metadata.name}" could not be read` })
    if (!options.alreadyWritten) {
      const keyPem = yield* readNextPrivateKey(namespace, keySecretName)
      const written = yield* writeCertificateSecret(certificate, existingSecret, { chainPem, keyPem, caPem, parsed }).pipe(
        Effect.as(true),
        Effect.catchTag("KeystorePasswordMissing", (missing) =>
          Effect.gen(function* () {
            if (findCondition(status.conditions, "Ready")?.message !== missing.detail) yield* events.record(certificate, "Warning", "KeystorePasswordMissing", missing.detail)
            yield* writeStatus(Certificates, certificate, {
              ...status,
              conditions: setCondition(status.conditions, { type: "Ready", status: "False", reason: "KeystorePasswordMissing", message: missing.detail }, stamp, certificate.metadata.generation),
            })
            return false
          }),
        ),
      )
      // Signed and kept in its request; installed once the password exists (checked again now and then).
      if (!written) return requeueAfter("1 minute")
    }
    yield* events.record(certificate, "Normal", "Issued", "The certificate has been successfully issued")
    const next = settled(status)
    yield* writeStatus(Certificates, certificate, {
      ...next,
      conditions: setCondition(next.conditions, upToDate, stamp, certificate.metadata.generation),
      revision: (status.revision ?? 0) + 1,
      ...validity(parsed, renewalTime(certificate.spec, parsed.notBefore, parsed.notAfter)),
    })
    yield* store.delete(Secrets, { namespace, name: keySecretName }).pipe(Effect.catchTag("NotFound", () => Effect.void))
    yield* pruneRequests(certificate)
    // The Secret's own change wakes the Certificate; the renewal is scheduled from there.
    return done
  })

/** What the issuer still lacks, or undefined when it can sign (or is not certops' to judge). */
const issuerNotReady = (certificate: Certificate) =>
  Effect.gen(function* () {
    const ref = certificate.spec.issuerRef
    if (!isCertManagerIssuerRef(ref)) return undefined
    const namespace = certificate.metadata.namespace ?? ""
    const issuer = yield* getIssuer(ref, namespace).pipe(Effect.option)
    if (issuer._tag === "None") return `${describeIssuerRef(ref, namespace)}, which does not exist`
    return isTrue(issuer.value.status?.conditions, "Ready") ? undefined : `${describeIssuerRef(ref, namespace)} to be Ready`
  })

export const makeCertificateReconciler = (): Reconciler<Certificate, unknown, ControllerServices> => ({
  name: "certificates",
  type: Certificates,
  secondaries,
  reconcile: reconcileCertificate(new Set()),
})
