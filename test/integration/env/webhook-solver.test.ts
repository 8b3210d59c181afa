// The DNS-01 webhook solver behind the apiserver's aggregation layer, called
// as cert-manager calls one: Present and CleanUp land in DNS that bind9
// forwards to it (and pebble validates), failures come back as success:false
// with the solver's words, and every call is in its log. bind9's second zone
// and its authoritative root zone too.
import { Resolver } from "node:dns/promises"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { challengePayload, kubeRequest } from "../../env/webhook-solver.ts"
import { queryTxt, setTxt } from "../../support/dns.ts"
import { testEnvironment, uniqueName } from "../../support/env.ts"
import { until } from "../../support/poll.ts"
import { solverCalls } from "../../support/webhook-solver-calls.ts"
import { newAcmeClient, openChallenge, settledAuthorization } from "../solvers/acme-walk.ts"

const env = testEnvironment()
const { webhookSolver: solver, dns } = env

interface SolverAnswer {
  readonly response?: { readonly uid: string; readonly success: boolean; readonly status?: { readonly message?: string } }
}

/** POSTs a ChallengePayload through kube-apiserver, which proxies it to the solver. */
const call = async (payload: ReturnType<typeof challengePayload>): Promise<SolverAnswer> => {
  const answer = await kubeRequest(env.kube, "POST", `/apis/${solver.groupName}/v1alpha1/${solver.solverName}`, payload)
  expect(answer.status, answer.body).toBe(201)
  return JSON.parse(answer.body) as SolverAnswer
}

/** A challenge for a fresh name in the solver's zone. */
const challengeIn = (options: { key?: string; config?: Record<string, unknown> } = {}) => {
  const dnsName = `${uniqueName("wh")}.${solver.zone}`
  return {
    dnsName,
    key: options.key ?? uniqueName("key"),
    resolvedFQDN: `_acme-challenge.${dnsName}.`,
    resolvedZone: `${solver.zone}.`,
    ...(options.config === undefined ? {} : { config: options.config }),
  }
}

const loggedCalls = () => solverCalls(env)

const sortedTxt = (server: { host: string; port: number }, fqdn: string) =>
  queryTxt({ ...dns, ...server }, fqdn.replace(/\.$/, "")).then((values) => [...values].sort())

/** The solver's own DNS server: changes show at once. */
const solverTxt = (fqdn: string) => sortedTxt({ host: solver.dnsHost, port: solver.dnsPort }, fqdn)

/**
 * bind9 forwards the zone and caches even a zero-TTL answer, negative ones
 * too, until its clock's next second: a change shows within about a second.
 */
const bindTxtBecomes = (fqdn: string, expected: ReadonlyArray<string>) =>
  until(`bind9 to answer TXT ${fqdn} with [${expected.join(", ")}]`, async () => {
    const values = await sortedTxt(dns, fqdn)
    return JSON.stringify(values) === JSON.stringify(expected) ? values : undefined
  }, 5_000)

/** Both servers agree on the TXT values at a name. */
const expectTxt = async (fqdn: string, expected: ReadonlyArray<string>) => {
  expect(await solverTxt(fqdn)).toEqual(expected)
  expect(await bindTxtBecomes(fqdn, expected)).toEqual(expected)
}

