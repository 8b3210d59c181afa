// How `certops run` writes its log: JSON lines (Effect's consoleJson) for a
// collector, or, on a terminal, one readable line per entry with the same
// fields: time, level, message, then every field and annotation as key=value.
//
//   12:00:01.204 INFO  certops running git=/home/me/examples#main:/ store=embedded fiber=#27
import { Logger } from "effect"
import type { LogFormat } from "../settings/daemon-config.ts"

type Entry = typeof Logger.formatStructured extends Logger.Logger<unknown, infer Output> ? Output : never

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Error)

/** A value as logfmt writes one: bare when it can be, quoted (one line) when not. */
const fieldValue = (value: unknown): string => {
  const text = typeof value === "string" ? value : value instanceof Error ? value.message : JSON.stringify(value) ?? String(value)
  return /^[^\s"=]+$/.test(text) ? text : JSON.stringify(text)
}

const fields = (record: Record<string, unknown>): ReadonlyArray<string> =>
  Object.entries(record).map(([key, value]) => `${key}=${fieldValue(value)}`)

/** The message parts: text as it is, objects as their fields. */
const messageParts = (message: unknown): { readonly text: ReadonlyArray<string>; readonly fields: ReadonlyArray<string> } => {
  const parts = Array.isArray(message) ? message : [message]
  return {
    text: parts.filter((part) => !isPlainObject(part)).map((part) => (typeof part === "string" ? part : fieldValue(part))),
    fields: parts.filter(isPlainObject).flatMap(fields),
  }
}

export const formatTextLine = (entry: Entry): string => {
  const time = entry.timestamp.slice(11, 23)
  const { text, fields: messageFields } = messageParts(entry.message)
  return [
    time,
    entry.level.padEnd(5),
    ...text,
    ...messageFields,
    ...fields(entry.annotations),
    ...Object.entries(entry.spans).map(([label, millis]) => `span.${label}=${millis}ms`),
    ...(entry.cause === undefined || entry.cause === "" ? [] : [`cause=${JSON.stringify(entry.cause)}`]),
    `fiber=${entry.fiberId}`,
  ].join(" ")
}

const textLogger = Logger.withConsoleLog(Logger.map(Logger.formatStructured, formatTextLine))

export const logLayer = (format: LogFormat = "json") => Logger.layer([format === "text" ? textLogger : Logger.consoleJson])
