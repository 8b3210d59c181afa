// Certificates: keep the Secret holding a valid certificate for the spec.
// Each pass decides from the store alone (restart-safe): up to date → Ready
// and wait for renewal; otherwise drive one issuance — key, request, install —
// backing off 1 h·2^(n-1) up to 32 h after failures.
import { Clock, Duration, Effect } from "effect"
import type { Certificate } from "../../api/certificate.ts"
import type { CertificateRequest } from "../../api/certificate-request.ts"
import type { Secret } from "../../api/core.ts"
import { CertificateRequests, Certificates, Secrets } from "../../api/kinds.ts"
import { IssuanceSettings } from "../../settings/issuance-settings.ts"
import { parseCertificate, splitPemChain } from "../../pki/certificate.ts"
import { EventRecorder } from "../../store/event-recorder.ts"
import { ResourceStore } from "../../store/resource-store.ts"
import { isFinished } from "../certificaterequests/certificaterequest-reconciler.ts"
import { done, requeueAfter, type ReconcileResult, type Reconciler } from "../../runtime/reconciler.ts"
import type { ControllerServices } from "../services.ts"
import { annotations } from "../../api/annotations.ts"
import { findCondition, isTrue, removeCondition, setCondition, type ConditionUpdate } from "../shared/conditions.ts"
import { getIssuer } from "../shared/issuer-lookup.ts"
import { describeIssuerRef, isCertManagerIssuerRef } from "../../rules/issuer-refs.ts"
import { secretText } from "../shared/secret-data.ts"
import { formatTimestamp } from "../shared/time.ts"
import { createRequest, requestNameFor } from "./certificate-request.ts"
import { ensureNextPrivateKey } from "./next-private-key.ts"
import { nextAttemptTime, renewalTime } from "./renewal.ts"
import { evaluateSecret } from "./secret-evaluation.ts"
import { writeCertificateSecret } from "./secret-writer.ts"
import { pruneRequests } from "./request-history.ts"
import { secondaries } from "./wakeups.ts"

type Status = NonNullable<Certificate["status"]>

/** Who else claims the Secret, if anyone: another Certificate or another controller. */
const foreignOwner = (certificate: Certificate, secret: Secret | undefined): string | undefined => {
  if (secret === undefined) return undefined
  const claimedBy = secret.metadata.annotations?.[annotations.certificateName]
  if (claimedBy !== undefined && claimedBy !== certificate.metadata.name) return `Certificate "${claimedBy}"`
  const controller = secret.metadata.ownerReferences?.find((reference) => reference.controller === true)
  if (controller !== undefined && controller.uid !== certificate.metadata.uid) return `${controller.kind} "${controller.name}"`
  return undefined
}

