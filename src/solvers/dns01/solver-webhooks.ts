// How certops reaches a DNS-01 webhook solver: as cert-manager does, through
// the API server's aggregation layer, `POST /apis/<groupName>/v1alpha1/<solverName>`
// with a ChallengePayload; the solver's APIService routes it. On the embedded
// store there is no API server, so the default answers with why not.
import { Context, Effect, Layer, Schema } from "effect"
import { KubeClient } from "../../store/kubernetes/client.ts"
import type { KubeApiError } from "../../store/kubernetes/api-errors.ts"

/** cert-manager's webhook.acme.cert-manager.io/v1alpha1 ChallengeRequest. */
export interface ChallengeRequest {
  readonly uid: string
  readonly action: "Present" | "CleanUp"
  readonly type: "dns-01"
  readonly dnsName: string
  readonly key: string
  readonly resourceNamespace: string
  readonly resolvedFQDN: string
  readonly resolvedZone: string
  readonly allowAmbientCredentials: boolean
  readonly config?: unknown
}

const ChallengeResponse = Schema.Struct({
  uid: Schema.optionalKey(Schema.String),
  success: Schema.Boolean,
  status: Schema.optionalKey(Schema.Struct({ message: Schema.optionalKey(Schema.String), reason: Schema.optionalKey(Schema.String) })),
})
export type ChallengeResponse = typeof ChallengeResponse.Type

const ChallengePayloadAnswer = Schema.Struct({ response: ChallengeResponse })
const decodeAnswer = Schema.decodeUnknownEffect(ChallengePayloadAnswer)

export class SolverWebhookError extends Schema.TaggedError<SolverWebhookError>()("SolverWebhookError", {
  detail: Schema.String,
  retryable: Schema.Boolean,
}) {
  override get message() {
    return this.detail
  }
}

export interface SolverWebhook {
  readonly groupName: string
  readonly solverName: string
}

export interface SolverWebhooksService {
  readonly call: (webhook: SolverWebhook, request: ChallengeRequest) => Effect.Effect<ChallengeResponse, SolverWebhookError>
}

const unavailable: SolverWebhooksService = {
  call: () =>
    Effect.fail(
      new SolverWebhookError({
        detail: "webhook solvers are reached through a Kubernetes API server's aggregation layer, and the embedded store has none: run certops on the kubernetes store",
        retryable: false,
      }),
    ),
}

export const SolverWebhooks = Context.Reference<SolverWebhooksService>("certops/solvers/dns01/SolverWebhooks", {
  defaultValue: () => unavailable,
})

const resourcePath = ({ groupName, solverName }: SolverWebhook) => `/apis/${groupName}/v1alpha1/${solverName}`

/** The API server's refusal in words that say what to fix. */
const describeRefusal = (webhook: SolverWebhook, error: KubeApiError): SolverWebhookError => {
  const where = `${webhook.solverName}.${webhook.groupName}/v1alpha1`
  switch (error.status) {
    case 404:
      return new SolverWebhookError({ detail: `the API server serves no ${where}: is the solver's APIService v1alpha1.${webhook.groupName} registered? (${error.detail})`, retryable: true })
    case 403:
      return new SolverWebhookError({ detail: `certops may not create ${where}: grant it "create" on group ${webhook.groupName} (deploy/webhook-solvers/clusterrole.yaml) (${error.detail})`, retryable: true })
    case 503:
      return new SolverWebhookError({ detail: `the solver behind APIService v1alpha1.${webhook.groupName} is unavailable: ${error.detail}`, retryable: true })
    default:
      return new SolverWebhookError({ detail: `calling the webhook solver ${where} failed: ${error.message}`, retryable: true })
  }
}

const kubeSolverWebhooks = (client: KubeClient["Service"]): SolverWebhooksService => ({
  call: (webhook, request) =>
    client
      .request({
        method: "POST",
        path: resourcePath(webhook),
        body: { apiVersion: "webhook.acme.cert-manager.io/v1alpha1", kind: "ChallengePayload", request },
      })
      .pipe(
        Effect.mapError((error) => describeRefusal(webhook, error)),
        Effect.flatMap((answer) =>
          decodeAnswer(answer).pipe(
            Effect.mapError(
              (error) => new SolverWebhookError({ detail: `the webhook solver ${webhook.solverName}.${webhook.groupName} answered without a ChallengeResponse: ${error.message}`, retryable: true }),
            ),
          ),
        ),
        Effect.map((answer) => answer.response),
      ),
})

/** Webhook solvers over the KubeClient in context. */
export const kubeSolverWebhooksLayer = Layer.effect(SolverWebhooks, Effect.map(KubeClient, kubeSolverWebhooks))
