// Files as the intent reader receives them, and the checks that come before
// any parsing: where a file is, whether it is a link, how big it is. Paths are
// repository-relative with `/` separators, as Git names them.
import type { Rejection } from "../rules/rejection.ts"

export interface SourceFile {
  readonly path: string
  /** The blob; for a symlink, its target (never read further). */
  readonly bytes: Uint8Array
  /** Set by the caller for Git mode 120000 or a symlink in a working tree. */
  readonly symlink?: boolean
}

export const defaultMaxFileBytes = 256 * 1024

/** Which reader a file goes to; hidden and non-YAML files are nobody's. */
export type FileRoute = "intent" | "policy" | "ignored"

/** Only .yaml and .yml files are read; everything else in the tree is left alone. */
export const isYaml = (path: string): boolean => /\.ya?ml$/i.test(path)

/** `a//b/./c/` → `a/b/c`; leading `./` and trailing `/` dropped. */
const segmentsOf = (path: string) => path.split("/").filter((segment) => segment !== "" && segment !== ".")

const isWithin = (segments: ReadonlyArray<string>, directory: ReadonlyArray<string>) =>
  segments.length > directory.length && directory.every((segment, index) => segments[index] === segment)

const describeDirectory = (directory: ReadonlyArray<string>) => (directory.length === 0 ? "the repository root" : `"${directory.join("/")}"`)

export interface Layout {
  /** The tracked directory; "" for the repository root. */
  readonly directory: string
  /** Where a repository keeps its own policy files. */
  readonly policyDirectory: string
}

/**
 * Routes a file to the intent reader or the policy reader, or rejects its
 * path. `..` is refused outright rather than resolved: Git never produces it,
 * so a path carrying one is a trick, whatever it would resolve to.
 */
export const routeFile = (path: string, layout: Layout): FileRoute | Rejection => {
  const outside = (message: string): Rejection => ({ file: path, rule: "outside-directory", message })
  if (path.startsWith("/") || /^[A-Za-z]:/.test(path)) return outside("is an absolute path; paths are relative to the repository")
  const segments = segmentsOf(path)
  if (segments.includes("..")) return outside(`contains ".."; certops reads only files inside the tracked directory`)
  const policyDirectory = segmentsOf(layout.policyDirectory)
  if (policyDirectory.length > 0 && isWithin(segments, policyDirectory)) return isYaml(path) ? "policy" : "ignored"
  const directory = segmentsOf(layout.directory)
  if (!isWithin(segments, directory)) return outside(`is outside the tracked directory ${describeDirectory(directory)}`)
  // Hidden directories hold tool configuration (.github workflows, .certops
  // itself), never intents; reading them would reject every CI file.
  if (segments.slice(directory.length).some((segment) => segment.startsWith("."))) return "ignored"
  return isYaml(path) ? "intent" : "ignored"
}

/** A link or an oversized blob is refused before it is parsed. */
export const admitFile = (file: SourceFile, maxFileBytes: number): Rejection | undefined => {
  if (file.symlink === true) {
    return {
      file: file.path,
      rule: "symlink",
      message: "is a symbolic link; certops reads regular files only, so a link cannot pull in content from elsewhere",
    }
  }
  if (file.bytes.byteLength > maxFileBytes) {
    const limit = maxFileBytes % 1024 === 0 ? `${maxFileBytes / 1024} KiB` : `${maxFileBytes} bytes`
    return { file: file.path, rule: "oversized", message: `is ${file.bytes.byteLength} bytes; the limit is ${limit}` }
  }
  return undefined
}
