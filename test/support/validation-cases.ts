// cert-manager v1.21's validation (internal/apis/certmanager/validation:
// certificate.go, issuer.go) as a table: one good and one bad object per
// rule, what `certops check` says about the bad one (rule code and field),
// and who refuses it when it is made in the cluster instead:
//   policy      the generated ValidatingAdmissionPolicies, at kubectl apply
//   crd         the CRD's schema, at kubectl apply (a field certops does not
//               implement is an unknown field there, as in `certops check`)
//   reconciler  admitted, then Ready=False, reason InvalidSpec, with an Event
//   git         only Git can get it wrong (cross-object and scope rules)
// The same table runs through `certops check` and the apply step (unit) and
// through kubectl and the reconcilers (integration).
import { webcrypto } from "node:crypto"
import * as x509 from "@peculiar/x509"
import { admissionRules } from "../../src/rules/admission-rules.ts"
import type { RejectionRule } from "../../src/rules/rejection.ts"
import { changeCases, creationCases, signerCase, type Refusal } from "./request-validation-cases.ts"

export type Enforcer = "policy" | "crd" | "reconciler" | "git"

export interface ValidationCase {
  /** cert-manager's rule, by its function and what it checks. */
  readonly rule: string
  readonly good: Record<string, unknown>
  readonly bad: Record<string, unknown>
  /** What `certops check` reports for the bad object: its rule code (the admission rule's name for "admission") and field. */
  readonly refused: { readonly rule: RejectionRule; readonly path: string; readonly admissionRule?: string }
  readonly inCluster: Enforcer
}

const certificate = (name: string, spec: Record<string, unknown> = {}, drop: ReadonlyArray<string> = []) => {
  const full: Record<string, unknown> = { secretName: `${name}-tls`, dnsNames: [`${name}.example.com`], issuerRef: { name: "known", kind: "ClusterIssuer" }, ...spec }
  for (const field of drop) delete full[field]
  return { apiVersion: "cert-manager.io/v1", kind: "Certificate", metadata: { name }, spec: full }
}

const acmeIssuer = (name: string, acme: Record<string, unknown> = {}) => ({
  apiVersion: "cert-manager.io/v1",
  kind: "Issuer",
  metadata: { name },
  spec: {
    acme: {
      server: "https://acme.example.com/directory",
      privateKeySecretRef: { name: `${name}-account` },
      solvers: [{ http01: { ingress: { ingressClassName: "nginx" } } }],
      ...acme,
    },
  },
})

const issuerWith = (name: string, spec: Record<string, unknown>, kind = "Issuer") => ({ apiVersion: "cert-manager.io/v1", kind, metadata: { name }, spec })

const rfc2136 = (settings: Record<string, unknown>) => ({ dns01: { rfc2136: { nameserver: "192.0.2.53:53", ...settings } } })
const tsigRef = { name: "tsig", key: "secret" }

const caBundle = await (async () => {
  const algorithm = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" }
  const keys = (await webcrypto.subtle.generateKey(algorithm, false, ["sign", "verify"])) as webcrypto.CryptoKeyPair
  const root = await x509.X509CertificateGenerator.createSelfSigned({ serialNumber: "01", name: "CN=validation table root", keys, signingAlgorithm: algorithm })
  return Buffer.from(root.toString("pem")).toString("base64")
})()
const notACertificate = Buffer.from("-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n").toString("base64")

const admission = (name: string) => ({ rule: "admission" as const, path: admissionRules.find((rule) => rule.name === name)!.fieldPath, admissionRule: name })

