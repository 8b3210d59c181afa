// The rules that hold wherever a Certificate or issuer comes from, written
// once in CEL: `certops check` and the apply step evaluate them on intents
// from Git (intents/admission-checks.ts), and `certops admission-policies`
// turns the same expressions into ValidatingAdmissionPolicies, so that the
// API server refuses a bad object at `kubectl apply` without a webhook.
// Each is cert-manager's webhook rule of the same name, in CEL (the variables
// are `object` and, for rules on changes, `oldObject`, as in a
// ValidatingAdmissionPolicy). The objects certops makes itself
// (CertificateRequests, Orders, Challenges) never come from Git: their rules
// hold in the cluster, against anyone else who writes them.

export type AdmittedKind = "Certificate" | "Issuer" | "ClusterIssuer" | "CertificateRequest" | "Order" | "Challenge"

export interface AdmissionRule {
  readonly name: string
  readonly kinds: ReadonlyArray<AdmittedKind>
  /**
   * "changes": the rule judges an update against the object before it
   * (`oldObject`), so it runs on UPDATE only. Absent: the object as created
   * or updated.
   */
  readonly judges?: "changes"
  /** "status": the rule judges writes to the status subresource, where conditions are written. */
  readonly subresource?: "status"
  /**
   * "warn": breaking the rule refuses nothing; `kubectl apply` prints the
   * message as a warning (as cert-manager's webhook warns) and so does
   * `certops check`. Absent: the object is refused.
   */
  readonly action?: "warn"
  /**
   * "api-server": the rule asks the API server's authorizer about the
   * writer (the `authorizer` variable), which only the API server knows;
   * certops' own engine does not evaluate it.
   */
  readonly judgedBy?: "api-server"
  /** True when the object is admitted. */
  readonly expression: string
  /** The field at fault, as kubectl prints it. */
  readonly fieldPath: string
  readonly message: string
}

const issuerKinds: ReadonlyArray<AdmittedKind> = ["Issuer", "ClusterIssuer"]

/** cert-manager's own annotations (its prefixes, as its webhook matches them): set when a request is made, fixed after. */
const certManagerAnnotation = (key: string) => `(${key}.startsWith('cert-manager.io') || ${key}.startsWith('acme.cert-manager.io'))`

/** The approval conditions of ValidateCertificateRequestApprovalCondition and its update rule. */
function certificateRequestRules(): ReadonlyArray<AdmissionRule> {
  const conditions = "object.status.conditions"
  const noConditions = "!has(object.status) || !has(object.status.conditions)"
  const unchangedOnceSet = (type: "Approved" | "Denied"): AdmissionRule => ({
    name: `${type.toLowerCase()}-unchanged`,
    kinds: ["CertificateRequest"],
    judges: "changes",
    subresource: "status",
    expression: `!has(oldObject.status) || !has(oldObject.status.conditions) || oldObject.status.conditions.all(old, old.type != '${type}' || (has(object.status) && has(object.status.conditions) && ${conditions}.exists(c, c == old)))`,
    fieldPath: "status.conditions",
    message: `the '${type}' condition may not be modified or removed once set`,
  })
  return [
    {
      name: "request-spec-unchanged",
      kinds: ["CertificateRequest"],
      judges: "changes",
      // One request is one signing decision: a changed request is a new CertificateRequest.
      expression: "object.spec == oldObject.spec",
      fieldPath: "spec",
      message: "spec cannot change after creation",
    },
    {
      name: "request-annotations-unchanged",
      kinds: ["CertificateRequest"],
      judges: "changes",
      expression:
        `(!has(oldObject.metadata.annotations) || oldObject.metadata.annotations.all(k, !${certManagerAnnotation("k")} || (has(object.metadata.annotations) && k in object.metadata.annotations && object.metadata.annotations[k] == oldObject.metadata.annotations[k])))` +
        ` && (!has(object.metadata.annotations) || object.metadata.annotations.all(k, !${certManagerAnnotation("k")} || (has(oldObject.metadata.annotations) && k in oldObject.metadata.annotations)))`,
      fieldPath: "metadata.annotations",
      message: "cert-manager.io and acme.cert-manager.io annotations cannot change after creation",
    },
    {
      name: "approval-only-true",
      kinds: ["CertificateRequest"],
      subresource: "status",
      expression: `${noConditions} || ${conditions}.all(c, !(c.type in ['Approved', 'Denied']) || c.status == 'True')`,
      fieldPath: "status.conditions",
      message: "the 'Approved' and 'Denied' conditions may only be set to True",
    },
    {
      name: "approved-or-denied",
      kinds: ["CertificateRequest"],
      subresource: "status",
      expression: `${noConditions} || !(${conditions}.exists(c, c.type == 'Approved') && ${conditions}.exists(c, c.type == 'Denied'))`,
      fieldPath: "status.conditions",
      message: "the 'Approved' and 'Denied' conditions cannot coexist",
    },
    unchangedOnceSet("Approved"),
    unchangedOnceSet("Denied"),
    signerApproval(),
  ]
}