const reconcileCertificate = (certificate: Certificate): Effect.Effect<ReconcileResult, unknown, ControllerServices> =>
  Effect.gen(function* () {
    const store = yield* ResourceStore
    const events = yield* EventRecorder
    const settings = yield* IssuanceSettings
    const now = new Date(yield* Clock.currentTimeMillis)
    const stamp = formatTimestamp(now)
    const namespace = certificate.metadata.namespace ?? ""
    const generation = certificate.metadata.generation
    let current = certificate

    const writeStatus = (status: Status) =>
      Effect.gen(function* () {
        current = yield* store.updateStatus(Certificates, { ...current, status })
      })
    const withConditions = (status: Status, ...updates: ReadonlyArray<ConditionUpdate>): Status => ({
      ...status,
      conditions: updates.reduce((all, update) => setCondition(all, update, stamp, generation), status.conditions ?? []),
    })

    const secret = yield* store.get(Secrets, { namespace, name: certificate.spec.secretName }).pipe(Effect.option)
    const existingSecret = secret._tag === "Some" ? secret.value : undefined
    const owner = foreignOwner(certificate, existingSecret)
    if (owner !== undefined) {
      const message = `Secret "${certificate.spec.secretName}" is already managed by ${owner}; refusing to overwrite it`
      if (findCondition(certificate.status?.conditions, "Ready")?.message !== message) yield* events.record(certificate, "Warning", "SecretInUse", message)
      yield* writeStatus(withConditions(certificate.status ?? {}, { type: "Ready", status: "False", reason: "SecretInUse", message }))
      return done
    }

    const verdict = yield* evaluateSecret(certificate, existingSecret, now)
    if (verdict._tag === "UpToDate") {
      // A crash between writing the Secret and recording the issuance leaves the
      // request Ready with the very certificate the Secret holds: finish it now.
      const pending = yield* store.get(CertificateRequests, { namespace, name: requestNameFor(certificate) }).pipe(Effect.option)
      if (
        pending._tag === "Some" &&
        pending.value.status?.certificate !== undefined &&
        Buffer.from(pending.value.status.certificate, "base64").toString("utf8") === secretText(existingSecret, "tls.crt")
      ) {
        return yield* settleRequest(current, pending.value, existingSecret, writeStatus, withConditions, stamp, { secretWritten: true })
      }
      const { nextPrivateKeySecretName: _next, failedIssuanceAttempts: _attempts, lastFailureTime: _failure, ...rest } = certificate.status ?? {}
      const status = withConditions(
        { ...rest, conditions: removeCondition(rest.conditions, "Issuing") },
        { type: "Ready", status: "True", reason: "Ready", message: "Certificate is up to date and has not expired" },
      )
      yield* writeStatus({
        ...status,
        notBefore: formatTimestamp(verdict.certificate.notBefore),
        notAfter: formatTimestamp(verdict.certificate.notAfter),
        renewalTime: formatTimestamp(verdict.renewal),
      })
      return requeueAfter(Duration.millis(Math.min(verdict.renewal.getTime() - now.getTime(), 12 * 3_600_000)))
    }

    // An issuance is needed. A failed attempt backs off before the next one.
    const failures = certificate.status?.failedIssuanceAttempts ?? 0
    const lastFailure = certificate.status?.lastFailureTime
    const requestName = requestNameFor(certificate)
    const request = yield* store.get(CertificateRequests, { namespace, name: requestName }).pipe(Effect.option)
    if (failures > 0 && lastFailure !== undefined && request._tag === "None") {
      const next = nextAttemptTime(new Date(lastFailure), failures, Duration.toMillis(settings.issuanceBackoffBase), Duration.toMillis(settings.issuanceBackoffMax))
      if (next.getTime() > now.getTime()) {
        const ready = findCondition(certificate.status?.conditions, "Ready")
        const message = `${ready?.message?.replace(/ Next attempt at .*$/, "") ?? "Issuance failed."} Next attempt at ${formatTimestamp(next)}.`
        yield* writeStatus(withConditions(certificate.status ?? {}, { type: "Ready", status: "False", reason: ready?.reason ?? "Failed", message }))
        return requeueAfter(Duration.millis(next.getTime() - now.getTime()))
      }
    }

    if (!isTrue(certificate.status?.conditions, "Issuing")) {
      yield* events.record(certificate, "Normal", "Issuing", verdict.message)
      yield* writeStatus(
        withConditions(
          certificate.status ?? {},
          { type: "Issuing", status: "True", reason: verdict.reason, message: verdict.message },
          ...(isTrue(certificate.status?.conditions, "Ready") ? [] : [{ type: "Ready", status: "False" as const, reason: verdict.reason, message: verdict.message }]),
        ),
      )
    }

    if (request._tag === "None") {
      // No key or request until the issuer can sign: a Certificate waiting on
      // a missing or broken issuer costs nothing (its readiness wakes it).
      const waiting = yield* issuerNotReady(certificate)
      if (waiting !== undefined) {
        const message = `${verdict.message}; waiting for ${waiting}`
        if (findCondition(current.status?.conditions, "Issuing")?.message !== message) {
          yield* writeStatus(withConditions(current.status ?? {}, { type: "Issuing", status: "True", reason: "IssuerNotReady", message }))
        }
        return done
      }
      const currentKey = secretText(existingSecret, "tls.key")
      const key = yield* ensureNextPrivateKey(current, currentKey)
      if (current.status?.nextPrivateKeySecretName !== key.secretName) yield* writeStatus({ ...current.status, nextPrivateKeySecretName: key.secretName })
      yield* createRequest(current, key.keyPem, key.secretName)
      return done
    }
    return yield* settleRequest(current, request.value, existingSecret, writeStatus, withConditions, stamp)
  })

