// Well-formed manifests of every kind certops decodes, as written in Git and
// as read back from a cluster (server-set metadata, status). Tests derive
// malformed ones from them.
const serverMetadata = {
  uid: "5b0f3c36-1f7e-4d0b-9a65-1c7f2f1d3a10",
  resourceVersion: "4711",
  generation: 2,
  creationTimestamp: "2026-01-09T13:52:05Z",
  managedFields: [{ manager: "certops", operation: "Update", apiVersion: "cert-manager.io/v1", fieldsType: "FieldsV1", fieldsV1: {} }],
}

// "-----BEGIN CERTIFICATE REQUEST-----", base64-encoded: any base64 will do here.
const base64 = "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURSBSRVFVRVNULS0tLS0K"

export const certificate = {
  apiVersion: "cert-manager.io/v1",
  kind: "Certificate",
  metadata: { name: "example-com", namespace: "web", labels: { "app.kubernetes.io/name": "web" }, ...serverMetadata },
  spec: {
    secretName: "example-com-tls",
    commonName: "example.com",
    dnsNames: ["example.com", "www.example.com"],
    ipAddresses: ["192.0.2.10"],
    uris: ["spiffe://example.com/web"],
    emailAddresses: ["ops@example.com"],
    duration: "2160h0m0s",
    renewBefore: "360h",
    issuerRef: { name: "letsencrypt", kind: "ClusterIssuer", group: "cert-manager.io" },
    privateKey: { algorithm: "ECDSA", size: 384, encoding: "PKCS8", rotationPolicy: "Always" },
    usages: ["digital signature", "key encipherment", "server auth"],
    isCA: false,
    subject: { organizations: ["Example"], countries: ["NL"], organizationalUnits: ["Ops"], localities: ["Delft"], provinces: ["ZH"], streetAddresses: ["Main 1"], postalCodes: ["2600"], serialNumber: "42" },
    secretTemplate: { annotations: { team: "web" }, labels: { tier: "edge" } },
    revisionHistoryLimit: 3,
    keystores: { pkcs12: { create: true, passwordSecretRef: { name: "p12-password", key: "password" }, profile: "Modern2023" } },
  },
  status: {
    conditions: [{ type: "Ready", status: "True", reason: "Ready", message: "Certificate is up to date and has not expired", lastTransitionTime: "2026-01-09T13:57:52Z", observedGeneration: 2 }],
    notBefore: "2026-01-09T12:57:50Z",
    notAfter: "2026-04-09T12:57:50Z",
    renewalTime: "2026-03-25T12:57:50Z",
    revision: 1,
    nextPrivateKeySecretName: "example-com-tls-wtlww",
    lastFailureTime: "2026-01-09T13:50:00Z",
    failedIssuanceAttempts: 1,
  },
}

export const certificateRequest = {
  apiVersion: "cert-manager.io/v1",
  kind: "CertificateRequest",
  metadata: { name: "example-com-1", namespace: "web", annotations: { "cert-manager.io/certificate-revision": "1" }, ...serverMetadata },
  spec: {
    request: base64,
    issuerRef: { name: "letsencrypt", kind: "ClusterIssuer", group: "cert-manager.io" },
    duration: "2160h",
    usages: ["digital signature", "key encipherment"],
    isCA: false,
    username: "system:serviceaccount:certops:certops",
    uid: "b1d2",
    groups: ["system:serviceaccounts"],
    extra: { "authentication.kubernetes.io/pod-name": ["certops-0"] },
  },
  status: {
    conditions: [
      { type: "Approved", status: "True", reason: "cert-manager.io", message: "Certificate request has been approved by certops" },
      { type: "Ready", status: "False", reason: "Pending", message: 'Waiting on certificate issuance from order web/example-com-1-1165244518: "pending"' },
    ],
    certificate: base64,
    ca: base64,
    failureTime: "2026-01-09T13:50:00Z",
  },
}

export const acmeIssuer = {
  apiVersion: "cert-manager.io/v1",
  kind: "Issuer",
  metadata: { name: "letsencrypt", namespace: "web" },
  spec: {
    acme: {
      server: "https://acme-v02.api.letsencrypt.org/directory",
      email: "ops@example.com",
      privateKeySecretRef: { name: "letsencrypt-account" },
      externalAccountBinding: { keyID: "kid-1", keySecretRef: { name: "eab", key: "secret" }, keyAlgorithm: "HS256" },
      preferredChain: "ISRG Root X1",
      skipTLSVerify: false,
      caBundle: base64,
      disableAccountKeyGeneration: false,
      solvers: [
        { selector: { dnsZones: ["example.com"] }, dns01: { rfc2136: { nameserver: "192.0.2.53:53", tsigKeyName: "certops", tsigAlgorithm: "HMACSHA256", tsigSecretSecretRef: { name: "tsig", key: "secret" } } } },
        { selector: { dnsNames: ["legacy.example.com"], matchLabels: { solver: "webhook" } }, dns01: { webhook: { groupName: "acme.example.com", solverName: "example", config: { apiKeySecretRef: { name: "dns" }, ttl: 60, zones: ["a", "b"] } } } },
        { http01: { ingress: { ingressClassName: "nginx", serviceType: "ClusterIP" } } },
      ],
    },
  },
  status: {
    conditions: [{ type: "Ready", status: "True", reason: "ACMEAccountRegistered", message: "The ACME account was registered with the ACME server" }],
    acme: { uri: "https://acme-v02.api.letsencrypt.org/acme/acct/7374163", lastRegisteredEmail: "ops@example.com", lastPrivateKeyHash: "c2hhMjU2" },
  },
}

