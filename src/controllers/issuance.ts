// Every issuance controller and the challenge scheduler, started together in
// the current scope; nothing here knows which store backend runs underneath.
import { Effect, type Scope } from "effect"
import { runChallengeScheduler } from "../scheduler/challenge-scheduler.ts"
import { certificateRequestReconciler } from "./certificaterequests/certificaterequest-reconciler.ts"
import { certificateReconciler } from "./certificates/certificate-reconciler.ts"
import { makeChallengeReconciler } from "./challenges/challenge-reconciler.ts"
import { clusterIssuerReconciler, issuerReconciler } from "./issuers/issuer-reconciler.ts"
import { makeOrderReconciler } from "./orders/order-reconciler.ts"
import { runReconciler } from "./runtime/reconciler.ts"
import type { ControllerServices } from "./runtime/services.ts"

export const runIssuance: Effect.Effect<void, never, ControllerServices | Scope.Scope> = Effect.gen(function* () {
  yield* runReconciler(issuerReconciler)
  yield* runReconciler(clusterIssuerReconciler)
  yield* runReconciler(certificateReconciler)
  yield* runReconciler(certificateRequestReconciler)
  yield* runReconciler(makeOrderReconciler())
  yield* runReconciler(makeChallengeReconciler())
  yield* runChallengeScheduler
})
