// One good and one bad object per admission rule: the same table goes
// through `certops check` (unit) and through `kubectl apply` against the
// generated ValidatingAdmissionPolicies (integration), and must get the same
// verdicts in both.
import { admissionRules } from "../../src/rules/admission-rules.ts"

export interface AdmissionCase {
  readonly rule: string
  readonly good: Record<string, unknown>
  readonly bad: Record<string, unknown>
}

const certificate = (name: string, spec: Record<string, unknown> = {}) => ({
  apiVersion: "cert-manager.io/v1",
  kind: "Certificate",
  metadata: { name },
  spec: { secretName: `${name}-tls`, dnsNames: [`${name}.example.com`], issuerRef: { name: "known", kind: "ClusterIssuer" }, ...spec },
})

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

export const admissionCases: ReadonlyArray<AdmissionCase> = [
  { rule: "duration-at-least-1h", good: certificate("duration-ok", { duration: "1h" }), bad: certificate("duration-short", { duration: "30m" }) },
  { rule: "renew-before-at-least-5m", good: certificate("renew-ok", { renewBefore: "5m" }), bad: certificate("renew-tiny", { renewBefore: "1m" }) },
  {
    rule: "renew-before-shorter-than-duration",
    good: certificate("renew-short", { duration: "24h", renewBefore: "8h" }),
    bad: certificate("renew-long", { duration: "24h", renewBefore: "48h" }),
  },
  { rule: "common-name-length", good: certificate("cn-ok", { commonName: "a".repeat(64) }), bad: certificate("cn-long", { commonName: "a".repeat(65) }) },
  {
    rule: "issuer-ref-kind",
    good: certificate("ref-external", { issuerRef: { name: "x", kind: "AWSPCAIssuer", group: "awspca.cert-manager.io" } }),
    bad: certificate("ref-bad", { issuerRef: { name: "x", kind: "Issuerr" } }),
  },
  {
    rule: "email-sans",
    good: certificate("email-ok", { emailAddresses: ["ops@example.com"] }),
    bad: certificate("email-named", { emailAddresses: ["Ops <ops@example.com>"] }),
  },
  {
    rule: "secret-template-annotations",
    good: certificate("template-ok", { secretTemplate: { annotations: { "example.com/team": "web" } } }),
    bad: certificate("template-bad", { secretTemplate: { annotations: { "cert-manager.io/issuer-name": "x" } } }),
  },
  { rule: "acme-server-url", good: acmeIssuer("server-ok"), bad: acmeIssuer("server-bad", { server: "acme.example.com/directory" }) },
  { rule: "acme-email", good: acmeIssuer("email-ok", { email: "ops@example.com" }), bad: acmeIssuer("email-bad", { email: "ops at example.com" }) },
  {
    rule: "acme-solver-one-type",
    good: acmeIssuer("solver-ok"),
    bad: acmeIssuer("solver-two", { solvers: [{ http01: { ingress: {} }, dns01: { rfc2136: { nameserver: "192.0.2.53" } } }] }),
  },
  {
    rule: "acme-ca-bundle-or-skip-tls-verify",
    good: acmeIssuer("tls-ok", { skipTLSVerify: true }),
    bad: acmeIssuer("tls-both", { skipTLSVerify: true, caBundle: Buffer.from("-----BEGIN CERTIFICATE-----\n").toString("base64") }),
  },
]

/** The rules the table leaves out: none, so a new rule needs its case. */
export const uncoveredRules = (): ReadonlyArray<string> =>
  admissionRules.map((rule) => rule.name).filter((name) => !admissionCases.some((entry) => entry.rule === name))