export const caClusterIssuer = {
  apiVersion: "cert-manager.io/v1",
  kind: "ClusterIssuer",
  metadata: { name: "internal-ca" },
  spec: { ca: { secretName: "internal-ca", crlDistributionPoints: ["http://crl.example.com/ca.crl"] } },
}

export const selfSignedIssuer = {
  apiVersion: "cert-manager.io/v1",
  kind: "Issuer",
  metadata: { name: "bootstrap", namespace: "web" },
  spec: { selfSigned: {} },
}

export const order = {
  apiVersion: "acme.cert-manager.io/v1",
  kind: "Order",
  metadata: { name: "example-com-1-1165244518", namespace: "web", ownerReferences: [{ apiVersion: "cert-manager.io/v1", kind: "CertificateRequest", name: "example-com-1", uid: "b1d2", controller: true, blockOwnerDeletion: true }], ...serverMetadata },
  spec: { request: base64, issuerRef: { name: "letsencrypt", kind: "ClusterIssuer", group: "cert-manager.io" }, commonName: "example.com", dnsNames: ["example.com", "*.example.com"], duration: "2160h" },
  status: {
    url: "https://acme.example/order/1",
    finalizeURL: "https://acme.example/order/1/finalize",
    state: "pending",
    reason: "",
    authorizations: [
      {
        url: "https://acme.example/authz/1",
        identifier: "example.com",
        wildcard: true,
        initialState: "pending",
        challenges: [
          { url: "https://acme.example/chall/1", token: "tok1", type: "dns-01" },
          { url: "https://acme.example/chall/2", token: "tok2", type: "http-01" },
        ],
      },
    ],
  },
}

export const challenge = {
  apiVersion: "acme.cert-manager.io/v1",
  kind: "Challenge",
  metadata: { name: "example-com-1-1165244518-0", namespace: "web", finalizers: ["finalizer.acme.cert-manager.io"], ...serverMetadata },
  spec: {
    url: "https://acme.example/chall/1",
    authorizationURL: "https://acme.example/authz/1",
    dnsName: "example.com",
    wildcard: true,
    type: "DNS-01",
    token: "tok1",
    key: "tok1.thumbprint",
    solver: acmeIssuer.spec.acme.solvers[0],
    issuerRef: { name: "letsencrypt", kind: "ClusterIssuer", group: "cert-manager.io" },
  },
  status: { processing: true, presented: true, reason: "Waiting for dns-01 challenge propagation", state: "pending" },
}

export const secret = {
  apiVersion: "v1",
  kind: "Secret",
  metadata: { name: "example-com-tls", namespace: "web", annotations: { "cert-manager.io/alt-names": "example.com" } },
  type: "kubernetes.io/tls",
  data: { "tls.crt": base64, "tls.key": base64, "ca.crt": "" },
}

// As the API server returns a core/v1-style event: eventTime null.
export const event = {
  apiVersion: "v1",
  kind: "Event",
  metadata: { name: "example-com.17a1b2c3d4e5f6a7", namespace: "web", ...serverMetadata },
  involvedObject: { apiVersion: "cert-manager.io/v1", kind: "Certificate", name: "example-com", namespace: "web", uid: serverMetadata.uid, resourceVersion: "4711" },
  reason: "Issuing",
  message: "Issuing certificate as Secret does not exist",
  source: { component: "certops" },
  firstTimestamp: "2026-01-09T13:52:05Z",
  lastTimestamp: "2026-01-09T13:52:05Z",
  count: 1,
  type: "Normal",
  eventTime: null,
  reportingComponent: "certops",
  reportingInstance: "certops-0",
}

export const lease = {
  apiVersion: "coordination.k8s.io/v1",
  kind: "Lease",
  metadata: { name: "certops-leader", namespace: "certops", ...serverMetadata },
  spec: { holderIdentity: "certops-0", leaseDurationSeconds: 15, acquireTime: "2026-01-09T13:52:05.000000Z", renewTime: "2026-01-09T13:52:15.000000Z", leaseTransitions: 3 },
}

export const ingress = {
  apiVersion: "networking.k8s.io/v1",
  kind: "Ingress",
  metadata: { name: "kuard", namespace: "web", annotations: { "cert-manager.io/issuer": "letsencrypt" } },
  spec: {
    ingressClassName: "nginx",
    tls: [{ hosts: ["example.com"], secretName: "example-com-tls" }],
    rules: [{ host: "example.com", http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "kuard", port: { number: 80 } } } }] } }],
  },
  status: { loadBalancer: { ingress: [{ ip: "192.0.2.80" }] } },
}
