// Typed store errors. They mirror the API server's status reasons so that
// every backend fails the same way for the same cause.
import { Schema } from "effect"

const target = {
  kind: Schema.String,
  namespace: Schema.optionalKey(Schema.String),
  name: Schema.String,
}

const describe = (error: { readonly kind: string; readonly namespace?: string; readonly name: string }) =>
  `${error.kind} ${error.namespace === undefined ? "" : `${error.namespace}/`}${error.name}`

export class NotFound extends Schema.TaggedError<NotFound>()("NotFound", target) {
  override get message() {
    return `${describe(this)} not found`
  }
}

export class AlreadyExists extends Schema.TaggedError<AlreadyExists>()("AlreadyExists", target) {
  override get message() {
    return `${describe(this)} already exists`
  }
}

/** A write based on a stale resourceVersion (optimistic concurrency). */
export class Conflict extends Schema.TaggedError<Conflict>()("Conflict", {
  ...target,
  detail: Schema.String,
}) {
  override get message() {
    return `conflict writing ${describe(this)}: ${this.detail}`
  }
}

/** The object was refused as malformed (HTTP 422 in Kubernetes). */
export class Invalid extends Schema.TaggedError<Invalid>()("Invalid", {
  ...target,
  detail: Schema.String,
}) {
  override get message() {
    return `${describe(this)} is invalid: ${this.detail}`
  }
}

/** The backend could not be reached or failed; `retryable` says whether to try again. */
export class StoreUnavailable extends Schema.TaggedError<StoreUnavailable>()("StoreUnavailable", {
  operation: Schema.String,
  detail: Schema.String,
  retryable: Schema.Boolean,
  retryAfterMillis: Schema.optionalKey(Schema.Number),
}) {
  override get message() {
    return `store ${this.operation} failed: ${this.detail}`
  }
}

export class Forbidden extends Schema.TaggedError<Forbidden>()("Forbidden", {
  operation: Schema.String,
  detail: Schema.String,
}) {
  override get message() {
    return `store ${this.operation} forbidden: ${this.detail}`
  }
}

export type ReadError = NotFound | StoreUnavailable | Forbidden
export type WriteError = NotFound | AlreadyExists | Conflict | Invalid | StoreUnavailable | Forbidden
