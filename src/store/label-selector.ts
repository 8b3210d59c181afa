// Kubernetes label selectors (equality- and set-based), parsed once and
// matched in memory by the backends that have no API server to do it.
import { Result } from "effect"

export type Requirement =
  | { readonly op: "exists" | "notExists"; readonly key: string }
  | { readonly op: "in" | "notIn"; readonly key: string; readonly values: ReadonlyArray<string> }

export type LabelSelector = ReadonlyArray<Requirement>

const keyPattern = /^([a-z0-9A-Z]([-a-z0-9A-Z.]*[a-z0-9A-Z])?\/)?[a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?$/
const valuePattern = /^([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?)?$/

/** Splits on commas that are not inside a `( … )` value set. */
const splitTopLevel = (text: string): ReadonlyArray<string> => {
  const parts: Array<string> = []
  let depth = 0
  let start = 0
  for (let index = 0; index < text.length; index++) {
    const char = text[index]
    if (char === "(") depth++
    else if (char === ")") depth--
    else if (char === "," && depth === 0) {
      parts.push(text.slice(start, index))
      start = index + 1
    }
  }
  parts.push(text.slice(start))
  return parts.map((part) => part.trim()).filter((part) => part !== "")
}

const parseRequirement = (text: string): Result.Result<Requirement, string> => {
  const set = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(text)
  if (set !== null) {
    const values = set[3]!.split(",").map((value) => value.trim())
    const bad = values.find((value) => !valuePattern.test(value))
    if (bad !== undefined) return Result.fail(`invalid label value "${bad}" in "${text}"`)
    return check(set[1]!, { op: set[2] === "in" ? "in" : "notIn", key: set[1]!, values }, text)
  }
  const equality = /^([^!=\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(text)
  if (equality !== null) {
    const value = equality[3]!
    if (!valuePattern.test(value)) return Result.fail(`invalid label value "${value}" in "${text}"`)
    return check(equality[1]!, { op: equality[2] === "!=" ? "notIn" : "in", key: equality[1]!, values: [value] }, text)
  }
  if (text.startsWith("!")) return check(text.slice(1).trim(), { op: "notExists", key: text.slice(1).trim() }, text)
  return check(text, { op: "exists", key: text }, text)
}

const check = (key: string, requirement: Requirement, text: string): Result.Result<Requirement, string> =>
  keyPattern.test(key) ? Result.succeed(requirement) : Result.fail(`invalid label key "${key}" in "${text}"`)

export const parseLabelSelector = (text: string): Result.Result<LabelSelector, string> => {
  const requirements: Array<Requirement> = []
  for (const part of splitTopLevel(text)) {
    const parsed = parseRequirement(part)
    if (Result.isFailure(parsed)) return Result.fail(parsed.failure)
    requirements.push(parsed.success)
  }
  return Result.succeed(requirements)
}

export const matchesLabels = (selector: LabelSelector, labels: { readonly [key: string]: string } | undefined): boolean =>
  selector.every((requirement) => {
    const value = labels?.[requirement.key]
    switch (requirement.op) {
      case "exists":
        return value !== undefined
      case "notExists":
        return value === undefined
      case "in":
        return value !== undefined && requirement.values.includes(value)
      case "notIn":
        return value === undefined || !requirement.values.includes(value)
    }
  })
