// The ACME client of one issuer account: a thin Effect adapter over
// acme-client. Retries live in certops, not here: acme-client's own sleeps
// are switched off so that a rate limit or an outage comes back as a typed,
// retryable AcmeError with the server's Retry-After, and the caller decides.
import { Agent } from "node:https"
import { createSecureContext, rootCertificates, type SecureContext } from "node:tls"
import * as acme from "acme-client"
import { Effect } from "effect"
import { AcmeError } from "./errors.ts"
import { callContext, instrumentHttpClient, type CallContext, type RequestObserver } from "./http-instrumentation.ts"

// acme-client's axios interceptors retry 429/5xx/network errors inside its
// promises with fixed sleeps nobody can interrupt (and, with retries set to
// zero, turn a network error into a TypeError). Without them axios returns
// every HTTP status to acme-client and rejects only on transport errors,
// which certops types and retries on its own schedule.
acme.axios.interceptors.request.clear()
acme.axios.interceptors.response.clear()

export interface AcmeClientConfig {
  readonly directoryUrl: string
  readonly accountKeyPem: string
  /** The account's URL once registered: saves a newAccount round trip. */
  readonly accountUrl?: string
  /** Extra roots to trust for the ACME server's TLS (Issuer spec.acme.caBundle). */
  readonly caBundlePem?: string
  readonly skipTLSVerify?: boolean
  readonly externalAccountBinding?: { readonly keyId: string; readonly hmacKey: string }
  /** badNonce is retryable by design; acme-client gives up after 5 by default. */
  readonly maxBadNonceRetries?: number
  readonly observe?: RequestObserver
}

export type AcmeOrder = acme.Order & { readonly url: string }
export type AcmeAuthorization = acme.Authorization & { readonly url: string }
export type AcmeChallenge = AcmeAuthorization["challenges"][number]

export interface AcmeClient {
  readonly registerAccount: (input: { readonly email?: string; readonly termsOfServiceAgreed: boolean }) => Effect.Effect<{ readonly accountUrl: string; readonly status: string }, AcmeError>
  readonly createOrder: (identifiers: ReadonlyArray<{ readonly type: "dns" | "ip"; readonly value: string }>) => Effect.Effect<AcmeOrder, AcmeError>
  readonly getOrder: (url: string) => Effect.Effect<AcmeOrder, AcmeError>
  readonly getAuthorization: (url: string) => Effect.Effect<AcmeAuthorization, AcmeError>
  /** The key authorization (http-01) or its digest (dns-01) to present. */
  readonly keyAuthorization: (challenge: { readonly type: string; readonly token: string }) => Effect.Effect<string, AcmeError>
  /** Tells the server the challenge is ready to be validated. */
  readonly acceptChallenge: (url: string) => Effect.Effect<AcmeChallenge, AcmeError>
  readonly finalizeOrder: (order: AcmeOrder, csrPem: string) => Effect.Effect<AcmeOrder, AcmeError>
  readonly downloadCertificate: (order: AcmeOrder, preferredChain?: string) => Effect.Effect<string, AcmeError>
  /** The URLs of the account's orders (RFC 8555 §7.1.2.1), following pagination. */
  readonly listOrders: () => Effect.Effect<ReadonlyArray<string>, AcmeError>
}

interface SignedApi {
  apiRequest: (url: string, payload: null, validStatusCodes: ReadonlyArray<number>) => Promise<{ data: unknown; headers: Record<string, string | undefined> }>
}

/** The rel="next" target of a Link header, if any. */
export const nextLink = (header: string | undefined): string | undefined =>
  header
    ?.split(",")
    .map((part) => /<([^>]+)>\s*;\s*rel="?next"?/.exec(part.trim())?.[1])
    .find((url) => url !== undefined)

const networkCodes = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EAI_AGAIN", "ENOTFOUND", "EPIPE", "ECONNABORTED", "EHOSTUNREACH"])

const toAcmeError = (operation: string, error: unknown, context: CallContext): AcmeError => {
  const problem = context.problem
  const text = error instanceof Error ? error.message : String(error)
  if (problem !== undefined) {
    const retryable =
      problem.status === 429 || problem.status >= 500 || problem.type === "urn:ietf:params:acme:error:badNonce" || problem.type === "urn:ietf:params:acme:error:rateLimited"
    return new AcmeError({
      operation,
      detail: problem.detail ?? text,
      status: problem.status,
      ...(problem.type === undefined ? {} : { problemType: problem.type }),
      retryable,
      ...(problem.retryAfterMillis === undefined ? {} : { retryAfterMillis: problem.retryAfterMillis }),
    })
  }
  const code = (error as { code?: string }).code
  return new AcmeError({ operation, detail: text, retryable: code !== undefined && networkCodes.has(code) })
}

