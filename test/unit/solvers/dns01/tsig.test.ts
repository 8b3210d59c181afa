// TSIG signing and verification against what BIND's nsupdate and named
// sent each other (tsig-vectors.ts): certops' MAC over nsupdate's message
// must be nsupdate's MAC, and named's signed answers must verify, until one
// byte of them changes.
import { Redacted, Result } from "effect"
import { describe, expect, it } from "vitest"
import { tsigAlgorithmNamed } from "../../../../src/rules/tsig-algorithm.ts"
import { signMessage, splitSigned, verifyResponse, type SignedParts, type TsigKey } from "../../../../src/solvers/dns01/tsig.ts"
import { captures, vectorSecret, type Capture } from "./tsig-vectors.ts"

const keyFor = (capture: Capture, secret = vectorSecret): TsigKey => ({
  name: capture.keyName,
  algorithm: tsigAlgorithmNamed(capture.algorithm)!,
  secret: Redacted.make(Buffer.from(secret, "base64")),
})

const bytes = (hex: string) => Buffer.from(hex, "hex")

const signedParts = (message: Buffer): SignedParts => {
  const parts = splitSigned(message)
  if (parts === undefined) throw new Error("the captured message is not signed")
  return parts
}

/** The verdict on a captured answer, checked at the moment it was signed unless told otherwise. */
const verdict = (capture: Capture, response = bytes(capture.response), options: { now?: number; key?: TsigKey } = {}) => {
  const request = signedParts(bytes(capture.request))
  const answer = signedParts(response)
  return verifyResponse(answer, options.key ?? keyFor(capture), request.record.mac, options.now ?? answer.record.timeSigned)
}

const failureOf = (result: Result.Result<void, { readonly by: string; readonly detail: string }>) => {
  if (Result.isSuccess(result)) throw new Error("expected the answer to be rejected")
  return { by: result.failure.by, detail: result.failure.detail }
}

const algorithms = ["md5", "sha1", "sha256", "sha384", "sha512"] as const

describe("signing", () => {
  it.each(algorithms)("hmac-%s: signing nsupdate's message as nsupdate did gives nsupdate's bytes", (algorithm) => {
    const capture = captures[algorithm]
    const sent = bytes(capture.request)
    const { record, unsigned } = signedParts(sent)

    const signed = signMessage(unsigned, keyFor(capture), { timeSigned: record.timeSigned, fudge: record.fudge })

    expect(signed.bytes.toString("hex")).toBe(sent.toString("hex"))
    expect(signed.mac.equals(record.mac)).toBe(true)
  })

  it("takes the key apart again: the TSIG fields nsupdate wrote", () => {
    const { record, unsigned } = signedParts(bytes(captures.sha256.request))
    expect(record).toMatchObject({ keyName: "vector-sha256", algorithmName: "hmac-sha256", fudge: 300, error: 0, originalId: 0x0368 })
    expect(record.mac).toHaveLength(32)
    // Without the TSIG record the message counts no additional records.
    expect(unsigned.readUInt16BE(10)).toBe(0)
  })

  it("a message without a TSIG record is not signed", () => {
    const { unsigned } = signedParts(bytes(captures.sha256.request))
    expect(splitSigned(unsigned)).toBeUndefined()
  })
})

