// One Challenge per pending authorization, with the solver the issuer's
// selectors pick; named `<order>-<index>` as cert-manager shows them.
import { Effect } from "effect"
import type { Challenge } from "../../api/acme-challenge.ts"
import type { Order } from "../../api/acme-order.ts"
import type { AcmeIssuer } from "../../api/issuer.ts"
import { Challenges } from "../../api/kinds.ts"
import type { AcmeClient } from "../../acme/client.ts"
import { EventRecorder } from "../../store/event-recorder.ts"
import { ResourceStore } from "../../store/resource-store.ts"
import { childName, controllerReference } from "../shared/owners.ts"
import { applySolverOverrides } from "../../rules/solver-overrides.ts"
import { selectSolver } from "../../rules/solver-selection.ts"

export type ChallengeCreation = { readonly _tag: "Created"; readonly names: ReadonlyArray<string> } | { readonly _tag: "NoSolver"; readonly message: string }

export const challengeName = (order: Order, index: number): string => childName(order.metadata.name, String(index))

export const ensureChallenges = (order: Order, acme: AcmeIssuer, client: AcmeClient) =>
  Effect.gen(function* () {
    const store = yield* ResourceStore
    const events = yield* EventRecorder
    const namespace = order.metadata.namespace ?? ""
    const names: Array<string> = []
    const authorizations = order.status?.authorizations ?? []
    for (const [index, authorization] of authorizations.entries()) {
      if (authorization.initialState === "valid") continue
      const name = challengeName(order, index)
      names.push(name)
      const exists = yield* store.get(Challenges, { namespace, name }).pipe(Effect.option)
      if (exists._tag === "Some") continue
      const dnsName = authorization.identifier ?? ""
      const wildcard = authorization.wildcard ?? false
      const offered = (authorization.challenges ?? []).map((challenge) => challenge.type)
      const picked = selectSolver(acme.solvers ?? [], { name: dnsName, wildcard, offeredTypes: offered }, order.metadata.labels ?? {})
      if (picked === undefined) {
        return { _tag: "NoSolver", message: `Failed to determine a valid solver configuration for the set of domains on the Order: no configured challenge solvers can be used for this challenge (${wildcard ? "*." : ""}${dnsName})` } as ChallengeCreation
      }
      const solver = applySolverOverrides(picked.solver, order.metadata.annotations, namespace)
      if (typeof solver === "string") return { _tag: "NoSolver", message: `Failed to apply the Certificate's HTTP-01 overrides: ${solver}` } as ChallengeCreation
      const offer = (authorization.challenges ?? []).find((challenge) => challenge.type === picked.challengeType)!
      const key = yield* client.keyAuthorization({ type: offer.type, token: offer.token })
      const challenge: Challenge = {
        apiVersion: "acme.cert-manager.io/v1",
        kind: "Challenge",
        metadata: {
          name,
          namespace,
          ownerReferences: [controllerReference(order)],
          ...(order.metadata.labels === undefined ? {} : { labels: order.metadata.labels }),
        },
        spec: {
          url: offer.url,
          authorizationURL: authorization.url,
          dnsName,
          wildcard,
          type: picked.challengeType === "http-01" ? "HTTP-01" : "DNS-01",
          token: offer.token,
          key,
          solver,
          issuerRef: order.spec.issuerRef,
        },
      }
      const created = yield* store.create(Challenges, challenge).pipe(
        Effect.as(true),
        Effect.catchTag("AlreadyExists", () => Effect.succeed(false)),
      )
      if (created) yield* events.record(order, "Normal", "Created", `Created Challenge resource "${name}" for domain "${dnsName}"`)
    }
    return { _tag: "Created", names } as ChallengeCreation
  })