export const validationCases: ReadonlyArray<ValidationCase> = [
  // ValidateCertificateSpec
  { rule: "secretName is required", good: certificate("secret-ok"), bad: certificate("secret-none", {}, ["secretName"]), refused: { rule: "schema", path: "spec.secretName" }, inCluster: "crd" },
  { rule: "secretName is a DNS subdomain", good: certificate("secret-dns", { secretName: "web.tls" }), bad: certificate("secret-caps", { secretName: "Web_TLS" }), refused: { rule: "invalid-name", path: "spec.secretName" }, inCluster: "reconciler" },
  { rule: "issuerRef.name is required", good: certificate("ref-ok"), bad: certificate("ref-noname", { issuerRef: { kind: "ClusterIssuer" } }), refused: { rule: "schema", path: "spec.issuerRef.name" }, inCluster: "crd" },
  {
    rule: "issuerRef.kind is Issuer or ClusterIssuer in the cert-manager.io group",
    good: certificate("ref-external", { issuerRef: { name: "x", kind: "AWSPCAIssuer", group: "awspca.cert-manager.io" } }),
    bad: certificate("ref-bad", { issuerRef: { name: "x", kind: "Issuerr" } }),
    refused: admission("issuer-ref-kind"),
    inCluster: "policy",
  },
  { rule: "literalSubject (not implemented by certops)", good: certificate("subject-ok", { subject: { organizations: ["Example"] } }), bad: certificate("literal", { literalSubject: "CN=web" }), refused: { rule: "schema", path: "spec.literalSubject" }, inCluster: "crd" },
  {
    rule: "at least one of commonName, dnsNames, uris, emailAddresses, ipAddresses",
    good: certificate("cn-only", { commonName: "web" }, ["dnsNames"]),
    bad: certificate("no-identity", { commonName: "" }, ["dnsNames"]),
    refused: admission("identity-required"),
    inCluster: "policy",
  },
  { rule: "commonName is at most 64 characters", good: certificate("cn-ok", { commonName: "a".repeat(64) }), bad: certificate("cn-long", { commonName: "a".repeat(65) }), refused: admission("common-name-length"), inCluster: "policy" },
  { rule: "ipAddresses are IP addresses", good: certificate("ip-ok", { ipAddresses: ["192.0.2.1", "2001:db8::1"] }), bad: certificate("ip-bad", { ipAddresses: ["192.0.2.300"] }), refused: { rule: "invalid-san", path: "spec.ipAddresses[0]" }, inCluster: "reconciler" },
  {
    rule: "emailAddresses are addresses only",
    good: certificate("email-ok", { emailAddresses: ["ops@example.com"] }),
    bad: certificate("email-named", { emailAddresses: ["Ops <ops@example.com>"] }),
    refused: admission("email-sans"),
    inCluster: "policy",
  },
  { rule: "otherNames (not implemented by certops)", good: certificate("uri-ok", { uris: ["spiffe://example.com/web"] }), bad: certificate("other-names", { otherNames: [{ oid: "1.3.6.1.4.1.311.20.2.3", utf8Value: "web@example.com" }] }), refused: { rule: "schema", path: "spec.otherNames" }, inCluster: "crd" },
  { rule: "uris are absolute URIs (certops; cert-manager parses them at signing)", good: certificate("uri-abs", { uris: ["spiffe://example.com/web"] }), bad: certificate("uri-rel", { uris: ["/web"] }), refused: { rule: "invalid-san", path: "spec.uris[0]" }, inCluster: "reconciler" },
  { rule: "dnsNames are DNS names (certops; cert-manager leaves it to the CA)", good: certificate("dns-wild", { dnsNames: ["*.example.com"] }), bad: certificate("dns-bad", { dnsNames: ["web..example.com"] }), refused: { rule: "invalid-dns-name", path: "spec.dnsNames[0]" }, inCluster: "reconciler" },
  { rule: "RSA key size between 2048 and 8192", good: certificate("rsa-ok", { privateKey: { algorithm: "RSA", size: 4096 } }), bad: certificate("rsa-small", { privateKey: { size: 1024 } }), refused: admission("rsa-key-size"), inCluster: "policy" },
  { rule: "ECDSA key size 256, 384 or 521", good: certificate("ec-ok", { privateKey: { algorithm: "ECDSA", size: 384 } }), bad: certificate("ec-bad", { privateKey: { algorithm: "ECDSA", size: 2048 } }), refused: admission("ecdsa-key-size"), inCluster: "policy" },
  { rule: "key algorithm RSA, ECDSA or Ed25519", good: certificate("ed-ok", { privateKey: { algorithm: "Ed25519" } }), bad: certificate("alg-bad", { privateKey: { algorithm: "DSA" } }), refused: { rule: "schema", path: "spec.privateKey.algorithm" }, inCluster: "crd" },
  { rule: "key encoding PKCS1 or PKCS8", good: certificate("enc-ok", { privateKey: { encoding: "PKCS8" } }), bad: certificate("enc-bad", { privateKey: { encoding: "DER" } }), refused: { rule: "schema", path: "spec.privateKey.encoding" }, inCluster: "crd" },
  { rule: "signatureAlgorithm (not implemented by certops)", good: certificate("sig-default"), bad: certificate("sig-set", { signatureAlgorithm: "SHA384WithRSA" }), refused: { rule: "schema", path: "spec.signatureAlgorithm" }, inCluster: "crd" },
  // ValidateDuration
  { rule: "duration at least 1h", good: certificate("duration-ok", { duration: "1h" }), bad: certificate("duration-short", { duration: "30m" }), refused: admission("duration-at-least-1h"), inCluster: "policy" },
  { rule: "renewBefore and renewBeforePercentage are mutually exclusive", good: certificate("pct-ok", { renewBeforePercentage: 30 }), bad: certificate("pct-both", { renewBefore: "1h", renewBeforePercentage: 30 }), refused: admission("renew-before-or-percentage"), inCluster: "policy" },
  { rule: "renewBefore at least 5m", good: certificate("renew-ok", { renewBefore: "5m" }), bad: certificate("renew-tiny", { renewBefore: "1m" }), refused: admission("renew-before-at-least-5m"), inCluster: "policy" },
  { rule: "renewBefore shorter than duration", good: certificate("renew-short", { duration: "24h", renewBefore: "8h" }), bad: certificate("renew-long", { duration: "24h", renewBefore: "48h" }), refused: admission("renew-before-shorter-than-duration"), inCluster: "policy" },
  { rule: "renewBeforePercentage leaves at least 5m", good: certificate("pct-hour", { duration: "1h", renewBeforePercentage: 90 }), bad: certificate("pct-tiny", { duration: "1h", renewBeforePercentage: 99 }), refused: admission("renew-before-percentage-at-least-5m"), inCluster: "policy" },
  { rule: "renewBeforePercentage leaves a renewBefore shorter than duration", good: certificate("pct-one", { renewBeforePercentage: 1 }), bad: certificate("pct-zero", { renewBeforePercentage: 0 }), refused: { rule: "schema", path: "spec.renewBeforePercentage" }, inCluster: "crd" },
  // validateUsages, revisionHistoryLimit
  { rule: "usages are known key usages", good: certificate("usage-ok", { usages: ["server auth", "digital signature"] }), bad: certificate("usage-bad", { usages: ["server-auth"] }), refused: { rule: "schema", path: "spec.usages[0]" }, inCluster: "crd" },
  { rule: "revisionHistoryLimit at least 1", good: certificate("history-ok", { revisionHistoryLimit: 1 }), bad: certificate("history-zero", { revisionHistoryLimit: 0 }), refused: { rule: "schema", path: "spec.revisionHistoryLimit" }, inCluster: "crd" },
  // secretTemplate
  {
    rule: "secretTemplate labels are valid labels",
    good: certificate("labels-ok", { secretTemplate: { labels: { "app.kubernetes.io/name": "web" } } }),
    bad: certificate("labels-bad", { secretTemplate: { labels: { team: "web frontend" } } }),
    refused: { rule: "invalid-secret-template", path: "spec.secretTemplate.labels.team" },
    inCluster: "reconciler",
  },
  {
    rule: "secretTemplate annotations have valid keys",
    good: certificate("annotations-ok", { secretTemplate: { annotations: { "example.com/team": "web" } } }),
    bad: certificate("annotations-bad", { secretTemplate: { annotations: { "example.com/a/b": "web" } } }),
    refused: { rule: "invalid-secret-template", path: 'spec.secretTemplate.annotations["example.com/a/b"]' },
    inCluster: "reconciler",
  },
  {
    rule: "secretTemplate annotations set no cert-manager.io/* key but allow-direct-injection",
    good: certificate("template-inject", { secretTemplate: { annotations: { "cert-manager.io/allow-direct-injection": "true" } } }),
    bad: certificate("template-bad", { secretTemplate: { annotations: { "cert-manager.io/issuer-name": "x" } } }),
    refused: admission("secret-template-annotations"),
    inCluster: "policy",
  },
  // nameConstraints, additionalOutputFormats, JKS, renewal: not implemented
  { rule: "nameConstraints (not implemented by certops)", good: certificate("ca-ok", { isCA: true }), bad: certificate("constraints", { isCA: true, nameConstraints: { permitted: { dnsDomains: ["example.com"] } } }), refused: { rule: "schema", path: "spec.nameConstraints" }, inCluster: "crd" },
  { rule: "additionalOutputFormats (not implemented by certops)", good: certificate("formats-none"), bad: certificate("formats", { additionalOutputFormats: [{ type: "DER" }] }), refused: { rule: "schema", path: "spec.additionalOutputFormats" }, inCluster: "crd" },
  { rule: "JKS keystores (not implemented by certops)", good: certificate("p12-ok", { keystores: { pkcs12: { create: true, passwordSecretRef: { name: "p12", key: "password" } } } }), bad: certificate("jks", { keystores: { jks: { create: true, password: "changeit" } } }), refused: { rule: "schema", path: "spec.keystores.jks" }, inCluster: "crd" },
  {
    rule: "PKCS#12 keystore: exactly one of password and passwordSecretRef",
    good: certificate("p12-literal", { keystores: { pkcs12: { create: true, password: "changeit" } } }),
    bad: certificate("p12-both", { keystores: { pkcs12: { create: true, password: "changeit", passwordSecretRef: { name: "p12", key: "password" } } } }),
    refused: admission("keystore-password-one-of"),
    inCluster: "policy",
  },
  {
    rule: "PKCS#12 keystore: a literal password is not empty",
    good: certificate("p12-word", { keystores: { pkcs12: { create: false, password: "x" } } }),
    bad: certificate("p12-empty", { keystores: { pkcs12: { create: true, password: "" } } }),
    refused: admission("keystore-password-not-empty"),
    inCluster: "policy",
  },
  { rule: "renewal policy and windows (not implemented by certops)", good: certificate("renewal-default"), bad: certificate("renewal", { renewal: { policy: "Disabled" } }), refused: { rule: "schema", path: "spec.renewal" }, inCluster: "crd" },
  // ValidateIssuerConfig
  { rule: "an issuer has exactly one type", good: issuerWith("self", { selfSigned: {} }), bad: issuerWith("two-types", { selfSigned: {}, ca: { secretName: "ca" } }), refused: admission("issuer-one-type"), inCluster: "policy" },
  { rule: "an issuer has at least one type", good: issuerWith("ca", { ca: { secretName: "ca" } }), bad: issuerWith("no-type", {}), refused: admission("issuer-one-type"), inCluster: "policy" },
  { rule: "Vault and Venafi issuers (not implemented by certops)", good: issuerWith("ca-too", { ca: { secretName: "ca" } }), bad: issuerWith("vault", { vault: { server: "https://vault.example.com", path: "pki/sign/web", auth: { tokenSecretRef: { name: "vault", key: "token" } } } }), refused: { rule: "schema", path: "spec.vault" }, inCluster: "crd" },
  { rule: "CA issuer: secretName is required", good: issuerWith("ca-named", { ca: { secretName: "ca" } }), bad: issuerWith("ca-unnamed", { ca: {} }), refused: { rule: "schema", path: "spec.ca.secretName" }, inCluster: "crd" },
  { rule: "ClusterIssuer is cluster-scoped (no namespace)", good: issuerWith("cluster", { selfSigned: {} }, "ClusterIssuer"), bad: { ...issuerWith("cluster-ns", { selfSigned: {} }, "ClusterIssuer"), metadata: { name: "cluster-ns", namespace: "web" } }, refused: { rule: "cluster-scoped", path: "metadata.namespace" }, inCluster: "git" },
  // ValidateACMEIssuerConfig
  { rule: "ACME: caBundle and skipTLSVerify are mutually exclusive", good: acmeIssuer("tls-skip", { skipTLSVerify: true }), bad: acmeIssuer("tls-both", { skipTLSVerify: true, caBundle }), refused: admission("acme-ca-bundle-or-skip-tls-verify"), inCluster: "policy" },
  { rule: "ACME: caBundle holds a valid certificate", good: acmeIssuer("bundle-ok", { caBundle }), bad: acmeIssuer("bundle-bad", { caBundle: notACertificate }), refused: { rule: "invalid-ca-bundle", path: "spec.acme.caBundle" }, inCluster: "reconciler" },
  { rule: "ACME: privateKeySecretRef.name is required", good: acmeIssuer("key-ok"), bad: acmeIssuer("key-none", { privateKeySecretRef: {} }), refused: { rule: "schema", path: "spec.acme.privateKeySecretRef.name" }, inCluster: "crd" },
  { rule: "ACME: server is required", good: acmeIssuer("server-set"), bad: acmeIssuer("server-empty", { server: "" }), refused: { rule: "schema", path: "spec.acme.server" }, inCluster: "crd" },
  { rule: "ACME: server is a URL (certops)", good: acmeIssuer("server-ok"), bad: acmeIssuer("server-bad", { server: "acme.example.com/directory" }), refused: admission("acme-server-url"), inCluster: "policy" },
  { rule: "ACME: email is an address (certops)", good: acmeIssuer("email-ok", { email: "ops@example.com" }), bad: acmeIssuer("email-bad", { email: "ops at example.com" }), refused: admission("acme-email"), inCluster: "policy" },
  {
    rule: "ACME: externalAccountBinding.keyID is required",
    good: acmeIssuer("eab-ok", { externalAccountBinding: { keyID: "kid", keySecretRef: { name: "eab", key: "hmac" } } }),
    bad: acmeIssuer("eab-nokid", { externalAccountBinding: { keyID: "", keySecretRef: { name: "eab", key: "hmac" } } }),
    refused: { rule: "schema", path: "spec.acme.externalAccountBinding.keyID" },
    inCluster: "crd",
  },
  {
    rule: "ACME: externalAccountBinding.keySecretRef has name and key",
    good: acmeIssuer("eab-key", { externalAccountBinding: { keyID: "kid", keySecretRef: { name: "eab", key: "hmac" } } }),
    bad: acmeIssuer("eab-nokey", { externalAccountBinding: { keyID: "kid", keySecretRef: { name: "eab" } } }),
    refused: admission("acme-eab-key"),
    inCluster: "policy",
  },
  // ValidateACMEIssuerChallengeSolverConfig and below
  { rule: "ACME solver: exactly one of http01 and dns01", good: acmeIssuer("solver-ok"), bad: acmeIssuer("solver-two", { solvers: [{ http01: { ingress: {} }, ...rfc2136({}) }] }), refused: admission("acme-solver-one-type"), inCluster: "policy" },
  { rule: "ACME solver: waitInsteadOfSelfCheck (not implemented by certops)", good: acmeIssuer("wait-none"), bad: acmeIssuer("wait", { solvers: [{ http01: { ingress: {} }, waitInsteadOfSelfCheck: "30s" }] }), refused: { rule: "schema", path: "spec.acme.solvers[0].waitInsteadOfSelfCheck" }, inCluster: "crd" },
  { rule: "HTTP-01: a solver type is configured (no HTTP01 solver type configured)", good: acmeIssuer("http-ingress"), bad: acmeIssuer("http-empty", { solvers: [{ http01: {} }] }), refused: admission("http01-one-type"), inCluster: "policy" },
  { rule: "HTTP-01: exactly one of ingress and gatewayHTTPRoute", good: acmeIssuer("http-gateway-only", { solvers: [{ http01: { gatewayHTTPRoute: { parentRefs: [{ name: "gw", kind: "Gateway" }] } } }] }), bad: acmeIssuer("http-gateway", { solvers: [{ http01: { ingress: {}, gatewayHTTPRoute: { parentRefs: [{ name: "gw", kind: "Gateway" }] } } }] }), refused: admission("http01-one-type"), inCluster: "policy" },
  { rule: "HTTP-01 gatewayHTTPRoute: a parentRef with a name names its kind", good: acmeIssuer("http-parent-kind", { solvers: [{ http01: { gatewayHTTPRoute: { parentRefs: [{ name: "gw", kind: "Gateway" }] } } }] }), bad: acmeIssuer("http-parent-no-kind", { solvers: [{ http01: { gatewayHTTPRoute: { parentRefs: [{ name: "gw" }] } } }] }), refused: admission("http01-gateway-parent-kind"), inCluster: "policy" },
  {
    rule: "HTTP-01 ingress: at most one of ingressClassName, class and name",
    good: acmeIssuer("ingress-class", { solvers: [{ http01: { ingress: { class: "nginx" } } }] }),
    bad: acmeIssuer("ingress-two", { solvers: [{ http01: { ingress: { class: "nginx", ingressClassName: "nginx" } } }] }),
    refused: { rule: "invalid-solver", path: "spec.acme.solvers[0].http01.ingress" },
    inCluster: "reconciler",
  },
  {
    rule: "HTTP-01 ingress: ingressClassName is an IngressClass name",
    good: acmeIssuer("class-ok", { solvers: [{ http01: { ingress: { ingressClassName: "internal.nginx" } } }] }),
    bad: acmeIssuer("class-bad", { solvers: [{ http01: { ingress: { ingressClassName: "Nginx_Internal" } } }] }),
    refused: admission("http01-ingress-class-name"),
    inCluster: "policy",
  },
  { rule: "HTTP-01 ingress: serviceType ClusterIP or NodePort", good: acmeIssuer("svc-ok", { solvers: [{ http01: { ingress: { serviceType: "NodePort" } } }] }), bad: acmeIssuer("svc-bad", { solvers: [{ http01: { ingress: { serviceType: "LoadBalancer" } } }] }), refused: { rule: "schema", path: "spec.acme.solvers[0].http01.ingress.serviceType" }, inCluster: "crd" },
  // ValidateACMEChallengeSolverDNS01
  { rule: "DNS-01: cnameStrategy None or Follow", good: acmeIssuer("cname-ok", { solvers: [{ dns01: { cnameStrategy: "Follow", rfc2136: { nameserver: "192.0.2.53" } } }] }), bad: acmeIssuer("cname-bad", { solvers: [{ dns01: { cnameStrategy: "Always", rfc2136: { nameserver: "192.0.2.53" } } }] }), refused: { rule: "schema", path: "spec.acme.solvers[0].dns01.cnameStrategy" }, inCluster: "crd" },
  {
    rule: "DNS-01: exactly one provider",
    good: acmeIssuer("dns-one", { solvers: [rfc2136({})] }),
    bad: acmeIssuer("dns-none", { solvers: [{ dns01: {} }] }),
    refused: admission("acme-dns01-one-provider"),
    inCluster: "policy",
  },
  { rule: "DNS-01: cloud providers (not implemented by certops)", good: acmeIssuer("dns-rfc"), bad: acmeIssuer("dns-route53", { solvers: [{ dns01: { route53: { region: "eu-west-1" } } }] }), refused: { rule: "schema", path: "spec.acme.solvers[0].dns01.route53" }, inCluster: "crd" },
  { rule: "RFC 2136: nameserver is required", good: acmeIssuer("ns-set", { solvers: [rfc2136({})] }), bad: acmeIssuer("ns-empty", { solvers: [rfc2136({ nameserver: "" })] }), refused: { rule: "schema", path: "spec.acme.solvers[0].dns01.rfc2136.nameserver" }, inCluster: "crd" },
  { rule: "RFC 2136: nameserver is host[:port]", good: acmeIssuer("ns-v6", { solvers: [rfc2136({ nameserver: "[2001:db8::53]:5353" })] }), bad: acmeIssuer("ns-bad", { solvers: [rfc2136({ nameserver: "192.0.2.53:dns" })] }), refused: { rule: "invalid-solver", path: "spec.acme.solvers[0].dns01.rfc2136.nameserver" }, inCluster: "reconciler" },
  {
    rule: "RFC 2136: tsigAlgorithm is supported",
    good: acmeIssuer("tsig-ok", { solvers: [rfc2136({ tsigKeyName: "k", tsigAlgorithm: "hmacsha512", tsigSecretSecretRef: tsigRef })] }),
    bad: acmeIssuer("tsig-bad", { solvers: [rfc2136({ tsigKeyName: "k", tsigAlgorithm: "HMACSHA3", tsigSecretSecretRef: tsigRef })] }),
    refused: { rule: "invalid-solver", path: "spec.acme.solvers[0].dns01.rfc2136.tsigAlgorithm" },
    inCluster: "reconciler",
  },
  {
    rule: "RFC 2136: a tsigKeyName needs tsigSecretSecretRef with a key",
    good: acmeIssuer("tsig-named", { solvers: [rfc2136({ tsigKeyName: "k", tsigSecretSecretRef: tsigRef })] }),
    bad: acmeIssuer("tsig-keyless", { solvers: [rfc2136({ tsigKeyName: "k", tsigSecretSecretRef: { name: "tsig" } })] }),
    refused: { rule: "invalid-solver", path: "spec.acme.solvers[0].dns01.rfc2136.tsigSecretSecretRef.key" },
    inCluster: "reconciler",
  },
  {
    rule: "RFC 2136: a tsigSecretSecretRef needs a tsigKeyName",
    good: acmeIssuer("tsig-none", { solvers: [rfc2136({})] }),
    bad: acmeIssuer("tsig-unnamed", { solvers: [rfc2136({ tsigSecretSecretRef: tsigRef })] }),
    refused: { rule: "invalid-solver", path: "spec.acme.solvers[0].dns01.rfc2136.tsigKeyName" },
    inCluster: "reconciler",
  },
  {
    rule: "webhook: solverName is required",
    good: acmeIssuer("hook-ok", { solvers: [{ dns01: { webhook: { groupName: "acme.example.com", solverName: "dns" } } }] }),
    bad: acmeIssuer("hook-unnamed", { solvers: [{ dns01: { webhook: { groupName: "acme.example.com", solverName: "" } } }] }),
    refused: { rule: "schema", path: "spec.acme.solvers[0].dns01.webhook.solverName" },
    inCluster: "crd",
  },
]