describe("verifying named's answers", () => {
  it.each(algorithms)("hmac-%s: the signed answer verifies", (algorithm) => {
    expect(Result.isSuccess(verdict(captures[algorithm]))).toBe(true)
  })

  it("a signed NOTAUTH (zone not served) verifies: the rcode, not the signature, is the problem", () => {
    expect(Result.isSuccess(verdict(captures.notauthZone))).toBe(true)
  })

  it("rejects an answer with any one byte changed", () => {
    const original = bytes(captures.sha256.response)
    const macStart = original.length - 6 - 32
    // A header flag, the question, the TSIG time, the MAC itself, the original ID.
    for (const offset of [3, 15, macStart - 8, macStart + 5, original.length - 5]) {
      const tampered = Buffer.from(original)
      tampered[offset] = tampered[offset]! ^ 0x01
      const failure = failureOf(verdict(captures.sha256, tampered))
      expect(failure.by, `byte ${offset}`).toBe("certops")
    }
    const tampered = Buffer.from(original)
    tampered[macStart] = tampered[macStart]! ^ 0xff
    expect(failureOf(verdict(captures.sha256, tampered)).detail).toMatch(/does not verify with key "vector-sha256\."/)
  })

  it("rejects an answer checked against another request's MAC", () => {
    const answer = signedParts(bytes(captures.sha256.response))
    const otherRequest = signedParts(bytes(captures.delete.request))
    const result = verifyResponse(answer, keyFor(captures.sha256), otherRequest.record.mac, answer.record.timeSigned)
    expect(failureOf(result).by).toBe("certops")
  })

  it("rejects an answer verified with another secret", () => {
    const wrongKey = keyFor(captures.sha256, Buffer.from("another secret").toString("base64"))
    expect(failureOf(verdict(captures.sha256, undefined, { key: wrongKey })).detail).toMatch(/does not verify/)
  })

  it("rejects an answer signed by another key than the request's", () => {
    const otherName = { ...keyFor(captures.sha256), name: "someone-else." }
    expect(failureOf(verdict(captures.sha256, undefined, { key: otherName })).detail).toMatch(/signed with key "vector-sha256" \(hmac-sha256\), not with "someone-else\."/)
  })

  it("accepts the signing time within the fudge and rejects it beyond", () => {
    const signedAt = signedParts(bytes(captures.sha256.response)).record.timeSigned
    expect(Result.isSuccess(verdict(captures.sha256, undefined, { now: signedAt + 300 }))).toBe(true)
    expect(Result.isSuccess(verdict(captures.sha256, undefined, { now: signedAt - 300 }))).toBe(true)
    expect(failureOf(verdict(captures.sha256, undefined, { now: signedAt + 301 })).detail).toMatch(/more than 300 s from certops' clock/)
  })

  it("reports named's BADSIG as the server refusing the signature", () => {
    const failure = failureOf(verdict(captures.badsig))
    expect(failure.by).toBe("server")
    expect(failure.detail).toMatch(/BADSIG/)
    expect(failure.detail).toMatch(/secret for key "vector-sha256\." differs/)
  })

  it("reports named's BADKEY as an unknown key", () => {
    const failure = failureOf(verdict(captures.badkey, undefined, { key: keyFor(captures.badkey) }))
    expect(failure).toEqual({ by: "server", detail: 'the server does not know TSIG key "vector-unknown." with algorithm hmac-sha256 (BADKEY)' })
  })

  it("never puts the secret in an error", () => {
    const failure = failureOf(verdict(captures.badsig))
    expect(failure.detail).not.toContain(vectorSecret)
    expect(failure.detail).not.toContain(Buffer.from(vectorSecret, "base64").toString())
  })
})

describe("algorithm names", () => {
  it.each([
    ["HMACSHA256", "hmac-sha256"],
    ["hmacsha256", "hmac-sha256"],
    ["hmac-sha256", "hmac-sha256"],
    ["HMAC-SHA512.", "hmac-sha512"],
    ["HMACSHA384", "hmac-sha384"],
    ["HMACSHA1", "hmac-sha1"],
    ["HMACMD5", "hmac-md5.sig-alg.reg.int"],
    ["hmac-md5.sig-alg.reg.int", "hmac-md5.sig-alg.reg.int"],
    [undefined, "hmac-md5.sig-alg.reg.int"],
    ["", "hmac-md5.sig-alg.reg.int"],
  ])("%s is %s", (name, wireName) => {
    expect(tsigAlgorithmNamed(name)?.wireName).toBe(wireName)
  })

  it("knows no HMACSHA3", () => {
    expect(tsigAlgorithmNamed("HMACSHA3")).toBeUndefined()
  })
})
