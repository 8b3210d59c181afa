// The adapter around @bufbuild/cel (a conformance-tested CEL evaluator):
// policy rules are compiled once, then evaluated against each Certificate,
// bound as `object`. Exceptions stay in here; callers get Results.
import { type CelInput, CelScalar, celEnv, isCelError, isCelList, isCelMap, isCelUint, parse, plan } from "@bufbuild/cel"
import { strings } from "@bufbuild/cel/ext"
import { Result } from "effect"

export interface CompiledExpression {
  /**
   * true: allowed; false: denied; failure: the expression could not be
   * evaluated (a missing field, a type error). `oldObject` is the object
   * before an update, for expressions compiled to judge changes.
   */
  readonly evaluate: (object: unknown, oldObject?: unknown) => Result.Result<boolean, string>
}

export interface CompileOptions {
  /** Bind `oldObject` too, as a ValidatingAdmissionPolicy does on UPDATE. */
  readonly withOldObject?: boolean
}

// `object` (and `oldObject`) are dyn: objects are plain JSON, checked by
// their schema before any rule sees them. The strings extension (lowerAscii,
// split, …) matches what Kubernetes offers in its own CEL validation rules.
const env = celEnv({ variables: { object: CelScalar.DYN, oldObject: CelScalar.DYN }, funcs: strings })

type Expr = ReturnType<typeof parse>["expr"]

// Type names usable as values (`type(x) == string`) and the root of
// qualified ones (`google.protobuf.Timestamp`).
const typeIdentifiers = new Set(["bool", "bytes", "double", "int", "uint", "string", "list", "map", "null_type", "type", "dyn", "google"])

// Operators the evaluator implements as special forms rather than functions.
const specialForms = new Set(["_&&_", "_||_", "_?_:_", "_[_]", "_[?_]", "_?._", "@not_strictly_false", "not_strictly_false"])

/**
 * The evaluator resolves names only when an expression runs, so a typo
 * (`objet.spec`, `endswith(...)`) would deny every Certificate at run time.
 * Walking the parsed expression finds those at load time instead.
 */
const unresolvedNames = (expr: Expr | undefined, bound: ReadonlySet<string>, found: Set<string>): Set<string> => {
  const kind = expr?.exprKind
  switch (kind?.case) {
    case "identExpr":
      if (!bound.has(kind.value.name) && !typeIdentifiers.has(kind.value.name)) found.add(`variable ${kind.value.name}`)
      break
    case "selectExpr":
      unresolvedNames(kind.value.operand, bound, found)
      break
    case "callExpr":
      if (!specialForms.has(kind.value.function) && env.funcs.find(kind.value.function) === undefined) found.add(`function ${kind.value.function}`)
      unresolvedNames(kind.value.target, bound, found)
      for (const arg of kind.value.args) unresolvedNames(arg, bound, found)
      break
    case "listExpr":
      for (const element of kind.value.elements) unresolvedNames(element, bound, found)
      break
    case "structExpr":
      for (const entry of kind.value.entries) {
        if (entry.keyKind.case === "mapKey") unresolvedNames(entry.keyKind.value, bound, found)
        unresolvedNames(entry.value, bound, found)
      }
      break
    case "comprehensionExpr": {
      const { iterRange, accuInit, loopCondition, loopStep, result, iterVar, iterVar2, accuVar } = kind.value
      unresolvedNames(iterRange, bound, found)
      unresolvedNames(accuInit, bound, found)
      const inner = new Set([...bound, iterVar, iterVar2, accuVar].filter((name) => name !== ""))
      for (const part of [loopCondition, loopStep, result]) unresolvedNames(part, inner, found)
      break
    }
  }
  return found
}

// Integers become CEL ints, as Kubernetes binds integer fields, so that
// `object.spec.privateKey.size + 1` and `== 2048` work as written.
const toCel = (value: unknown): CelInput => {
  if (typeof value === "number" && Number.isSafeInteger(value)) return BigInt(value)
  if (Array.isArray(value)) return value.map(toCel)
  if (typeof value === "object" && value !== null) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, toCel(item)]))
  return value as CelInput
}

const describeValue = (value: unknown) =>
  typeof value === "string" ? "a string"
  : typeof value === "bigint" || typeof value === "number" || isCelUint(value) ? "a number"
  : isCelList(value) ? "a list"
  : isCelMap(value) ? "a map"
  : value === null ? "null"
  : "a value of another type"

const syntaxPosition = /^<input>:(\d+):(\d+): /

/** Compiles a rule's expression, or says why it does not compile. */
export const compileExpression = (source: string, options: CompileOptions = {}): Result.Result<CompiledExpression, string> => {
  let program: (bindings: { readonly object: CelInput; readonly oldObject: CelInput }) => unknown
  try {
    const parsed = parse(source)
    const unresolved = unresolvedNames(parsed.expr, new Set(options.withOldObject === true ? ["object", "oldObject"] : ["object"]), new Set())
    if (unresolved.size > 0) {
      const names = [...unresolved]
      const hint = names.some((name) => name.startsWith("variable")) ? ` (the Certificate is bound as "object")` : ""
      return Result.fail(`unknown ${names.join(", ")}${hint}`)
    }
    program = plan(env, parsed)
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    return Result.fail(message.replace(syntaxPosition, (_, line, column) => `line ${line}, column ${column}: `))
  }
  return Result.succeed({
    evaluate: (object, oldObject) => {
      try {
        const value = program({ object: toCel(object), oldObject: toCel(oldObject ?? null) })
        if (isCelError(value)) return Result.fail(value.message)
        return typeof value === "boolean" ? Result.succeed(value) : Result.fail(`returned ${describeValue(value)}, not true or false`)
      } catch (error) {
        return Result.fail(error instanceof Error ? error.message : String(error))
      }
    },
  })
}