// A `ca` option makes every new socket parse Node's ~140 roots again (and
// makes the agent hash them all into every request's pool key): half of
// certops' CPU while issuing. One context per bundle is built once.
const secureContexts = new Map<string, SecureContext>()
const trustingAlso = (caBundlePem: string): { secureContext: SecureContext } | { ca: Array<string> } => {
  let secureContext = secureContexts.get(caBundlePem)
  if (secureContext === undefined) {
    const ca = [...rootCertificates, caBundlePem]
    try {
      secureContext = createSecureContext({ ca })
    } catch {
      // A malformed bundle: let the request fail with the TLS error, as a typed AcmeError.
      return { ca }
    }
    secureContexts.set(caBundlePem, secureContext)
  }
  return { secureContext }
}

export const makeAcmeClient = (config: AcmeClientConfig): AcmeClient => {
  const client = new acme.Client({
    directoryUrl: config.directoryUrl,
    accountKey: config.accountKeyPem,
    ...(config.accountUrl === undefined ? {} : { accountUrl: config.accountUrl }),
    ...(config.externalAccountBinding === undefined
      ? {}
      : { externalAccountBinding: { kid: config.externalAccountBinding.keyId, hmacKey: config.externalAccountBinding.hmacKey } }),
  })
  const agent = new Agent({
    keepAlive: true,
    ...(config.caBundlePem === undefined ? {} : trustingAlso(config.caBundlePem)),
    ...(config.skipTLSVerify === true ? { rejectUnauthorized: false } : {}),
  })
  // acme-client keeps its HTTP client on a field its types do not declare.
  instrumentHttpClient((client as unknown as { http: Parameters<typeof instrumentHttpClient>[0] }).http, {
    agent,
    maxBadNonceRetries: config.maxBadNonceRetries ?? 50,
    observe: config.observe ?? (() => undefined),
  })

  const call = <A>(operation: string, run: () => Promise<A>): Effect.Effect<A, AcmeError> =>
    Effect.suspend(() => {
      const context: CallContext = { operation }
      return Effect.tryPromise({
        try: () => callContext.run(context, run),
        catch: (error) => toAcmeError(operation, error, context),
      })
    })

  return {
    registerAccount: ({ email, termsOfServiceAgreed }) =>
      call("newAccount", async () => {
        const account = await client.createAccount({ termsOfServiceAgreed, ...(email === undefined || email === "" ? {} : { contact: [`mailto:${email}`] }) })
        return { accountUrl: client.getAccountUrl(), status: account.status }
      }),
    createOrder: (identifiers) => call("newOrder", () => client.createOrder({ identifiers: identifiers.map((identifier) => ({ ...identifier })) }) as Promise<AcmeOrder>),
    getOrder: (url) => call("order", () => client.getOrder({ url } as AcmeOrder) as Promise<AcmeOrder>),
    getAuthorization: (url) =>
      call("authorization", async () => {
        const [authorization] = await client.getAuthorizations({ authorizations: [url] } as AcmeOrder)
        return authorization as AcmeAuthorization
      }),
    keyAuthorization: (challenge) => call("keyAuthorization", () => client.getChallengeKeyAuthorization(challenge as AcmeChallenge)),
    acceptChallenge: (url) => call("challenge", () => client.completeChallenge({ url } as AcmeChallenge) as Promise<AcmeChallenge>),
    finalizeOrder: (order, csrPem) => call("finalize", () => client.finalizeOrder(order, csrPem) as Promise<AcmeOrder>),
    downloadCertificate: (order, preferredChain) => call("certificate", () => client.getCertificate(order, preferredChain)),
    listOrders: () =>
      call("orders", async () => {
        // acme-client has no call for this; its signed POST-as-GET does the work.
        const api = (client as unknown as { api: SignedApi }).api
        const account = await api.apiRequest(client.getAccountUrl(), null, [200])
        const urls: Array<string> = []
        let page: string | undefined = (account.data as { orders?: string }).orders
        for (let pages = 0; page !== undefined && pages < 1_000; pages++) {
          const response = await api.apiRequest(page, null, [200])
          urls.push(...((response.data as { orders?: ReadonlyArray<string> }).orders ?? []))
          page = nextLink(response.headers["link"])
        }
        return urls
      }),
  }
}
