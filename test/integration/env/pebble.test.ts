// acme-client obtains certificates from the test pebble: HTTP-01 answered on
// the port pebble validates on, DNS-01 through bind9 with nsupdate.
import { createServer, type Server } from "node:http"
import * as acme from "acme-client"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { chainVerifies, dnsNamesOf, pebbleAgent, pebbleRoot, splitPemChain } from "../../support/acme.ts"
import { deleteTxt, setTxt } from "../../support/dns.ts"
import { testEnvironment, uniqueName } from "../../support/env.ts"

describe("pebble", () => {
  const env = testEnvironment()
  const tokens = new Map<string, string>()
  let http01: Server

  beforeAll(async () => {
    acme.axios.defaults.httpsAgent = pebbleAgent(env.acme)
    http01 = createServer((request, response) => {
      const token = /^\/\.well-known\/acme-challenge\/([^/]+)$/.exec(request.url ?? "")?.[1]
      const keyAuthorization = token === undefined ? undefined : tokens.get(token)
      response.writeHead(keyAuthorization === undefined ? 404 : 200, { "content-type": "text/plain" })
      response.end(keyAuthorization ?? "")
    })
    await new Promise<void>((resolve) => http01.listen(env.acme.httpPort, "127.0.0.1", resolve))
  })
  afterAll(() => new Promise<void>((resolve) => http01.close(() => resolve())))

  const client = async () =>
    new acme.Client({
      directoryUrl: env.acme.directoryUrl,
      accountKey: await acme.crypto.createPrivateKey(),
      backoffMin: 200,
      backoffMax: 2_000,
    })

  it("issues for two names with HTTP-01", async () => {
    const names = [`${uniqueName("a")}.${env.dns.zone}`, `${uniqueName("b")}.${env.dns.zone}`].sort()
    const [, csr] = await acme.crypto.createCsr({ commonName: names[0]!, altNames: names })
    const served: Array<string> = []
    const pem = await (await client()).auto({
      csr,
      termsOfServiceAgreed: true,
      challengePriority: ["http-01"],
      skipChallengeVerification: true,
      challengeCreateFn: async (authz, challenge, keyAuthorization) => {
        served.push(authz.identifier.value)
        tokens.set(challenge.token, keyAuthorization)
      },
      challengeRemoveFn: async (_authz, challenge) => void tokens.delete(challenge.token),
    })
    const chain = splitPemChain(pem)
    expect(dnsNamesOf(chain[0]!)).toEqual(names)
    expect(served.sort()).toEqual(names)
    expect(chainVerifies(chain, await pebbleRoot(env.acme))).toBe(true)
  })

  it("issues a wildcard with DNS-01 set by a TSIG-signed nsupdate", async () => {
    const base = `${uniqueName("w")}.${env.dns.zone}`
    const [, csr] = await acme.crypto.createCsr({ commonName: `*.${base}`, altNames: [`*.${base}`] })
    const records: Array<string> = []
    const pem = await (await client()).auto({
      csr,
      termsOfServiceAgreed: true,
      challengePriority: ["dns-01"],
      skipChallengeVerification: true,
      challengeCreateFn: async (authz, _challenge, keyAuthorization) => {
        const name = `_acme-challenge.${authz.identifier.value}`
        records.push(name)
        // For dns-01, acme-client hands over the TXT value (the digest) already.
        const result = await setTxt(env.dns, name, keyAuthorization)
        if (!result.ok) throw new Error(result.output)
      },
      challengeRemoveFn: async (authz) => void (await deleteTxt(env.dns, `_acme-challenge.${authz.identifier.value}`)),
    })
    const chain = splitPemChain(pem)
    expect(dnsNamesOf(chain[0]!)).toEqual([`*.${base}`])
    expect(records).toEqual([`_acme-challenge.${base}`])
    expect(chainVerifies(chain, await pebbleRoot(env.acme))).toBe(true)
  })
})
