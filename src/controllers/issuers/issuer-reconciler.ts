// Issuers and ClusterIssuers: Ready when they can sign. ACME issuers
// register their account (ACMEAccountRegistered / ErrRegisterACMEAccount /
// ErrUpdateACMEAccount, as users know them from cert-manager); SelfSigned is
// ready at once; CA issuers when their key pair checks out.
import { Duration, Effect } from "effect"
import type { Secret } from "../../api/core.ts"
import { ClusterIssuers, Issuers, Secrets } from "../../api/kinds.ts"
import { IssuanceSettings } from "../../settings/issuance-settings.ts"
import { keyOf, ResourceStore } from "../../store/resource-store.ts"
import type { ClusterIssuer, Issuer } from "../../api/issuer.ts"
import type { ResourceType } from "../../api/resource-type.ts"
import type { AcmeError } from "../../acme/errors.ts"
import { EventRecorder } from "../../store/event-recorder.ts"
import { done, holdFor, requeueAfter, type ReconcileResult, type Reconciler, type Secondary } from "../../runtime/reconciler.ts"
import type { ControllerServices } from "../services.ts"
import { managedSecretsSelector } from "../../api/annotations.ts"
import { findCondition } from "../shared/conditions.ts"
import { issuerSecretNamespace } from "../shared/issuer-lookup.ts"
import { accountClient, ensureAccountKey, keyHash } from "./acme-account.ts"
import { loadCaKeyPair } from "./ca-issuer.ts"
import { setIssuerReady } from "./ready-condition.ts"
import { describeSpecProblems, specProblems } from "../../rules/spec-problems.ts"

/** As cert-manager words it: "Failed to update ACME account:400 urn:…:invalidEmail: <detail>". */
const acmeFailureMessage = (verb: string, failure: AcmeError) => {
  const problem = [failure.status, failure.problemType].filter((part) => part !== undefined).join(" ")
  return problem === "" ? `${verb}: ${failure.detail}` : `${verb}:${problem}: ${failure.detail}`
}

/** A refused registration needs a spec change (which wakes the issuer); look again now and then anyway. */
const refusedRetry = "5 minutes"

