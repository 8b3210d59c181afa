// Push webhooks are accepted only when signed: GitHub and Gitea sign the body
// with HMAC-SHA256 of a shared secret; GitLab sends the secret as a token.
// Anything unsigned or wrongly signed is refused.
import { createHmac, timingSafeEqual } from "node:crypto"

export type WebhookVerdict =
  | { readonly ok: true; readonly provider: "github" | "gitea" | "gitlab" }
  | { readonly ok: false; readonly reason: string }

const equal = (left: string, right: string) => {
  const a = Buffer.from(left)
  const b = Buffer.from(right)
  return a.length === b.length && timingSafeEqual(a, b)
}

const hmacHex = (secret: string, body: Uint8Array) => createHmac("sha256", secret).update(body).digest("hex")

export const verifyWebhook = (headers: Readonly<Record<string, string | undefined>>, body: Uint8Array, secret: string): WebhookVerdict => {
  const github = headers["x-hub-signature-256"]
  if (github !== undefined) {
    return equal(github, `sha256=${hmacHex(secret, body)}`) ? { ok: true, provider: "github" } : { ok: false, reason: "X-Hub-Signature-256 does not match" }
  }
  const gitea = headers["x-gitea-signature"] ?? headers["x-gogs-signature"]
  if (gitea !== undefined) {
    return equal(gitea, hmacHex(secret, body)) ? { ok: true, provider: "gitea" } : { ok: false, reason: "X-Gitea-Signature does not match" }
  }
  const gitlab = headers["x-gitlab-token"]
  if (gitlab !== undefined) {
    return equal(gitlab, secret) ? { ok: true, provider: "gitlab" } : { ok: false, reason: "X-Gitlab-Token does not match" }
  }
  return { ok: false, reason: "the request is not signed (no X-Hub-Signature-256, X-Gitea-Signature or X-Gitlab-Token)" }
}

/** The branch a push payload names (`refs/heads/<branch>`), if it names one. */
export const pushedBranch = (body: Uint8Array): string | undefined => {
  try {
    const ref = (JSON.parse(Buffer.from(body).toString("utf8")) as { ref?: unknown }).ref
    return typeof ref === "string" && ref.startsWith("refs/heads/") ? ref.slice("refs/heads/".length) : undefined
  } catch {
    return undefined
  }
}
