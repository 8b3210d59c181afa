// The rules that hold wherever a Certificate or issuer comes from, written
// once in CEL: `certops check` and the apply step evaluate them on intents
// from Git (intents/admission-checks.ts), and `certops admission-policies`
// turns the same expressions into ValidatingAdmissionPolicies, so that the
// API server refuses a bad object at `kubectl apply` without a webhook.
// Each is cert-manager's webhook rule of the same name, in CEL (the variable
// is `object`, as in a ValidatingAdmissionPolicy).

export type AdmittedKind = "Certificate" | "Issuer" | "ClusterIssuer"

export interface AdmissionRule {
  readonly name: string
  readonly kinds: ReadonlyArray<AdmittedKind>
  /** True when the object is admitted. */
  readonly expression: string
  /** The field at fault, as kubectl prints it. */
  readonly fieldPath: string
  readonly message: string
}

const issuerKinds: ReadonlyArray<AdmittedKind> = ["Issuer", "ClusterIssuer"]

export const admissionRules: ReadonlyArray<AdmissionRule> = [
  {
    name: "duration-at-least-1h",
    kinds: ["Certificate"],
    expression: "!has(object.spec.duration) || duration(object.spec.duration) >= duration('1h')",
    fieldPath: "spec.duration",
    message: "spec.duration must be at least 1h",
  },
  {
    name: "renew-before-at-least-5m",
    kinds: ["Certificate"],
    expression: "!has(object.spec.renewBefore) || duration(object.spec.renewBefore) >= duration('5m')",
    fieldPath: "spec.renewBefore",
    message: "spec.renewBefore must be at least 5m",
  },
  {
    name: "renew-before-shorter-than-duration",
    kinds: ["Certificate"],
    // A certificate due for renewal the moment it is issued would be reissued in a loop.
    expression: "!has(object.spec.renewBefore) || duration(object.spec.renewBefore) < duration(has(object.spec.duration) ? object.spec.duration : '2160h')",
    fieldPath: "spec.renewBefore",
    message: "spec.renewBefore must be shorter than spec.duration (2160h when omitted)",
  },
  {
    name: "common-name-length",
    kinds: ["Certificate"],
    expression: "!has(object.spec.commonName) || size(object.spec.commonName) <= 64",
    fieldPath: "spec.commonName",
    message: "spec.commonName must be at most 64 characters (X.509's ub-common-name)",
  },
  {
    name: "issuer-ref-kind",
    kinds: ["Certificate"],
    expression:
      "(has(object.spec.issuerRef.group) && !(object.spec.issuerRef.group in ['', 'cert-manager.io'])) || !has(object.spec.issuerRef.kind) || object.spec.issuerRef.kind in ['', 'Issuer', 'ClusterIssuer']",
    fieldPath: "spec.issuerRef.kind",
    message: "spec.issuerRef.kind must be Issuer or ClusterIssuer for the cert-manager.io group",
  },
  {
    name: "email-sans",
    kinds: ["Certificate"],
    expression: "!has(object.spec.emailAddresses) || object.spec.emailAddresses.all(e, e.matches('^[^@\\\\s<>()]+@[^@\\\\s<>()]+$'))",
    fieldPath: "spec.emailAddresses",
    message: "each of spec.emailAddresses is an email address, and only that (no name, no <>)",
  },
  {
    name: "secret-template-annotations",
    kinds: ["Certificate"],
    expression:
      "!has(object.spec.secretTemplate) || !has(object.spec.secretTemplate.annotations) || object.spec.secretTemplate.annotations.all(k, !k.startsWith('cert-manager.io/'))",
    fieldPath: "spec.secretTemplate.annotations",
    message: "spec.secretTemplate.annotations may not set cert-manager.io/* annotations: certops writes those",
  },
  {
    name: "acme-server-url",
    kinds: issuerKinds,
    expression: "!has(object.spec.acme) || object.spec.acme.server.matches('^https?://[^/\\\\s]+')",
    fieldPath: "spec.acme.server",
    message: "spec.acme.server must be an http(s) URL: the ACME directory",
  },
  {
    name: "acme-email",
    kinds: issuerKinds,
    expression:
      "!has(object.spec.acme) || !has(object.spec.acme.email) || object.spec.acme.email == '' || object.spec.acme.email.matches('^[^@\\\\s]+@[^@\\\\s]+[.][^@\\\\s]+$')",
    fieldPath: "spec.acme.email",
    message: "spec.acme.email must be an email address",
  },
  {
    name: "acme-solver-one-type",
    kinds: issuerKinds,
    expression:
      "!has(object.spec.acme) || !has(object.spec.acme.solvers) || object.spec.acme.solvers.all(s, (has(s.http01) ? 1 : 0) + (has(s.dns01) ? 1 : 0) == 1)",
    fieldPath: "spec.acme.solvers",
    message: "each of spec.acme.solvers has exactly one of http01 and dns01",
  },
  {
    name: "acme-ca-bundle-or-skip-tls-verify",
    kinds: issuerKinds,
    expression: "!has(object.spec.acme) || !has(object.spec.acme.caBundle) || !has(object.spec.acme.skipTLSVerify) || !object.spec.acme.skipTLSVerify",
    fieldPath: "spec.acme.skipTLSVerify",
    message: "spec.acme.caBundle and spec.acme.skipTLSVerify are mutually exclusive",
  },
]
