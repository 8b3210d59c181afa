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

type AccountConfig = Omit<AcmeClientConfig, "observe" | "maxBadNonceRetries">

export interface AcmeAccountsService {
  readonly client: (config: AccountConfig) => AcmeClient
  /**
   * The client last made for `owner` (an issuer) at `version` (of what its
   * account depends on), or a new one from `config`: the account key is read
   * only when the version moves.
   */
  readonly clientFor: <E, R>(owner: string, version: string, config: Effect.Effect<AccountConfig, E, R>) => Effect.Effect<AcmeClient, E, R>
  /** ACME requests made so far, by operation and HTTP status ("error" for transport failures). */
  readonly requestCounts: () => ReadonlyArray<AcmeRequestCount>
}

export class AcmeAccounts extends Context.Service<AcmeAccounts, AcmeAccountsService>()("certops/acme/AcmeAccounts") {}

const cacheKey = (config: AccountConfig) =>
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
    const client = (config: AccountConfig) => {
      const key = cacheKey(config)
      let made = clients.get(key)
      if (made === undefined) {
        made = makeAcmeClient({ ...config, observe, maxBadNonceRetries: settings.acmeMaxBadNonceRetries })
        clients.set(key, made)
      }
      return made
    }
    const owned = new Map<string, { readonly version: string; readonly client: AcmeClient }>()
    return AcmeAccounts.of({
      client,
      clientFor: (owner, version, config) =>
        Effect.suspend(() => {
          const known = owned.get(owner)
          if (known?.version === version) return Effect.succeed(known.client)
          return Effect.map(config, (resolved) => {
            const made = client(resolved)
            owned.set(owner, { version, client: made })
            return made
          })
        }),
      requestCounts: () =>
        [...counts].map(([key, count]) => {
          const [operation = "", status = ""] = key.split("\u0000")
          return { operation, status, count }
        }),
    })
  }),
)
