// Every issuance controller and the challenge scheduler, started together in
// the current scope; nothing here knows which store backend runs underneath.
import { Effect, type Scope } from "effect"
import { IssuanceSettings } from "../settings/issuance-settings.ts"
import { runChallengeScheduler } from "../scheduler/challenge-scheduler.ts"
import { certificateRequestReconciler } from "./certificaterequests/certificaterequest-reconciler.ts"
import { certificateReconciler } from "./certificates/certificate-reconciler.ts"
import { makeChallengeReconciler } from "./challenges/challenge-reconciler.ts"
import { clusterIssuerReconciler, issuerReconciler } from "./issuers/issuer-reconciler.ts"
import { makeOrderReconciler } from "./orders/order-reconciler.ts"
import { runReconciler } from "../runtime/reconciler.ts"
import type { ControllerServices } from "./services.ts"

export const runIssuance: Effect.Effect<void, never, ControllerServices | Scope.Scope> = Effect.gen(function* () {
  const { namespace, maxConcurrentReconciles } = yield* IssuanceSettings
  const scope = { maxConcurrentReconciles, ...(namespace === undefined ? {} : { namespace }) }
  yield* runReconciler(issuerReconciler, scope)
  yield* runReconciler(clusterIssuerReconciler, scope)
  yield* runReconciler(certificateReconciler, scope)
  yield* runReconciler(certificateRequestReconciler, scope)
  yield* runReconciler(makeOrderReconciler(), scope)
  yield* runReconciler(makeChallengeReconciler(), scope)
  yield* runChallengeScheduler
})
