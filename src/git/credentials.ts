// Credentials for smart-HTTP remotes. Secrets stay Redacted until the moment
// a request header is built, so they appear in no log, error or git config.
import { Redacted } from "effect"

export type GitCredentials =
  | { readonly _tag: "Anonymous" }
  | { readonly _tag: "Basic"; readonly username: string; readonly password: Redacted.Redacted<string> }
  /**
   * A personal access or app token, sent as a basic-auth password: the form
   * GitHub, GitLab, Gitea and Bitbucket all accept for Git over HTTPS.
   */
  | { readonly _tag: "Token"; readonly token: Redacted.Redacted<string>; readonly username?: string }

export const GitCredentials = {
  anonymous: { _tag: "Anonymous" } as GitCredentials,
  basic: (username: string, password: Redacted.Redacted<string>): GitCredentials => ({ _tag: "Basic", username, password }),
  token: (token: Redacted.Redacted<string>, username?: string): GitCredentials =>
    username === undefined ? { _tag: "Token", token } : { _tag: "Token", token, username },
}

/** GitHub's convention; other hosts ignore the user name when a token is the password. */
const tokenUsername = "x-access-token"

const basicHeader = (username: string, password: string) =>
  `Basic ${Buffer.from(`${username}:${password}`, "utf8").toString("base64")}`

/**
 * Request headers that authenticate up front. isomorphic-git would otherwise
 * send every request twice (once to collect the 401), doubling the cost of a
 * poll. A fresh object each call: isomorphic-git mutates the one it is given.
 */
export const authorizationHeaders = (credentials: GitCredentials): Record<string, string> => {
  switch (credentials._tag) {
    case "Anonymous":
      return {}
    case "Basic":
      return { Authorization: basicHeader(credentials.username, Redacted.value(credentials.password)) }
    case "Token":
      return { Authorization: basicHeader(credentials.username ?? tokenUsername, Redacted.value(credentials.token)) }
  }
}