/** The request has an outcome (or not yet): install it, or record the failure. */
const settleRequest = (
  certificate: Certificate,
  request: CertificateRequest,
  existingSecret: Secret | undefined,
  writeStatus: (status: Status) => Effect.Effect<void, unknown, ResourceStore>,
  withConditions: (status: Status, ...updates: ReadonlyArray<ConditionUpdate>) => Status,
  stamp: string,
  options: { readonly secretWritten?: boolean } = {},
) =>
  Effect.gen(function* () {
    const store = yield* ResourceStore
    const events = yield* EventRecorder
    if (!isFinished(request)) return done
    const namespace = certificate.metadata.namespace ?? ""
    const ready = findCondition(request.status?.conditions, "Ready")
    if (ready?.status !== "True" || request.status?.certificate === undefined) {
      const message = `The certificate request has failed to complete and will be retried: ${ready?.message ?? "unknown failure"}`
      yield* events.record(certificate, "Warning", "Failed", message)
      const failures = (certificate.status?.failedIssuanceAttempts ?? 0) + 1
      yield* writeStatus({
        ...withConditions(
          certificate.status ?? {},
          { type: "Issuing", status: "False", reason: "Failed", message },
          { type: "Ready", status: "False", reason: "Failed", message },
        ),
        failedIssuanceAttempts: failures,
        lastFailureTime: stamp,
      })
      return done
    }

    const keySecretName = request.metadata.annotations?.[annotations.privateKeySecretName] ?? ""
    const keySecret = options.secretWritten === true ? existingSecret : yield* store.get(Secrets, { namespace, name: keySecretName })
    const keyPem = secretText(keySecret, "tls.key") ?? ""
    const chainPem = Buffer.from(request.status.certificate, "base64").toString("utf8")
    const caPem = request.status.ca === undefined ? "" : Buffer.from(request.status.ca, "base64").toString("utf8")
    const leaf = splitPemChain(chainPem)[0] ?? chainPem
    const parsed = yield* parseCertificate(leaf)
    const written = options.secretWritten === true ? true : yield* writeCertificateSecret(certificate, existingSecret, { chainPem, keyPem, caPem, parsed }).pipe(
      Effect.as(true),
      Effect.catchTag("KeystorePasswordMissing", (missing) =>
        Effect.gen(function* () {
          if (findCondition(certificate.status?.conditions, "Ready")?.message !== missing.detail) yield* events.record(certificate, "Warning", "KeystorePasswordMissing", missing.detail)
          yield* writeStatus(withConditions(certificate.status ?? {}, { type: "Ready", status: "False", reason: "KeystorePasswordMissing", message: missing.detail }))
          return false
        }),
      ),
    )
    // Signed and kept in its request; installed once the password exists (checked again now and then).
    if (!written) return requeueAfter("1 minute")
    yield* events.record(certificate, "Normal", "Issued", "The certificate has been successfully issued")
    const { nextPrivateKeySecretName: _next, failedIssuanceAttempts: _attempts, lastFailureTime: _failure, ...rest } = certificate.status ?? {}
    yield* writeStatus({
      ...withConditions(
        { ...rest, conditions: removeCondition(rest.conditions, "Issuing") },
        { type: "Ready", status: "True", reason: "Ready", message: "Certificate is up to date and has not expired" },
      ),
      revision: (certificate.status?.revision ?? 0) + 1,
      notBefore: formatTimestamp(parsed.notBefore),
      notAfter: formatTimestamp(parsed.notAfter),
      renewalTime: formatTimestamp(renewalTime(certificate.spec, parsed.notBefore, parsed.notAfter)),
    })
    yield* store.delete(Secrets, { namespace, name: keySecretName }).pipe(Effect.catchTag("NotFound", () => Effect.void))
    yield* pruneRequests(certificate)
    // The next pass sees the new Secret as up to date and schedules the renewal.
    return requeueAfter(0)
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

export const certificateReconciler: Reconciler<Certificate, unknown, ControllerServices> = {
  name: "certificates",
  type: Certificates,
  secondaries,
  reconcile: reconcileCertificate,
}

