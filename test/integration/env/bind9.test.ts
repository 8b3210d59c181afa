// bind9 takes TSIG-signed RFC 2136 updates and refuses wrongly signed ones.
import { randomBytes } from "node:crypto"
import { Resolver } from "node:dns/promises"
import { describe, expect, it } from "vitest"
import { deleteTxt, queryTxt, setTxt } from "../../support/dns.ts"
import { testEnvironment, uniqueName } from "../../support/env.ts"

describe("bind9", () => {
  const { dns } = testEnvironment()

  it("resolves every test name to 127.0.0.1", async () => {
    const resolver = new Resolver({ timeout: 1_000, tries: 2 })
    resolver.setServers([`${dns.host}:${dns.port}`])
    expect(await resolver.resolve4(`${uniqueName("host")}.${dns.zone}`)).toEqual(["127.0.0.1"])
  })

  it("adds and deletes a TXT record through a TSIG-signed update", async () => {
    const name = `_acme-challenge.${uniqueName("txt")}.${dns.zone}`
    const added = await setTxt(dns, name, "token-value")
    expect(added).toMatchObject({ ok: true })
    expect(await queryTxt(dns, name)).toEqual(["token-value"])

    expect(await deleteTxt(dns, name, "token-value")).toMatchObject({ ok: true })
    expect(await queryTxt(dns, name)).toEqual([])
  })

  it("refuses an update signed with the wrong secret", async () => {
    const name = `_acme-challenge.${uniqueName("forged")}.${dns.zone}`
    const forged = { ...dns.tsig, secret: randomBytes(32).toString("base64") }
    const result = await setTxt(dns, name, "forged", forged)
    expect(result.ok).toBe(false)
    expect(result.output).toMatch(/NOTAUTH|BADSIG|tsig verify failure/i)
    expect(await queryTxt(dns, name)).toEqual([])
  })
})
