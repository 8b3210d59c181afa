// The HTTP layer hands acme-client the nonces the server's answers carry, so
// a signed request needs no HEAD newNonce first; a nonce is used once, and
// those already spoken for (a HEAD's, a badNonce answer's) are not pooled.
import { Agent } from "node:https"
import { describe, expect, it } from "vitest"
import { instrumentHttpClient } from "../../../src/acme/http-instrumentation.ts"

const fakeHttp = () => {
  let issued = 0
  const calls: Array<string> = []
  const http = {
    maxBadNonceRetries: 5,
    getNonce: async () => {
      calls.push("HEAD newNonce")
      return `head-${++issued}`
    },
    request: async (url: string, method: string) => {
      calls.push(`${method} ${url}`)
      const bad = url.endsWith("/bad")
      return {
        status: bad ? 400 : 200,
        headers: { "replay-nonce": `answer-${++issued}` } as Record<string, string | undefined>,
        data: bad ? { type: "urn:ietf:params:acme:error:badNonce" } : {},
      }
    },
  }
  instrumentHttpClient(http, { agent: new Agent(), maxBadNonceRetries: 5, observe: () => undefined })
  return { http, calls }
}

describe("the nonce pool", () => {
  it("reuses each answer's nonce once, newest first, and asks newNonce only when it is empty", async () => {
    const { http, calls } = fakeHttp()
    expect(await http.getNonce()).toBe("head-1")
    await http.request("https://acme/a", "post")
    await http.request("https://acme/b", "post")
    expect(await http.getNonce()).toBe("answer-3")
    expect(await http.getNonce()).toBe("answer-2")
    expect(await http.getNonce()).toBe("head-4")
    expect(calls.filter((call) => call === "HEAD newNonce")).toHaveLength(2)
  })

  it("does not pool the nonce of a HEAD or of a badNonce answer", async () => {
    const { http } = fakeHttp()
    await http.request("https://acme/new-nonce", "head")
    await http.request("https://acme/bad", "post")
    expect(await http.getNonce()).toMatch(/^head-/)
  })
})
