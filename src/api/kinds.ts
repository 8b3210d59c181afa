// Every kind certops reads or writes, as the store addresses it.
import type { KubeObject } from "./meta.ts"
import { resourceType } from "./resource-type.ts"

const certManager = { group: "cert-manager.io", version: "v1" } as const
const acme = { group: "acme.cert-manager.io", version: "v1" } as const

export const Certificates = resourceType<KubeObject>({
  ...certManager, kind: "Certificate", plural: "certificates", namespaced: true, statusSubresource: true,
})
export const CertificateRequests = resourceType<KubeObject>({
  ...certManager, kind: "CertificateRequest", plural: "certificaterequests", namespaced: true, statusSubresource: true,
})
export const Issuers = resourceType<KubeObject>({
  ...certManager, kind: "Issuer", plural: "issuers", namespaced: true, statusSubresource: true,
})
export const ClusterIssuers = resourceType<KubeObject>({
  ...certManager, kind: "ClusterIssuer", plural: "clusterissuers", namespaced: false, statusSubresource: true,
})
export const Orders = resourceType<KubeObject>({
  ...acme, kind: "Order", plural: "orders", namespaced: true, statusSubresource: true,
})
export const Challenges = resourceType<KubeObject>({
  ...acme, kind: "Challenge", plural: "challenges", namespaced: true, statusSubresource: true,
})
export const Secrets = resourceType<KubeObject>({
  group: "", version: "v1", kind: "Secret", plural: "secrets", namespaced: true, statusSubresource: false,
})
export const Events = resourceType<KubeObject>({
  group: "", version: "v1", kind: "Event", plural: "events", namespaced: true, statusSubresource: false,
})
export const Leases = resourceType<KubeObject>({
  group: "coordination.k8s.io", version: "v1", kind: "Lease", plural: "leases", namespaced: true, statusSubresource: false,
})
export const Ingresses = resourceType<KubeObject>({
  group: "networking.k8s.io", version: "v1", kind: "Ingress", plural: "ingresses", namespaced: true, statusSubresource: true,
})

export const allKinds = [Certificates, CertificateRequests, Issuers, ClusterIssuers, Orders, Challenges, Secrets, Events, Leases, Ingresses] as const
