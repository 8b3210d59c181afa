// Every kind certops reads or writes, as the store addresses it.
import type { Challenge } from "./acme-challenge.ts"
import type { Order } from "./acme-order.ts"
import type { CertificateRequest } from "./certificate-request.ts"
import type { Certificate } from "./certificate.ts"
import type { Event, Ingress, Lease, Secret } from "./core.ts"
import type { Gateway, HTTPRoute } from "./gateway.ts"
import type { ClusterIssuer, Issuer } from "./issuer.ts"
import { resourceType } from "./resource-type.ts"

const certManager = { group: "cert-manager.io", version: "v1" } as const
const acme = { group: "acme.cert-manager.io", version: "v1" } as const

export const Certificates = resourceType<Certificate>({
  ...certManager, kind: "Certificate", plural: "certificates", namespaced: true, statusSubresource: true,
})
export const CertificateRequests = resourceType<CertificateRequest>({
  ...certManager, kind: "CertificateRequest", plural: "certificaterequests", namespaced: true, statusSubresource: true,
})
export const Issuers = resourceType<Issuer>({
  ...certManager, kind: "Issuer", plural: "issuers", namespaced: true, statusSubresource: true,
})
export const ClusterIssuers = resourceType<ClusterIssuer>({
  ...certManager, kind: "ClusterIssuer", plural: "clusterissuers", namespaced: false, statusSubresource: true,
})
export const Orders = resourceType<Order>({
  ...acme, kind: "Order", plural: "orders", namespaced: true, statusSubresource: true,
})
export const Challenges = resourceType<Challenge>({
  ...acme, kind: "Challenge", plural: "challenges", namespaced: true, statusSubresource: true,
})
export const Secrets = resourceType<Secret>({
  group: "", version: "v1", kind: "Secret", plural: "secrets", namespaced: true, statusSubresource: false,
})
export const Events = resourceType<Event>({
  group: "", version: "v1", kind: "Event", plural: "events", namespaced: true, statusSubresource: false,
})
export const Leases = resourceType<Lease>({
  group: "coordination.k8s.io", version: "v1", kind: "Lease", plural: "leases", namespaced: true, statusSubresource: false,
})
export const Ingresses = resourceType<Ingress>({
  group: "networking.k8s.io", version: "v1", kind: "Ingress", plural: "ingresses", namespaced: true, statusSubresource: true,
})

const gatewayApi = { group: "gateway.networking.k8s.io", version: "v1" } as const
export const Gateways = resourceType<Gateway>({ ...gatewayApi, kind: "Gateway", plural: "gateways", namespaced: true, statusSubresource: true })
export const HTTPRoutes = resourceType<HTTPRoute>({ ...gatewayApi, kind: "HTTPRoute", plural: "httproutes", namespaced: true, statusSubresource: true })

export const allKinds = [Certificates, CertificateRequests, Issuers, ClusterIssuers, Orders, Challenges, Secrets, Events, Leases, Ingresses, Gateways, HTTPRoutes] as const
