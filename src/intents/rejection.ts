// Why a file, a document or an intent was not accepted: what a status report
// shows and `certops check` prints. Every rejection names the file and, where
// it can, the line and field to fix.

/** A short, stable code per check; reports and CI match on it. */
export type RejectionRule =
  // the file itself
  | "outside-directory"
  | "symlink"
  | "oversized"
  | "yaml-syntax"
  // one document
  | "unknown-kind"
  | "schema"
  | "invalid-name"
  | "invalid-dns-name"
  // across documents and files
  | "duplicate"
  | "duplicate-secret-name"
  | "unknown-issuer"
  | "issuer-rejected"
  | "wildcard-needs-dns01"
  // policies
  | "policy"
  | "policy-rejected"
  | "cel-compile"

export interface Rejection {
  /** The path as the caller gave it (repository-relative). */
  readonly file: string
  /** 0-based position in the file's YAML stream, empty documents included; absent for file-level problems. */
  readonly documentIndex?: number
  /** 1-based line of the offending field, or of the document when no field is at fault. */
  readonly line?: number
  /** The field at fault, as kubectl prints it: `spec.dnsNames[1]`. */
  readonly path?: string
  readonly kind?: string
  readonly name?: string
  readonly namespace?: string
  readonly rule: RejectionRule
  /** Never quotes Secret data or key material: reports are committed to Git. */
  readonly message: string
}

/** `file:line: rule: message`, the shape compilers and editors understand. */
export const formatRejection = (rejection: Rejection): string => {
  const where = rejection.line === undefined ? rejection.file : `${rejection.file}:${rejection.line}`
  const field = rejection.path === undefined || rejection.path === "" ? "" : `${rejection.path}: `
  return `${where}: ${rejection.rule}: ${field}${rejection.message}`
}

/** Stable order for output: by file, then line, then rule. */
export const compareRejections = (left: Rejection, right: Rejection): number =>
  left.file.localeCompare(right.file) ||
  (left.documentIndex ?? -1) - (right.documentIndex ?? -1) ||
  (left.line ?? 0) - (right.line ?? 0) ||
  left.rule.localeCompare(right.rule)
