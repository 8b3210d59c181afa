// Typed Git failures. Callers decide by tag: an auth failure needs a person,
// an unreachable server needs patience, a rejected push needs a re-fetch.
import { Schema } from "effect"

/** The server refused the credentials (HTTP 401/403). Retrying will not help. */
export class GitAuthFailed extends Schema.TaggedError<GitAuthFailed>()("GitAuthFailed", {
  operation: Schema.String,
  remote: Schema.String,
  status: Schema.Number,
}) {
  override get message() {
    return `git ${this.operation} ${this.remote}: authentication failed (HTTP ${this.status})`
  }
}

/** Network trouble, a timeout or a 5xx answer: worth trying again later. */
export class GitUnreachable extends Schema.TaggedError<GitUnreachable>()("GitUnreachable", {
  operation: Schema.String,
  remote: Schema.String,
  detail: Schema.String,
}) {
  override get message() {
    return `git ${this.operation} ${this.remote}: unreachable: ${this.detail}`
  }
}

/** The repository, branch or object does not exist. */
export class GitNotFound extends Schema.TaggedError<GitNotFound>()("GitNotFound", {
  operation: Schema.String,
  remote: Schema.String,
  what: Schema.String,
}) {
  override get message() {
    return `git ${this.operation} ${this.remote}: ${this.what} not found`
  }
}

/**
 * The branch moved since it was read (someone else pushed): re-fetch, re-apply
 * and push again. Never answered with a forced push.
 */
export class GitPushRejected extends Schema.TaggedError<GitPushRejected>()("GitPushRejected", {
  remote: Schema.String,
  branch: Schema.String,
  detail: Schema.String,
}) {
  override get message() {
    return `git push ${this.remote} ${this.branch}: rejected: ${this.detail}`
  }
}

/** Anything else: a malformed answer, a corrupt object store, a local I/O error. */
export class GitFailed extends Schema.TaggedError<GitFailed>()("GitFailed", {
  operation: Schema.String,
  remote: Schema.String,
  detail: Schema.String,
}) {
  override get message() {
    return `git ${this.operation} ${this.remote}: ${this.detail}`
  }
}

/** A repository location certops cannot use (bad URL, credentials in the URL, unknown scheme). */
export class GitLocationInvalid extends Schema.TaggedError<GitLocationInvalid>()("GitLocationInvalid", {
  location: Schema.String,
  detail: Schema.String,
}) {
  override get message() {
    return `git repository ${this.location}: ${this.detail}`
  }
}

export type GitError = GitAuthFailed | GitUnreachable | GitNotFound | GitPushRejected | GitFailed
