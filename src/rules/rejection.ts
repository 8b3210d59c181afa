// Why a file, a document or an intent was not accepted: what a status report
// shows and `certops check` prints. Every rejection names the file and, where
// it can, the line and field to fix.

/**
 * Every check an intent goes through, by its short, stable code (reports and
 * CI match on it), with what it checks: the one place that says so.
 */
export const rejectionRules = {
  // the file itself
  "outside-directory": "the file lies inside the tracked directory",
  symlink: "the file is a regular file, not a symbolic link",
  oversized: "the file is no larger than the size limit",
  "yaml-syntax": "the file is UTF-8 YAML that parses, without duplicate keys",
  // one document
  "unknown-kind": "the document is a kind certops takes from Git",
  "ingress-annotation": "an Ingress annotated for certificates (cert-manager.io/issuer, …) has annotations and tls entries ingress-shim can read",
  schema: "the document matches the kind's schema, field by field",
  "invalid-name": "metadata.name and metadata.namespace are valid Kubernetes names",
  "invalid-dns-name": "every DNS name is a valid (wildcard only leftmost) DNS name, not an IP address",
  "invalid-san": "every IP address SAN is an IP address and every URI SAN an absolute URI",
  "invalid-secret-template": "the secretTemplate's labels and annotations are ones the API server accepts on the Secret",
  "invalid-ca-bundle": "an ACME issuer's caBundle holds at least one valid PEM certificate",
  "cluster-scoped": "a cluster-scoped kind (ClusterIssuer) names no namespace",
  admission: "the object passes the admission rules the API server enforces too (deploy/admission)",
  "invalid-solver": "an ACME issuer's DNS-01 solvers name a routable webhook (groupName, solverName, config object) or a valid RFC 2136 nameserver and TSIG algorithm",
  // across documents and files
  duplicate: "no object is declared twice",
  "duplicate-secret-name": "no two Certificates of a namespace write one Secret",
  "unknown-issuer": "the issuerRef names an issuer declared in Git or present in the cluster",
  "issuer-rejected": "the issuerRef names an issuer that was itself accepted",
  "wildcard-needs-dns01": "a wildcard name has a DNS-01 solver on its ACME issuer",
  "ca-from-acme": "a Certificate with isCA: true is not sent to an ACME issuer (ACME servers issue no CA certificates)",
  // policies
  policy: "the intent satisfies every policy that governs it",
  "policy-rejected": "no policy that may govern the intent is itself rejected (a broken policy holds its intents back)",
  "cel-compile": "the policy's CEL expressions compile",
} as const satisfies Record<string, string>

export type RejectionRule = keyof typeof rejectionRules

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

/** `file:line: warning: rule: message`: something to fix that holds nothing back (GCC's shape for warnings). */
export const formatWarning = (warning: Rejection): string => {
  const formatted = formatRejection(warning)
  const where = warning.line === undefined ? warning.file : `${warning.file}:${warning.line}`
  return `${where}: warning: ${formatted.slice(where.length + 2)}`
}

/** Stable order for output: by file, then line, then rule. */
export const compareRejections = (left: Rejection, right: Rejection): number =>
  left.file.localeCompare(right.file) ||
  (left.documentIndex ?? -1) - (right.documentIndex ?? -1) ||
  (left.line ?? 0) - (right.line ?? 0) ||
  left.rule.localeCompare(right.rule)
