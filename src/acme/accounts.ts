// One ACME client per account, shared by every controller that talks to
// that account's server, and the request counts behind the metrics.
import { createHash } from "node:crypto"
import { Context, Effect, Layer } from "effect"
import { IssuanceSettings } from "../settings/issuance-settings.ts"
import { makeAcmeClient, type AcmeClient, type AcmeClientConfig } from "./client.ts"

export interface AcmeRequestCount {
  readonly operation: string
  readonly status: string
  readonly count: number
}

export interface AcmeAccountsService {
  readonly client: (config: Omit<AcmeClientConfig, "observe" | "maxBadNonceRetries">) => AcmeClient
  /** ACME requests made so far, by operation and HTTP status ("error" for transport failures). */
  readonly requestCounts: () => ReadonlyArray<AcmeRequestCount>
}

export class AcmeAccounts extends Context.Service<AcmeAccounts, AcmeAccountsService>()("certops/acme/AcmeAccounts") {}

const cacheKey = (config: Omit<AcmeClientConfig, "observe" | "maxBadNonceRetries">) =>
  createHash("sha256")
    .update(JSON.stringify([config.directoryUrl, config.accountKeyPem, config.accountUrl, config.caBundlePem, config.skipTLSVerify, config.externalAccountBinding?.keyId]))
    .digest("hex")

export const acmeAccountsLayer = Layer.effect(
  AcmeAccounts,
  Effect.gen(function* () {
    const settings = yield* IssuanceSettings
    const clients = new Map<string, AcmeClient>()
    const counts = new Map<string, number>()
    const observe = (operation: string, status: number | "error") => {
      const key = `${operation}\u0000${status}`
      counts.set(key, (counts.get(key) ?? 0) + 1)
    }
    return AcmeAccounts.of({
      client: (config) => {
        const key = cacheKey(config)
        let client = clients.get(key)
        if (client === undefined) {
          client = makeAcmeClient({ ...config, observe, maxBadNonceRetries: settings.acmeMaxBadNonceRetries })
          clients.set(key, client)
        }
        return client
      },
      requestCounts: () =>
        [...counts].map(([key, count]) => {
          const [operation = "", status = ""] = key.split("\u0000")
          return { operation, status, count }
        }),
    })
  }),
)
