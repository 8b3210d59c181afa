// Driving one ACME authorization with certops' solvers, for the solver
// integration tests: the ACME server validates what the solver presented.
import * as acme from "acme-client"
import { Effect, Schedule } from "effect"
import type { Challenge } from "../../../src/api/acme-challenge.ts"
import { makeAcmeClient, type AcmeClient } from "../../../src/acme/client.ts"
import type { AcmeServer } from "../../env/pebble.ts"

export const newAcmeClient = (server: AcmeServer) =>
  Effect.promise(() => acme.crypto.createPrivateKey()).pipe(
    Effect.map((key) => makeAcmeClient({ directoryUrl: server.directoryUrl, accountKeyPem: key.toString(), caBundlePem: server.tlsCaPem })),
  )

/** Polls until the authorization leaves pending. */
export const settledAuthorization = (client: AcmeClient, url: string) =>
  client.getAuthorization(url).pipe(
    Effect.flatMap((authorization) => (authorization.status === "pending" ? Effect.fail("pending" as const) : Effect.succeed(authorization))),
    Effect.retry({ schedule: Schedule.spaced("200 millis"), while: (error) => error === "pending", times: 150 }),
  )

/**
 * Opens an order for dnsName and returns what a Challenge needs of its
 * `type` challenge: the URLs, token and key (key authorization or its digest).
 */
export const openChallenge = (client: AcmeClient, dnsName: string, type: "http-01" | "dns-01") =>
  Effect.gen(function* () {
    yield* client.registerAccount({ termsOfServiceAgreed: true })
    const order = yield* client.createOrder([{ type: "dns", value: dnsName }])
    const authorizationUrl = order.authorizations[0]!
    const authorization = yield* client.getAuthorization(authorizationUrl)
    const challenge = authorization.challenges.find((candidate) => candidate.type === type)!
    return { authorizationUrl, url: challenge.url, token: challenge.token, key: yield* client.keyAuthorization(challenge) }
  })

export const challengeFor = (
  opened: { readonly authorizationUrl: string; readonly url: string; readonly token: string; readonly key: string },
  spec: Pick<Challenge["spec"], "dnsName" | "type" | "solver" | "issuerRef">,
  namespace: string,
  name: string,
): Challenge => ({
  apiVersion: "acme.cert-manager.io/v1",
  kind: "Challenge",
  metadata: { name, namespace },
  spec: { ...spec, url: opened.url, authorizationURL: opened.authorizationUrl, token: opened.token, key: opened.key },
})