/** The admission rules no case exercises: none, so a new rule needs its case. */
/** Rules that warn (cert-manager's webhook warnings): the bad case is accepted, with the rule's message as a warning at its field. */
export const warningCases: ReadonlyArray<{ readonly rule: string; readonly good: Record<string, unknown>; readonly bad: Record<string, unknown>; readonly admissionRule: string }> = [
  {
    rule: "externalAccountBinding.keyAlgorithm is deprecated",
    good: acmeIssuer("eab-ok", { externalAccountBinding: { keyID: "kid-1", keySecretRef: { name: "eab", key: "hmac" } } }),
    bad: acmeIssuer("eab-algorithm", { externalAccountBinding: { keyID: "kid-1", keySecretRef: { name: "eab", key: "hmac" }, keyAlgorithm: "HS512" } }),
    admissionRule: "acme-eab-key-algorithm-deprecated",
  },
]

/** Admission rules no table (this one, or request-validation-cases.ts for the objects certops makes) has a bad case for. */
export const uncoveredAdmissionRules = (): ReadonlyArray<string> => {
  const refusedByPolicy = (refused: Refusal) => ("policy" in refused ? [refused.policy] : [])
  const covered = new Set([
    ...validationCases.flatMap((entry) => (entry.refused.admissionRule === undefined ? [] : [entry.refused.admissionRule])),
    ...warningCases.map((entry) => entry.admissionRule),
    ...[...creationCases, ...changeCases].flatMap((entry) => refusedByPolicy(entry.refused)),
    signerCase.rule,
  ])
  return admissionRules.map((rule) => rule.name).filter((name) => !covered.has(name))
}
