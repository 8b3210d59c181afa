// Turns what isomorphic-git and Node throw into the typed Git errors. The one
// place that knows their error codes.
import { GitAuthFailed, GitFailed, GitNotFound, GitUnreachable, type GitError } from "./errors.ts"

const networkCodes = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENETDOWN",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ERR_STREAM_PREMATURE_CLOSE",
])

interface ThrownShape {
  readonly code?: unknown
  readonly name?: unknown
  readonly message?: unknown
  readonly data?: { readonly statusCode?: unknown; readonly statusMessage?: unknown; readonly what?: unknown }
}

const shape = (error: unknown): ThrownShape => (typeof error === "object" && error !== null ? (error as ThrownShape) : {})

const text = (error: unknown) => {
  const message = shape(error).message
  return typeof message === "string" && message !== "" ? message : String(error)
}

export const classifyGitError = (operation: string, remote: string, error: unknown): GitError => {
  const thrown = shape(error)
  if (thrown.code === "HttpError" && typeof thrown.data?.statusCode === "number") {
    const status = thrown.data.statusCode
    if (status === 401 || status === 403) return new GitAuthFailed({ operation, remote, status })
    if (status === 404) return new GitNotFound({ operation, remote, what: "repository" })
    if (status === 408 || status === 429 || status >= 500) {
      return new GitUnreachable({ operation, remote, detail: `HTTP ${status} ${String(thrown.data.statusMessage ?? "")}`.trim() })
    }
    return new GitFailed({ operation, remote, detail: `HTTP ${status}` })
  }
  if (thrown.code === "NotFoundError") {
    return new GitNotFound({ operation, remote, what: typeof thrown.data?.what === "string" ? thrown.data.what : text(error) })
  }
  if (thrown.name === "AbortError" || thrown.code === "ABORT_ERR") {
    return new GitUnreachable({ operation, remote, detail: "request aborted" })
  }
  if (typeof thrown.code === "string" && networkCodes.has(thrown.code)) {
    return new GitUnreachable({ operation, remote, detail: thrown.code })
  }
  // A connection cut short mid-answer: the server is struggling, not wrong.
  if (thrown.code === "EmptyServerResponseError") return new GitUnreachable({ operation, remote, detail: text(error) })
  return new GitFailed({ operation, remote, detail: text(error) })
}
