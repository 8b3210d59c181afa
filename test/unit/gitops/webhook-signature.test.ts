import { createHmac } from "node:crypto"
import { describe, expect, it } from "vitest"
import { pushedBranch, verifyWebhook } from "../../../src/gitops/webhook-signature.ts"

const secret = "s3cret"
const body = Buffer.from(JSON.stringify({ ref: "refs/heads/main" }))
const hmac = createHmac("sha256", secret).update(body).digest("hex")

describe("verifyWebhook", () => {
  it("accepts GitHub's X-Hub-Signature-256", () => expect(verifyWebhook({ "x-hub-signature-256": `sha256=${hmac}` }, body, secret)).toEqual({ ok: true, provider: "github" }))
  it("accepts Gitea's X-Gitea-Signature", () => expect(verifyWebhook({ "x-gitea-signature": hmac }, body, secret)).toEqual({ ok: true, provider: "gitea" }))
  it("accepts GitLab's X-Gitlab-Token", () => expect(verifyWebhook({ "x-gitlab-token": secret }, body, secret)).toEqual({ ok: true, provider: "gitlab" }))
  it("refuses a signature over another body", () =>
    expect(verifyWebhook({ "x-hub-signature-256": `sha256=${hmac}` }, Buffer.from("{}"), secret)).toMatchObject({ ok: false }))
  it("refuses a wrong token and an unsigned request, saying why", () => {
    expect(verifyWebhook({ "x-gitlab-token": "guess" }, body, secret)).toEqual({ ok: false, reason: "X-Gitlab-Token does not match" })
    expect(verifyWebhook({}, body, secret)).toMatchObject({ ok: false, reason: expect.stringMatching(/not signed/) })
  })
  it("reads the pushed branch", () => {
    expect(pushedBranch(body)).toBe("main")
    expect(pushedBranch(Buffer.from("not json"))).toBeUndefined()
  })
})