describe("webhook solver", () => {
  it("presents and cleans up TXT values through the aggregation layer, as bind9 answers them", async () => {
    const first = challengeIn({ key: "first-value" })
    const second = { ...first, key: "second-value" }
    await expectTxt(first.resolvedFQDN, [])

    const presented = challengePayload({ action: "Present", ...first })
    const answer = await call(presented)
    expect(answer.response).toMatchObject({ uid: presented.request.uid, success: true })
    await expectTxt(first.resolvedFQDN, ["first-value"])

    // Two values at one name (a certificate for a name and its wildcard).
    expect((await call(challengePayload({ action: "Present", ...second }))).response?.success).toBe(true)
    await expectTxt(first.resolvedFQDN, ["first-value", "second-value"])

    expect((await call(challengePayload({ action: "CleanUp", ...first }))).response?.success).toBe(true)
    await expectTxt(first.resolvedFQDN, ["second-value"])
    expect((await call(challengePayload({ action: "CleanUp", ...second }))).response?.success).toBe(true)
    await expectTxt(first.resolvedFQDN, [])
  })

  it("answers success:false with the solver's message when Present or CleanUp fails", async () => {
    const failing = challengeIn({ config: { failPresent: "the provider said no" } })
    const answer = await call(challengePayload({ action: "Present", ...failing }))
    expect(answer.response?.success).toBe(false)
    expect(answer.response?.status?.message).toBe("the provider said no")
    expect(await solverTxt(failing.resolvedFQDN)).toEqual([])

    const cleanUp = await call(challengePayload({ action: "CleanUp", ...challengeIn({ config: { failCleanUp: "cannot delete" } }) }))
    expect(cleanUp.response?.success).toBe(false)
    expect(cleanUp.response?.status?.message).toBe("cannot delete")

    const elsewhere = await call(
      challengePayload({ action: "Present", dnsName: "www.example.org", key: "k", resolvedFQDN: "_acme-challenge.www.example.org.", resolvedZone: "example.org." }),
    )
    expect(elsewhere.response?.success).toBe(false)
    expect(elsewhere.response?.status?.message).toMatch(/outside the zone "webhook\.test\."/)
  })

  it("logs every call with what the apiserver handed over", async () => {
    const challenge = challengeIn({ config: { failPresent: "logged failure" } })
    const present = challengePayload({ action: "Present", ...challenge, resourceNamespace: "team-a" })
    await call(present)
    const ok = challengePayload({ action: "CleanUp", ...challenge, config: {} })
    await call(ok)

    const calls = await loggedCalls()
    expect(calls.find((entry) => entry.uid === present.request.uid)).toEqual({
      action: "Present",
      uid: present.request.uid,
      dnsName: challenge.dnsName,
      resolvedFQDN: challenge.resolvedFQDN,
      resolvedZone: challenge.resolvedZone,
      key: challenge.key,
      resourceNamespace: "team-a",
      config: { failPresent: "logged failure" },
      success: false,
      error: "logged failure",
    })
    expect(calls.find((entry) => entry.uid === ok.request.uid)).toMatchObject({ action: "CleanUp", config: {}, success: true })
  })

  it("presents a DNS-01 challenge that pebble validates through bind9's forwarding", async () => {
    const dnsName = `${uniqueName("pebble")}.${solver.zone}`
    await Effect.runPromise(
      Effect.gen(function* () {
        const client = yield* newAcmeClient(env.acme)
        const opened = yield* openChallenge(client, dnsName, "dns-01")
        const challenge = { dnsName, key: opened.key, resolvedFQDN: `_acme-challenge.${dnsName}.`, resolvedZone: `${solver.zone}.` }
        const presented = yield* Effect.promise(() => call(challengePayload({ action: "Present", ...challenge })))
        expect(presented.response?.success).toBe(true)
        yield* client.acceptChallenge(opened.url)
        const authorization = yield* settledAuthorization(client, opened.authorizationUrl)
        expect(authorization.status).toBe("valid")
        yield* Effect.promise(() => call(challengePayload({ action: "CleanUp", ...challenge })))
      }),
    )
  })
})

describe("bind9 zones beside the solver's", () => {
  const resolver = new Resolver({ timeout: 1_000, tries: 1 })
  resolver.setServers([`${dns.host}:${dns.port}`])

  it("serves a second zone that the same TSIG key updates", async () => {
    expect(dns.secondZone).toBe("delegated.test")
    expect(await resolver.resolve4(`www.${dns.secondZone}`)).toEqual(["127.0.0.1"])
    const name = `_acme-challenge.${uniqueName("second")}.${dns.secondZone}`
    expect(await setTxt({ ...dns, zone: dns.secondZone }, name, "second-zone-value")).toMatchObject({ ok: true })
    expect(await queryTxt(dns, name)).toEqual(["second-zone-value"])
  })

  it("answers names outside its zones with an authoritative NXDOMAIN at once", async () => {
    const started = Date.now()
    await expect(resolver.resolve4("example.com")).rejects.toMatchObject({ code: "ENOTFOUND" })
    expect(Date.now() - started).toBeLessThan(500)
  })
})
