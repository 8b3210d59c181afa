import { Schema } from "effect"

/** A test-environment component failed to start, become ready, or stay up. */
export class ComponentError extends Schema.TaggedError<ComponentError>()("ComponentError", {
  component: Schema.String,
  detail: Schema.String,
  logPath: Schema.optionalKey(Schema.String),
}) {
  override get message(): string {
    const log = this.logPath === undefined ? "" : ` (log: ${this.logPath})`
    return `${this.component}: ${this.detail}${log}`
  }
}