/**
 * cert-manager's approval plugin: whoever first sets Approved or Denied
 * needs the verb "approve" on the cert-manager.io resource "signers", named
 * for the issuer: `<plural>.<group>/*` or `<plural>.<group>/<namespace>.<name>`
 * (`<plural>.<group>/<name>` for a cluster-scoped issuer). cert-manager finds
 * the plural and the scope by discovery; CEL cannot, so the plural is the
 * kind's lower case plus "s" and the scope cluster-wide for kinds named
 * Cluster… (cert-manager's and the external issuers' convention).
 */
function signerApproval(): AdmissionRule {
  const newlySet = (type: "Approved" | "Denied") =>
    `(has(object.status) && has(object.status.conditions) && object.status.conditions.exists(c, c.type == '${type}')` +
    ` && !(has(oldObject.status) && has(oldObject.status.conditions) && oldObject.status.conditions.exists(c, c.type == '${type}')))`
  const ref = "object.spec.issuerRef"
  const kind = `(has(${ref}.kind) && ${ref}.kind != '' ? ${ref}.kind : 'Issuer')`
  const group = `(has(${ref}.group) && ${ref}.group != '' ? ${ref}.group : 'cert-manager.io')`
  const resource = `${kind}.lowerAscii() + 's.' + ${group}`
  const name = `(${kind}.startsWith('Cluster') ? ${ref}.name : object.metadata.namespace + '.' + ${ref}.name)`
  const mayApprove = (signer: string) => `authorizer.group('cert-manager.io').resource('signers').name(${signer}).check('approve').allowed()`
  return {
    name: "approval-needs-signer-permission",
    kinds: ["CertificateRequest"],
    judges: "changes",
    subresource: "status",
    judgedBy: "api-server",
    expression: `!(${newlySet("Approved")} || ${newlySet("Denied")}) || ${mayApprove(`${resource} + '/*'`)} || ${mayApprove(`${resource} + '/' + ${name}`)}`,
    fieldPath: "status.conditions",
    message:
      "setting the 'Approved' or 'Denied' condition needs the verb 'approve' on the cert-manager.io resource 'signers' named for the issuer (issuers.cert-manager.io/<namespace>.<name>, clusterissuers.cert-manager.io/<name>)",
  }
}

/**
 * What an ACME server said about an order or challenge is a record: once
 * written, cert-manager's webhook (acme/validation) keeps it as it is.
 */
function acmeRecordRules(): ReadonlyArray<AdmissionRule> {
  const setOnce = (field: "url" | "finalizeURL" | "certificate" | "authorizations"): AdmissionRule => ({
    name: `order-${field.toLowerCase()}-unchanged`,
    kinds: ["Order"],
    judges: "changes",
    subresource: "status",
    // Stricter than cert-manager for authorizations: the list is compared whole (certops writes it once, complete).
    expression: `!has(oldObject.status) || !has(oldObject.status.${field}) || size(oldObject.status.${field}) == 0 || (has(object.status) && has(object.status.${field}) && object.status.${field} == oldObject.status.${field})`,
    fieldPath: `status.${field}`,
    message: `status.${field} is immutable once set`,
  })
  return [
    {
      name: "order-request-unchanged",
      kinds: ["Order"],
      judges: "changes",
      expression: "!has(oldObject.spec.request) || size(oldObject.spec.request) == 0 || (has(object.spec.request) && object.spec.request == oldObject.spec.request)",
      fieldPath: "spec.request",
      message: "spec.request is immutable once set",
    },
    setOnce("url"),
    setOnce("finalizeURL"),
    setOnce("certificate"),
    setOnce("authorizations"),
    {
      name: "challenge-spec-unchanged",
      kinds: ["Challenge"],
      judges: "changes",
      expression: "object.spec == oldObject.spec",
      fieldPath: "spec",
      message: "a Challenge's spec is immutable after creation",
    },
  ]
}

