// What isomorphic-git and Node throw, as typed errors.
import { assert, describe, it } from "@effect/vitest"
import { classifyGitError } from "../../../src/git/classify-error.ts"

const classify = (error: unknown) => classifyGitError("fetch", "https://git.example.test/intents.git", error)
const httpError = (statusCode: number) => Object.assign(new Error(`HTTP Error: ${statusCode}`), { code: "HttpError", data: { statusCode, statusMessage: "x" } })

describe("classifyGitError", () => {
  it("401 and 403 are authentication failures", () => {
    assert.strictEqual(classify(httpError(401))._tag, "GitAuthFailed")
    assert.strictEqual(classify(httpError(403))._tag, "GitAuthFailed")
  })

  it("404 is a missing repository", () => {
    const error = classify(httpError(404))
    assert.strictEqual(error._tag, "GitNotFound")
    assert.strictEqual(error.message, "git fetch https://git.example.test/intents.git: repository not found")
  })

  it("5xx, 429, timeouts and refused or reset connections are worth retrying", () => {
    for (const error of [
      httpError(502),
      httpError(429),
      Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" }),
      Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }),
      Object.assign(new Error("getaddrinfo EAI_AGAIN"), { code: "EAI_AGAIN" }),
      Object.assign(new Error("aborted"), { name: "AbortError" }),
    ]) {
      assert.strictEqual(classify(error)._tag, "GitUnreachable", String(error))
    }
  })

  it("a missing object or ref is not found; anything else is a plain failure", () => {
    assert.strictEqual(classify(Object.assign(new Error("x"), { code: "NotFoundError", data: { what: "refs/heads/main" } }))._tag, "GitNotFound")
    assert.strictEqual(classify(httpError(400))._tag, "GitFailed")
    assert.strictEqual(classify(new Error("pack checksum mismatch"))._tag, "GitFailed")
    assert.strictEqual(classify("a string")._tag, "GitFailed")
  })
})
