// Reports as the daemon would hand them over.
import type { CertificateReport, RejectionReport } from "../../../src/report/reports.ts"
import { throwawayKeyPem } from "../../support/pem.ts"

export const intentCommit = "1c9e2f0a7b3d4e5f60718293a4b5c6d7e8f90123"

export const issued: CertificateReport = {
  namespace: "web",
  name: "example-com",
  secretName: "example-com-tls",
  ready: "True",
  reason: "Ready",
  message: "Certificate is up to date and has not expired",
  serial: "3a5f09c1d2e3f405162738495a6b7c8d",
  sha256Fingerprint: "9F:86:D0:81:88:4C:7D:65:9A:2F:EA:A0:C5:5A:D0:15:A3:BF:4F:1B:2B:0B:82:2C:D1:5D:6C:15:B0:F0:0A:08",
  notBefore: "2026-11-22T12:00:00Z",
  notAfter: "2027-02-20T12:00:00Z",
  renewalTime: "2027-01-21T12:00:00Z",
  issuer: { kind: "ClusterIssuer", name: "letsencrypt" },
  orderURL: "https://acme.example.test/order/42",
  intentCommit,
  intentPath: "intents/web/example-com.yaml",
}

export const failing: CertificateReport = {
  namespace: "shop",
  name: "www",
  secretName: "www-tls",
  ready: "False",
  reason: "Failed",
  message: "The certificate request has failed to complete and will be retried",
  issuer: { kind: "Issuer", name: "acme" },
  lastFailure: { time: "2026-11-23T10:00:00Z", message: "order is invalid: DNS problem: NXDOMAIN looking up TXT" },
  nextRetryTime: "2026-11-23T11:00:00Z",
  intentCommit,
  intentPath: "intents/shop/www.yaml",
}

export const rejected: RejectionReport = {
  file: "intents/web/bad.yaml",
  intentCommit,
  problems: [
    { rule: "policy/allowed-issuers", message: "issuer ClusterIssuer/self-signed is not allowed in namespace web", line: 12, resource: "Certificate web/bad" },
    { rule: "schema", message: "spec.dnsNames: must not be empty", line: 18 },
  ],
}

export const pemKey = throwawayKeyPem("sec1")
