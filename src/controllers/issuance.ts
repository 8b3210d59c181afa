// Every issuance controller and the challenge scheduler, started together in
// the current scope; nothing here knows which store backend runs underneath.
import { Effect, type Scope } from "effect"
import { runReconciler } from "../runtime/reconciler.ts"
import { makeChallengeScheduler } from "../scheduler/challenge-scheduler.ts"
import { IssuanceSettings } from "../settings/issuance-settings.ts"
import { certificateRequestReconciler } from "./certificaterequests/certificaterequest-reconciler.ts"
import { makeCertificateReconciler } from "./certificates/certificate-reconciler.ts"
import { makeChallengeReconciler } from "./challenges/challenge-reconciler.ts"
import { clusterIssuerReconciler, issuerReconciler } from "./issuers/issuer-reconciler.ts"
import { gatewayShimReconciler, ingressShimReconciler } from "./certificate-shim/shim-reconciler.ts"
import { makeOrderReconciler } from "./orders/order-reconciler.ts"
import type { ControllerServices } from "./services.ts"

export const runIssuance: Effect.Effect<void, never, ControllerServices | Scope.Scope> = Effect.gen(function* () {
  const { namespace, maxConcurrentReconciles, maxConcurrentChallenges, enableGatewayApi } = yield* IssuanceSettings
  const scope = { maxConcurrentReconciles, ...(namespace === undefined ? {} : { namespace }) }
  yield* runReconciler(issuerReconciler, scope)
  yield* runReconciler(clusterIssuerReconciler, scope)
  yield* runReconciler(makeCertificateReconciler(), scope)
  yield* runReconciler(certificateRequestReconciler, scope)
  yield* runReconciler(makeOrderReconciler(), scope)
  yield* runReconciler(ingressShimReconciler, scope)
  if (enableGatewayApi) yield* runReconciler(gatewayShimReconciler, scope)
  const scheduler = makeChallengeScheduler()
  const challenges = yield* runReconciler(makeChallengeReconciler(scheduler), scope)
  yield* scheduler.run({ limit: maxConcurrentChallenges, wake: challenges.wake, ...(namespace === undefined ? {} : { namespace }) })
})