export const admissionRules: ReadonlyArray<AdmissionRule> = [
  {
    name: "identity-required",
    kinds: ["Certificate"],
    // An empty commonName names nothing; the SAN lists are non-empty when present (their schema says so).
    expression:
      "(has(object.spec.commonName) && object.spec.commonName != '') || has(object.spec.dnsNames) || has(object.spec.ipAddresses) || has(object.spec.uris) || has(object.spec.emailAddresses)",
    fieldPath: "spec",
    message: "at least one of spec.commonName, spec.dnsNames, spec.ipAddresses, spec.uris and spec.emailAddresses must be set",
  },
  {
    name: "rsa-key-size",
    kinds: ["Certificate"],
    // 0 or absent is the algorithm's default; RSA is the default algorithm.
    expression:
      "!has(object.spec.privateKey) || !has(object.spec.privateKey.size) || int(object.spec.privateKey.size) == 0 || (has(object.spec.privateKey.algorithm) && object.spec.privateKey.algorithm != 'RSA') || (int(object.spec.privateKey.size) >= 2048 && int(object.spec.privateKey.size) <= 8192)",
    fieldPath: "spec.privateKey.size",
    message: "spec.privateKey.size must be between 2048 and 8192 for an RSA key (2048, 3072 or 4096 are usual)",
  },
  {
    name: "ecdsa-key-size",
    kinds: ["Certificate"],
    expression:
      "!has(object.spec.privateKey) || !has(object.spec.privateKey.algorithm) || object.spec.privateKey.algorithm != 'ECDSA' || !has(object.spec.privateKey.size) || int(object.spec.privateKey.size) in [0, 256, 384, 521]",
    fieldPath: "spec.privateKey.size",
    message: "spec.privateKey.size must be 256, 384 or 521 for an ECDSA key",
  },
  {
    name: "renew-before-or-percentage",
    kinds: ["Certificate"],
    expression: "!has(object.spec.renewBefore) || !has(object.spec.renewBeforePercentage)",
    fieldPath: "spec.renewBeforePercentage",
    message: "spec.renewBefore and spec.renewBeforePercentage are mutually exclusive: set one",
  },
  {
    name: "renew-before-percentage-at-least-5m",
    kinds: ["Certificate"],
    // seconds × (100 − p) ≥ 300 × 100: the renewBefore the percentage makes is at least 5m, without a division.
    expression:
      "!has(object.spec.renewBeforePercentage) || duration(has(object.spec.duration) ? object.spec.duration : '2160h').getSeconds() * (100 - int(object.spec.renewBeforePercentage)) >= 30000",
    fieldPath: "spec.renewBeforePercentage",
    message: "spec.renewBeforePercentage must leave at least 5m before expiry (of spec.duration, 2160h when omitted)",
  },
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
    kinds: ["Certificate", "CertificateRequest"],
    expression:
      "(has(object.spec.issuerRef.group) && !(object.spec.issuerRef.group in ['', 'cert-manager.io'])) || !has(object.spec.issuerRef.kind) || object.spec.issuerRef.kind in ['', 'Issuer', 'ClusterIssuer']",
    fieldPath: "spec.issuerRef.kind",
    message: "spec.issuerRef.kind must be Issuer or ClusterIssuer for the cert-manager.io group (an external issuer's kind needs its spec.issuerRef.group)",
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
      "!has(object.spec.secretTemplate) || !has(object.spec.secretTemplate.annotations) || object.spec.secretTemplate.annotations.all(k, !k.startsWith('cert-manager.io/') || k == 'cert-manager.io/allow-direct-injection')",
    fieldPath: "spec.secretTemplate.annotations",
    message: "spec.secretTemplate.annotations may not set cert-manager.io/* annotations (but cert-manager.io/allow-direct-injection): certops writes those",
  },
  {
    name: "keystore-password-one-of",
    kinds: ["Certificate"],
    expression:
      "!has(object.spec.keystores) || !has(object.spec.keystores.pkcs12) || (has(object.spec.keystores.pkcs12.password) ? 1 : 0) + (has(object.spec.keystores.pkcs12.passwordSecretRef) ? 1 : 0) == 1",
    fieldPath: "spec.keystores.pkcs12",
    message: "spec.keystores.pkcs12 needs exactly one of password and passwordSecretRef",
  },
  {
    name: "keystore-password-not-empty",
    kinds: ["Certificate"],
    expression:
      "!has(object.spec.keystores) || !has(object.spec.keystores.pkcs12) || !has(object.spec.keystores.pkcs12.password) || size(object.spec.keystores.pkcs12.password) > 0",
    fieldPath: "spec.keystores.pkcs12.password",
    message: "spec.keystores.pkcs12.password may not be empty",
  },
  {
    name: "issuer-one-type",
    kinds: issuerKinds,
    expression: "(has(object.spec.acme) ? 1 : 0) + (has(object.spec.ca) ? 1 : 0) + (has(object.spec.selfSigned) ? 1 : 0) == 1",
    fieldPath: "spec",
    message: "spec has exactly one issuer type: acme, ca or selfSigned (the ones certops implements)",
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
  {
    name: "acme-dns01-one-provider",
    kinds: issuerKinds,
    expression:
      "!has(object.spec.acme) || !has(object.spec.acme.solvers) || object.spec.acme.solvers.all(s, !has(s.dns01) || (has(s.dns01.rfc2136) ? 1 : 0) + (has(s.dns01.webhook) ? 1 : 0) == 1)",
    fieldPath: "spec.acme.solvers",
    message: "each dns01 solver in spec.acme.solvers has exactly one provider: rfc2136 or webhook (the ones certops implements)",
  },
  {
    name: "http01-one-type",
    kinds: issuerKinds,
    expression:
      "!has(object.spec.acme) || !has(object.spec.acme.solvers) || object.spec.acme.solvers.all(s, !has(s.http01) || (has(s.http01.ingress) ? 1 : 0) + (has(s.http01.gatewayHTTPRoute) ? 1 : 0) == 1)",
    fieldPath: "spec.acme.solvers",
    message: "each http01 solver in spec.acme.solvers has exactly one of ingress and gatewayHTTPRoute",
  },
  {
    name: "http01-gateway-parent-kind",
    kinds: issuerKinds,
    expression:
      "!has(object.spec.acme) || !has(object.spec.acme.solvers) || object.spec.acme.solvers.all(s, !has(s.http01) || !has(s.http01.gatewayHTTPRoute) || !has(s.http01.gatewayHTTPRoute.parentRefs) || s.http01.gatewayHTTPRoute.parentRefs.all(p, has(p.kind)))",
    fieldPath: "spec.acme.solvers",
    message: "each http01.gatewayHTTPRoute parentRef in spec.acme.solvers names its kind (kind is required when name is specified)",
  },
  {
    name: "http01-ingress-class-name",
    kinds: issuerKinds,
    // The name of an IngressClass object: a lowercase RFC 1123 subdomain.
    expression:
      "!has(object.spec.acme) || !has(object.spec.acme.solvers) || object.spec.acme.solvers.all(s, !has(s.http01) || !has(s.http01.ingress) || !has(s.http01.ingress.ingressClassName) || (size(s.http01.ingress.ingressClassName) <= 253 && s.http01.ingress.ingressClassName.matches('^[a-z0-9]([-a-z0-9]*[a-z0-9])?([.][a-z0-9]([-a-z0-9]*[a-z0-9])?)*$')))",
    fieldPath: "spec.acme.solvers",
    message: "each http01.ingress.ingressClassName in spec.acme.solvers is an IngressClass name (lowercase letters, digits, '-' and '.')",
  },
  {
    name: "acme-eab-key",
    kinds: issuerKinds,
    expression:
      "!has(object.spec.acme) || !has(object.spec.acme.externalAccountBinding) || (has(object.spec.acme.externalAccountBinding.keySecretRef.key) && object.spec.acme.externalAccountBinding.keySecretRef.key != '')",
    fieldPath: "spec.acme.externalAccountBinding.keySecretRef.key",
    message: "spec.acme.externalAccountBinding.keySecretRef.key is required: the key of the Secret that holds the EAB HMAC key",
  },
  {
    name: "acme-eab-key-algorithm-deprecated",
    kinds: issuerKinds,
    action: "warn",
    expression:
      "!has(object.spec.acme) || !has(object.spec.acme.externalAccountBinding) || !has(object.spec.acme.externalAccountBinding.keyAlgorithm)",
    fieldPath: "spec.acme.externalAccountBinding.keyAlgorithm",
    message: "spec.acme.externalAccountBinding.keyAlgorithm is deprecated and ignored: the EAB MAC is HS256, as the ACME server expects",
  },
  ...certificateRequestRules(),
  ...acmeRecordRules(),
]
