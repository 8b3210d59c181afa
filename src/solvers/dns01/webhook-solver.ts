// The DNS-01 solver for cert-manager's webhook solver API: present and
// cleanUp send the solver a ChallengeRequest (action Present / CleanUp) with
// the record's resolved name and zone, found as cert-manager finds them
// (through the recursive nameservers, following CNAMEs with cnameStrategy
// Follow); selfCheck is the same DNS check as for RFC 2136. Any of the
// community solvers written for cert-manager works unchanged.
import { Context, Effect } from "effect"
import type { Challenge } from "../../api/acme-challenge.ts"
import type { WebhookSolver } from "../../api/issuer.ts"
import { isClusterIssuerRef } from "../../rules/issuer-refs.ts"
import { IssuanceSettings } from "../../settings/issuance-settings.ts"
import { SolverError, type ChallengeSolver, type SelfCheckResult } from "../solver.ts"
import { locateChallengeRecord } from "./challenge-record.ts"
import { recursiveNameservers, selfCheckChallenge } from "./dns01-self-check.ts"
import { DnsTransport } from "./dns-transport.ts"
import { SolverWebhooks, type ChallengeRequest } from "./solver-webhooks.ts"

const SOLVER = "webhook"

const solverError = (detail: string, retryable: boolean) => new SolverError({ solver: SOLVER, detail, retryable })

const webhookOf = (challenge: Challenge): WebhookSolver | undefined => challenge.spec.solver.dns01?.webhook

export const makeWebhookSolver: Effect.Effect<ChallengeSolver, never, DnsTransport> = Effect.gen(function* () {
  const settings = yield* IssuanceSettings
  const services = Context.pick(DnsTransport)(yield* Effect.context<DnsTransport>())
  const webhooks = yield* SolverWebhooks

  const resolvers = Effect.fromResult(recursiveNameservers(settings)).pipe(Effect.mapError((detail) => solverError(detail, false)))

  const call = (action: ChallengeRequest["action"], challenge: Challenge, webhook: WebhookSolver) =>
    Effect.gen(function* () {
      const nameservers = yield* resolvers
      const record = yield* locateChallengeRecord(challenge, { cname: nameservers, zone: nameservers }).pipe(
        Effect.mapError((error) => solverError(error.detail, error.retryable)),
      )
      const clusterScoped = isClusterIssuerRef(challenge.spec.issuerRef)
      const response = yield* webhooks
        .call(webhook, {
          uid: challenge.metadata.uid ?? "",
          action,
          type: "dns-01",
          dnsName: challenge.spec.dnsName,
          key: challenge.spec.key,
          // Where the solver reads its credentials' Secrets, as cert-manager tells it.
          resourceNamespace: clusterScoped ? settings.clusterResourceNamespace : (challenge.metadata.namespace ?? "default"),
          resolvedFQDN: record.fqdn,
          resolvedZone: record.zone,
          // cert-manager's defaults: ambient credentials for ClusterIssuers, not for Issuers.
          allowAmbientCredentials: clusterScoped,
          ...(webhook.config === undefined ? {} : { config: webhook.config }),
        })
        .pipe(Effect.mapError((error) => solverError(error.detail, error.retryable)))
      if (!response.success) {
        const said = response.status?.message ?? ""
        return yield* solverError(
          said === "" ? `the webhook solver ${webhook.solverName}.${webhook.groupName} answered success: false without a message` : said,
          true,
        )
      }
    }).pipe(
      Effect.provideContext(services),
      Effect.withSpan(`webhook.${action}`, { attributes: { dnsName: challenge.spec.dnsName, solver: `${webhook.solverName}.${webhook.groupName}` } }),
    )

  const present = (challenge: Challenge) => {
    const webhook = webhookOf(challenge)
    return webhook === undefined ? Effect.fail(solverError("the Challenge's solver has no dns01.webhook section", false)) : call("Present", challenge, webhook)
  }

  const cleanUp = (challenge: Challenge) => {
    const webhook = webhookOf(challenge)
    return webhook === undefined ? Effect.void : call("CleanUp", challenge, webhook)
  }

  const selfCheck = (challenge: Challenge): Effect.Effect<SelfCheckResult> =>
    selfCheckChallenge(settings, challenge).pipe(Effect.provideContext(services))

  return { present, selfCheck, cleanUp }
})
