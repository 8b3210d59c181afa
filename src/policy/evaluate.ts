// Evaluating policies against one Certificate. Each restriction is checked
// against the Certificate as it will be issued, cert-manager's defaults filled
// in (RSA 2048, 2160h), so an omitted field cannot slip past a policy.
import { Result } from "effect"
import type { Certificate } from "../api/certificate.ts"
import { formatPath } from "../api/decode.ts"
import { parseGoDurationNanos } from "../api/duration.ts"
import { keySpecOf } from "../rules/key-spec.ts"
import { isWildcard } from "../rules/dns-names.ts"
import type { CertificatePolicySpec, IssuerPattern } from "./certificate-policy.ts"
import { matchesAny, matchesDnsGlob, matchesGlob } from "./glob.ts"
import type { CompiledRule, Policy } from "./load-policies.ts"

export interface Violation {
  readonly policy: Pick<Policy, "name" | "file">
  /** The policy field (`allowedDNSNames`) or the name of a CEL rule. */
  readonly rule: string
  /** The Certificate field at fault; "" for CEL rules, which judge the whole object. */
  readonly path: string
  readonly message: string
}

type Finding = Omit<Violation, "policy">

// cert-manager's defaults for omitted fields.
const defaultRsaKeySize = 2048
const defaultDuration = "2160h"

export const governs = (namespaces: ReadonlyArray<string> | undefined, namespace: string): boolean =>
  namespaces === undefined || matchesAny(namespaces, namespace)

const dnsNamesAt = (certificate: Certificate) =>
  (certificate.spec.dnsNames ?? []).map((name, index) => ({ name, path: formatPath(["spec", "dnsNames", index]) }))

const checkDnsNames = (patterns: ReadonlyArray<string>, certificate: Certificate): ReadonlyArray<Finding> =>
  dnsNamesAt(certificate)
    .filter(({ name }) => !matchesAny(patterns, name, matchesDnsGlob))
    .map(({ name, path }) => ({ rule: "allowedDNSNames", path, message: `"${name}" is not in ${patterns.join(", ")}` }))

const checkWildcards = (certificate: Certificate): ReadonlyArray<Finding> =>
  dnsNamesAt(certificate)
    .filter(({ name }) => isWildcard(name))
    .map(({ name, path }) => ({ rule: "allowWildcards", path, message: `"${name}" is a wildcard, and wildcards are not allowed here` }))

const describePattern = (pattern: IssuerPattern) => `${pattern.kind ?? "*"}/${pattern.name}`

const checkIssuer = (patterns: ReadonlyArray<IssuerPattern>, certificate: Certificate): ReadonlyArray<Finding> => {
  const ref = certificate.spec.issuerRef
  const kind = ref.kind === undefined || ref.kind === "" ? "Issuer" : ref.kind
  const allowed = patterns.some((pattern) => (pattern.kind === undefined || matchesGlob(pattern.kind, kind)) && matchesGlob(pattern.name, ref.name))
  return allowed ? [] : [{ rule: "allowedIssuers", path: "spec.issuerRef.name", message: `${kind} "${ref.name}" is not in ${patterns.map(describePattern).join(", ")}` }]
}

const checkKeyAlgorithm = (allowed: ReadonlyArray<string>, certificate: Certificate): ReadonlyArray<Finding> => {
  const { algorithm } = keySpecOf(certificate)
  if (allowed.includes(algorithm)) return []
  const defaulted = certificate.spec.privateKey?.algorithm === undefined ? " (the default when spec.privateKey.algorithm is omitted)" : ""
  return [{ rule: "allowedKeyAlgorithms", path: "spec.privateKey.algorithm", message: `${algorithm}${defaulted} is not in ${allowed.join(", ")}` }]
}

const checkRsaKeySize = (minimum: number, certificate: Certificate): ReadonlyArray<Finding> => {
  const { algorithm, size } = keySpecOf(certificate)
  if (algorithm !== "RSA") return []
  const effective = size ?? defaultRsaKeySize
  if (effective >= minimum) return []
  const defaulted = size === undefined ? " (the default when spec.privateKey.size is omitted)" : ""
  return [{ rule: "minRSAKeySize", path: "spec.privateKey.size", message: `RSA ${effective}${defaulted} is below ${minimum} bits` }]
}

