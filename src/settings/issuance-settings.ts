// Settings of the issuance machinery, with cert-manager's defaults. The
// daemon fills them from flags, environment and its config file; tests
// shorten the waits.
import { Context, Duration } from "effect"

export interface IssuanceSettings {
  /** Reconcile only this namespace (cert-manager's --namespace); unset: all. ClusterIssuers are always watched. */
  readonly namespace?: string
  /** Where ClusterIssuers keep their Secrets (cert-manager's --cluster-resource-namespace). */
  readonly clusterResourceNamespace: string
  /** At most this many challenges processing at once. */
  readonly maxConcurrentChallenges: number
  /**
   * At most this many objects reconciled at once, per controller (cert-manager's
   * workers). Without a bound, 10k Certificates at start-up meant 10k requests
   * in flight at once: timeouts, and a process that ran out of memory.
   */
  readonly maxConcurrentReconciles: number
  /** Between failed self checks (the first check runs at once). */
  readonly selfCheckInterval: Duration.Duration
  /**
   * The recursive nameservers DNS-01 asks (cert-manager's
   * --dns01-recursive-nameservers): host:port, or a DNS-over-HTTPS URL.
   * Empty: an RFC 2136 solver asks its own nameserver, anything else the
   * system resolver. They answer CNAME and zone questions, and the self check.
   */
  readonly selfCheckNameservers: ReadonlyArray<string>
  /**
   * Self-check at the recursive nameservers only (cert-manager's
   * --dns01-recursive-nameservers-only); otherwise at every authoritative
   * nameserver of the record's zone, found through them.
   */
  readonly selfCheckRecursiveOnly: boolean
  /** The port authoritative nameservers are asked on: 53, unless a test runs them elsewhere. */
  readonly selfCheckAuthoritativePort: number
  /** The port a self check fetches http://<name>/.well-known/acme-challenge/<token> on. */
  readonly http01SelfCheckPort: number
  /** The port certops' own HTTP-01 solver listens on. */
  readonly http01SolverPort: number
  /** The Service Ingress routes send HTTP-01 requests to; unset: no Ingress is made (no cluster). */
  readonly http01IngressService?: { readonly name: string; readonly port: number }
  /** The first wait after a failed issuance; doubles per failure up to the maximum. */
  readonly issuanceBackoffBase: Duration.Duration
  readonly issuanceBackoffMax: Duration.Duration
  /** badNonce answers to retry per ACME request. */
  readonly acmeMaxBadNonceRetries: number
  /**
   * How soon an issuer that is not Ready for want of a user's Secret (a CA
   * key pair) looks again: only certops' own Secrets are watched. A Ready
   * issuer re-reads its Secrets at 20 times this.
   */
  readonly issuerSecretRecheck: Duration.Duration
  /**
   * Who approves CertificateRequests: "certops", the built-in approver (by
   * the repository's CertificatePolicies), or "external": nothing is signed
   * until another approver (approver-policy, `certops approve`) approves.
   */
  readonly approver: "certops" | "external"
  /** The issuer for Ingresses annotated `kubernetes.io/tls-acme: "true"` (cert-manager's --default-issuer-*); unset: such Ingresses are left alone. */
  readonly defaultIssuer?: { readonly name: string; readonly kind: string; readonly group: string }
  /** Run gateway-shim and HTTP-01 through HTTPRoutes: the Gateway API's CRDs must be installed (cert-manager's --enable-gateway-api). */
  readonly enableGatewayApi: boolean
}

export const defaultIssuanceSettings: IssuanceSettings = {
  clusterResourceNamespace: "certops",
  maxConcurrentChallenges: 60,
  maxConcurrentReconciles: 25,
  selfCheckInterval: Duration.seconds(10),
  selfCheckNameservers: [],
  selfCheckRecursiveOnly: false,
  selfCheckAuthoritativePort: 53,
  http01SelfCheckPort: 80,
  http01SolverPort: 8089,
  issuanceBackoffBase: Duration.hours(1),
  issuanceBackoffMax: Duration.hours(32),
  acmeMaxBadNonceRetries: 50,
  issuerSecretRecheck: Duration.seconds(30),
  approver: "certops",
  enableGatewayApi: false,
}

export const IssuanceSettings = Context.Reference<IssuanceSettings>("certops/settings/IssuanceSettings", {
  defaultValue: () => defaultIssuanceSettings,
})