const reconcileIssuer = <I extends Issuer | ClusterIssuer>(type: ResourceType<I>) =>
  (issuer: I): Effect.Effect<ReconcileResult, unknown, ControllerServices> =>
    Effect.gen(function* () {
      const events = yield* EventRecorder
      const { issuerSecretRecheck } = yield* IssuanceSettings
      const reverify = Duration.times(issuerSecretRecheck, 20)
      const namespace = yield* issuerSecretNamespace(issuer)
      const ready = findCondition(issuer.status?.conditions, "Ready")
      const spec = issuer.spec
      /** Not Ready, with an Event when the reason or message is new. */
      const notReady = (reason: string, message: string) =>
        Effect.gen(function* () {
          if (ready?.reason !== reason || ready.message !== message) yield* events.record(issuer, "Warning", reason, message)
          yield* setIssuerReady(type, issuer, { status: "False", reason, message })
        })

      // The rules `certops check` applies to Git that no admission policy holds, for an issuer made in the cluster.
      const problems = specProblems(issuer)
      if (problems.length > 0) {
        yield* notReady("InvalidSpec", describeSpecProblems(problems))
        // Only a spec change can fix it, and a spec change wakes the issuer.
        return done
      }

      if (spec.selfSigned !== undefined) {
        yield* setIssuerReady(type, issuer, { status: "True", reason: "IsReady", message: "" })
        return done
      }

      if (spec.ca !== undefined) {
        const check = yield* loadCaKeyPair(spec.ca, namespace)
        if (check.ready) {
          if (ready?.status !== "True") yield* events.record(issuer, "Normal", "KeyPairVerified", "Signing CA verified")
          yield* setIssuerReady(type, issuer, { status: "True", reason: "KeyPairVerified", message: "Signing CA verified" })
        } else {
          yield* notReady(check.reason, check.message)
          // A key pair the user has yet to create wakes nothing: Secrets are watched only when certops' own.
          return requeueAfter(issuerSecretRecheck)
        }
        return requeueAfter(reverify)
      }

      const acme = spec.acme
      if (acme === undefined) return done
      const email = acme.email ?? ""
      const previous = issuer.status?.acme
      const keyPem = yield* ensureAccountKey(acme, namespace).pipe(Effect.result)
      if (keyPem._tag === "Failure") {
        yield* notReady("ErrRegisterACMEAccount", `Failed to register ACME account: ${keyPem.failure.message}`)
        return requeueAfter(refusedRetry)
      }
      const hash = keyHash(keyPem.success)
      const registered = previous?.uri !== undefined && previous.uri !== ""
      if (registered && ready?.status === "True" && previous.lastRegisteredEmail === email && previous.lastPrivateKeyHash === hash) return requeueAfter(reverify)

      // An account known under this key whose email changed is an update, as cert-manager reports it.
      const updating = registered && previous.lastPrivateKeyHash === hash
      const client = yield* accountClient(acme, namespace, keyPem.success).pipe(Effect.result)
      if (client._tag === "Failure") {
        yield* notReady("ErrRegisterACMEAccount", `Failed to register ACME account: ${client.failure.message}`)
        return requeueAfter(refusedRetry)
      }
      const outcome = yield* client.success.registerAccount({ termsOfServiceAgreed: true, ...(email === "" ? {} : { email }) }).pipe(Effect.result)
      if (outcome._tag === "Failure") {
        const reason = updating ? "ErrUpdateACMEAccount" : "ErrRegisterACMEAccount"
        const message = acmeFailureMessage(updating ? "Failed to update ACME account" : "Failed to register ACME account", outcome.failure)
        yield* events.record(issuer, "Warning", reason, message)
        yield* setIssuerReady(type, issuer, { status: "False", reason, message })
        if (!outcome.failure.retryable) return requeueAfter(refusedRetry)
        return outcome.failure.retryAfterMillis === undefined ? requeueAfter("30 seconds") : holdFor(outcome.failure.retryAfterMillis)
      }
      const message = "The ACME account was registered with the ACME server"
      if (ready?.status !== "True") yield* events.record(issuer, "Normal", "ACMEAccountRegistered", message)
      yield* setIssuerReady(type, issuer, { status: "True", reason: "ACMEAccountRegistered", message }, {
        uri: outcome.success.accountUrl,
        lastRegisteredEmail: email,
        lastPrivateKeyHash: hash,
      })
      return done
    })

/**
 * An issuer is woken by the Secrets it reads (its CA key pair, account key,
 * EAB key) when certops manages them; a user's own are re-read on a timer.
 */
export const secretsReadBy = (issuer: Issuer | ClusterIssuer): ReadonlyArray<string> =>
  [issuer.spec.ca?.secretName, issuer.spec.acme?.privateKeySecretRef.name, issuer.spec.acme?.externalAccountBinding?.keySecretRef.name].filter(
    (name): name is string => name !== undefined,
  )

const wakeIssuersReading = <I extends Issuer | ClusterIssuer>(type: ResourceType<I>): Secondary<Secret> => ({
  type: Secrets,
  labelSelector: managedSecretsSelector,
  toPrimary: (secret) =>
    Effect.gen(function* () {
      const store = yield* ResourceStore
      const settings = yield* IssuanceSettings
      const issuers = yield* store.list(type, type.namespaced ? { namespace: secret.metadata.namespace ?? "" } : {})
      if (!type.namespaced && secret.metadata.namespace !== settings.clusterResourceNamespace) return []
      return issuers.filter((issuer) => secretsReadBy(issuer).includes(secret.metadata.name)).map(keyOf)
    }).pipe(Effect.orElseSucceed(() => [])),
})

export const issuerReconciler: Reconciler<Issuer, unknown, ControllerServices> = {
  name: "issuers",
  type: Issuers,
  secondaries: [wakeIssuersReading(Issuers)],
  reconcile: reconcileIssuer(Issuers),
}

export const clusterIssuerReconciler: Reconciler<ClusterIssuer, unknown, ControllerServices> = {
  name: "clusterissuers",
  type: ClusterIssuers,
  secondaries: [wakeIssuersReading(ClusterIssuers)],
  reconcile: reconcileIssuer(ClusterIssuers),
}