const checkDuration = (maximum: string, certificate: Certificate): ReadonlyArray<Finding> => {
  const duration = certificate.spec.duration ?? defaultDuration
  // Both are valid Go durations: their schemas were checked on decoding.
  if ((parseGoDurationNanos(duration) ?? 0n) <= (parseGoDurationNanos(maximum) ?? 0n)) return []
  const described = certificate.spec.duration === undefined ? `the default duration ${defaultDuration} (spec.duration is omitted)` : `"${duration}"`
  return [{ rule: "maxDuration", path: "spec.duration", message: `${described} is longer than ${maximum}` }]
}

const checkRule = ({ rule, expression }: CompiledRule, certificate: Certificate): ReadonlyArray<Finding> =>
  Result.match(expression.evaluate(certificate), {
    onSuccess: (allowed) => (allowed ? [] : [{ rule: rule.name, path: "", message: rule.message }]),
    // Fail closed: a rule that cannot decide denies, and says why.
    onFailure: (error) => [{ rule: rule.name, path: "", message: `could not be evaluated (${error}), so it denies` }],
  })

interface PolicyCheck {
  /** What the restriction checks, in one sentence. */
  readonly checks: string
  readonly run: (spec: CertificatePolicySpec, certificate: Certificate) => ReadonlyArray<Finding>
}

/** Every restriction a CertificatePolicy can set, by its field, and what each checks. */
export const policyChecks: Readonly<Record<string, PolicyCheck>> = {
  allowedDNSNames: {
    checks: "every spec.dnsNames entry matches one of the DNS globs",
    run: (spec, certificate) => (spec.allowedDNSNames === undefined ? [] : checkDnsNames(spec.allowedDNSNames, certificate)),
  },
  allowWildcards: {
    checks: "when false, no spec.dnsNames entry is a wildcard",
    run: (spec, certificate) => (spec.allowWildcards === false ? checkWildcards(certificate) : []),
  },
  allowedIssuers: {
    checks: "spec.issuerRef matches one of the kind/name globs",
    run: (spec, certificate) => (spec.allowedIssuers === undefined ? [] : checkIssuer(spec.allowedIssuers, certificate)),
  },
  allowedKeyAlgorithms: {
    checks: "the private key algorithm (RSA when omitted) is one of those listed",
    run: (spec, certificate) => (spec.allowedKeyAlgorithms === undefined ? [] : checkKeyAlgorithm(spec.allowedKeyAlgorithms, certificate)),
  },
  minRSAKeySize: {
    checks: "an RSA key (2048 bits when omitted) has at least this many bits",
    run: (spec, certificate) => (spec.minRSAKeySize === undefined ? [] : checkRsaKeySize(spec.minRSAKeySize, certificate)),
  },
  maxDuration: {
    checks: "spec.duration (2160h when omitted) is no longer than this",
    run: (spec, certificate) => (spec.maxDuration === undefined ? [] : checkDuration(spec.maxDuration, certificate)),
  },
}

const findings = (spec: CertificatePolicySpec, rules: ReadonlyArray<CompiledRule>, certificate: Certificate): ReadonlyArray<Finding> => [
  ...Object.values(policyChecks).flatMap((check) => check.run(spec, certificate)),
  ...rules.flatMap((rule) => checkRule(rule, certificate)),
]

/** Every violation of every policy governing the Certificate's namespace (already defaulted). */
export const evaluatePolicies = (policies: ReadonlyArray<Policy>, certificate: Certificate): ReadonlyArray<Violation> =>
  policies
    .filter((policy) => governs(policy.spec.namespaces, certificate.metadata.namespace ?? ""))
    .flatMap((policy) => findings(policy.spec, policy.rules, certificate).map((finding) => ({ ...finding, policy })))

/** `denied by policy "prod-names" (policies/prod.yaml), rule allowedDNSNames: "foo.evil.com" is not in *.example.com`. */
export const describeViolation = (violation: Violation): string =>
  `denied by policy "${violation.policy.name}" (${violation.policy.file}), rule ${violation.rule}: ${violation.message}`
