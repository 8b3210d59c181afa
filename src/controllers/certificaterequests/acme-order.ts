// ACME issuers answer a CertificateRequest through an Order, created once
// per request and never changed: a failed Order fails the request, and the
// Certificate's next attempt is a new request with a new Order.
import { Effect } from "effect"
import type { CertificateRequest } from "../../api/certificate-request.ts"
import type { Order } from "../../api/acme-order.ts"
import { Orders } from "../../api/kinds.ts"
import { parseCsr } from "../../pki/csr.ts"
import { EventRecorder } from "../../store/event-recorder.ts"
import { ResourceStore } from "../../store/resource-store.ts"
import { childName, contentHash, controllerReference } from "../shared/owners.ts"
import type { SignOutcome } from "./sign-directly.ts"

export const orderNameFor = (request: CertificateRequest): string =>
  childName(request.metadata.name, contentHash(request.spec.request, request.spec.issuerRef.name, request.spec.issuerRef.kind ?? "Issuer"))

const newOrder = (request: CertificateRequest, name: string) =>
  Effect.gen(function* () {
    const csr = yield* parseCsr(request.spec.request)
    const order: Order = {
      apiVersion: "acme.cert-manager.io/v1",
      kind: "Order",
      metadata: {
        name,
        namespace: request.metadata.namespace ?? "",
        ownerReferences: [controllerReference(request)],
        ...(request.metadata.labels === undefined ? {} : { labels: request.metadata.labels }),
        ...(request.metadata.annotations === undefined ? {} : { annotations: request.metadata.annotations }),
      },
      spec: {
        request: request.spec.request,
        issuerRef: request.spec.issuerRef,
        ...(csr.commonName === undefined ? {} : { commonName: csr.commonName }),
        ...(csr.dnsNames.length === 0 ? {} : { dnsNames: csr.dnsNames }),
        ...(csr.ipAddresses.length === 0 ? {} : { ipAddresses: csr.ipAddresses }),
        ...(request.spec.duration === undefined ? {} : { duration: request.spec.duration }),
      },
    }
    return order
  })

/** Creates the request's Order if needed and reports where it stands. */
export const viaAcmeOrder = (request: CertificateRequest) =>
  Effect.gen(function* () {
    const store = yield* ResourceStore
    const events = yield* EventRecorder
    const namespace = request.metadata.namespace ?? ""
    const name = orderNameFor(request)
    // Checked before any Order exists: no ACME server issues a CA certificate, so asking one would only fail later.
    if (request.spec.isCA === true) return { _tag: "Failed", message: "The request has isCA: true, and ACME issuers cannot issue CA certificates: use a CA or SelfSigned issuer" } as SignOutcome
    const existing = yield* store.get(Orders, { namespace, name }).pipe(Effect.option)
    if (existing._tag === "None") {
      const order = yield* newOrder(request, name)
      yield* store.create(Orders, order).pipe(Effect.catchTag("AlreadyExists", () => Effect.void))
      yield* events.record(request, "Normal", "OrderCreated", `Created Order resource ${namespace}/${name}`)
      // The ACME order is made pending at once; saying so spares a second write a moment later.
      return { _tag: "Pending", message: `Waiting on certificate issuance from order ${namespace}/${name}: "pending"` } as SignOutcome
    }
    const order = existing.value
    const state = order.status?.state
    if (state === "valid" && order.status?.certificate !== undefined) {
      return { _tag: "Signed", certificatePem: Buffer.from(order.status.certificate, "base64").toString("utf8"), caPem: "" } as SignOutcome
    }
    if (state === "invalid" || state === "errored" || state === "expired") {
      return {
        _tag: "Failed",
        message: `Failed to wait for order resource "${name}" to become ready: order is in "${state}" state: ${order.status?.reason ?? ""}`,
      } as SignOutcome
    }
    return { _tag: "Pending", message: `Waiting on certificate issuance from order ${namespace}/${name}: "${state ?? "pending"}"` } as SignOutcome
  })
