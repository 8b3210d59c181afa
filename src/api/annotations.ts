// The annotation and label names cert-manager writes, which kubectl users,
// cmctl and other tools read; certops writes the same ones.
export const annotations = {
  certificateName: "cert-manager.io/certificate-name",
  certificateRevision: "cert-manager.io/certificate-revision",
  privateKeySecretName: "cert-manager.io/private-key-secret-name",
  issuerName: "cert-manager.io/issuer-name",
  issuerKind: "cert-manager.io/issuer-kind",
  issuerGroup: "cert-manager.io/issuer-group",
  commonName: "cert-manager.io/common-name",
  altNames: "cert-manager.io/alt-names",
  ipSans: "cert-manager.io/ip-sans",
  uriSans: "cert-manager.io/uri-sans",
  emailSans: "cert-manager.io/email-sans",
  subjectOrganizations: "cert-manager.io/subject-organizations",
  /** cert-manager's: on a Certificate, "true" puts a temporary certificate in its Secret while the real one is issued. */
  issueTemporaryCertificate: "cert-manager.io/issue-temporary-certificate",
  /** certops': on a Secret holding such a temporary certificate, until the issued one replaces it. */
  temporaryCertificate: "certops.io/temporary-certificate",
  /** certops': on a Certificate derived from another object in Git, that object ("Ingress shop/kuard"). */
  origin: "certops.io/origin",
} as const

export const labels = {
  /** certops': on every object it applies from Git. */
  appliedFromGit: "certops.io/managed",
  /** Marks the Secrets certops manages; the kubernetes backend caches only these in full. */
  managedBy: "app.kubernetes.io/managed-by",
  /** cert-manager's "for attention of" label on Secrets its controllers own. */
  fao: "controller.cert-manager.io/fao",
} as const

export const managedByValue = "certops"

/**
 * Watches of Secrets select certops' own: a namespace-wide watch would hold
 * every Secret of the cluster (keys included) in memory. Secrets a user
 * writes (a CA key pair, an EAB key) are re-read on a timer instead.
 */
export const managedSecretsSelector = `${labels.managedBy}=${managedByValue}`

/** The component name in Events and conditions. */
export const controllerName = "certops"
