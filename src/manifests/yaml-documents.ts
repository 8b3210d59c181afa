// Multi-document YAML with positions: each document's value, and the line of
// any field in it, so that every problem can be reported as file:line.
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Document, type Node } from "yaml"
import { parseFieldPath } from "../rules/field-path.ts"
import type { Rejection } from "../rules/rejection.ts"
import type { SourceFile } from "./source-file.ts"

export interface YamlDocument {
  readonly file: string
  /** 0-based position in the stream, empty documents included, so it matches what a reader counts. */
  readonly index: number
  /** 1-based line where the document's content starts. */
  readonly line: number
  readonly value: unknown
  /**
   * The line of a field (`spec.dnsNames[1]`); for a field that is missing, the
   * line of its nearest enclosing field, which is where it belongs.
   */
  readonly lineOf: (path: string) => number
}

export interface ParsedFile {
  readonly documents: ReadonlyArray<YamlDocument>
  readonly rejected: ReadonlyArray<Rejection>
}

// Fatal: a blob that is not UTF-8 is not YAML, and guessing would garble it.
const utf8 = new TextDecoder("utf-8", { fatal: true })

// YAML 1.2 core schema (yaml's default): `yes` and `on` stay strings, so a
// typo'd boolean is a schema error instead of a silent truth value.
const options = { prettyErrors: false, uniqueKeys: true } as const

type Located = { readonly range?: readonly [number, number, number] | null | undefined }

const startOf = (node: Located | null | undefined): number | undefined => node?.range?.[0]

/** Follows `path` through the node tree; returns the offset of the deepest node found. */
const offsetOf = (document: Document.Parsed, path: string): number | undefined => {
  let node: unknown = document.contents
  let offset = startOf(document.contents)
  for (const segment of parseFieldPath(path)) {
    if (isAlias(node)) node = node.resolve(document)
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(segment))
      if (pair === undefined) break
      offset = startOf(pair.key as Node) ?? offset
      node = pair.value
    } else if (isSeq(node) && typeof segment === "number") {
      const item = node.items[segment]
      if (item === undefined) break
      offset = startOf(item as Node) ?? offset
      node = item
    } else {
      break
    }
  }
  return offset
}

// yaml's messages, unprettified, name the problem without quoting the source
// line: a malformed Secret must not end up in a report with its data.
const describeError = (message: string) => message.replace(/ at line \d+, column \d+:?[\s\S]*$/, "")

/** Parses a file into its non-empty documents; a document with a syntax error is rejected, the others are kept. */
export const parseYamlFile = (file: SourceFile): ParsedFile => {
  let text: string
  try {
    text = utf8.decode(file.bytes)
  } catch {
    return { documents: [], rejected: [{ file: file.path, rule: "yaml-syntax", message: "is not UTF-8 text" }] }
  }
  const lineCounter = new LineCounter()
  const lineAt = (offset: number) => lineCounter.linePos(offset).line
  const documents: Array<YamlDocument> = []
  const rejected: Array<Rejection> = []
  parseAllDocuments(text, { ...options, lineCounter }).forEach((document, index) => {
    if (document.errors.length > 0) {
      for (const error of document.errors) {
        rejected.push({ file: file.path, documentIndex: index, line: lineAt(error.pos[0]), rule: "yaml-syntax", message: describeError(error.message) })
      }
      return
    }
    let value: unknown
    try {
      value = document.toJS()
    } catch (error) {
      // An alias bomb (too many alias expansions) fails here, not while parsing.
      const message = error instanceof Error ? describeError(error.message) : "cannot be read"
      rejected.push({ file: file.path, documentIndex: index, line: lineAt(startOf(document.contents) ?? 0), rule: "yaml-syntax", message })
      return
    }
    // `---` with nothing (or only comments) after it: nothing declared, nothing to check.
    if (value === null || value === undefined) return
    const line = lineAt(startOf(document.contents) ?? 0)
    documents.push({ file: file.path, index, line, value, lineOf: (path) => lineAt(offsetOf(document, path) ?? 0) })
  })
  return { documents, rejected }
}
