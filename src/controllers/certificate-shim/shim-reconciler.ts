// ingress-shim and gateway-shim: an Ingress or Gateway annotated with an
// issuer gets the Certificates its tls entries or TLS listeners ask for
// (rules/ingress-certificates.ts), owned by it, and keeps them in step: an
// entry or annotation changed updates them, one removed (or the issuer
// annotation removed) deletes them. Only Certificates the object controls
// are touched; a bad annotation is an Event on it (BadConfig, as
// cert-manager's) and changes nothing.
import { Effect } from "effect"
import { labels } from "../../api/annotations.ts"
import type { Certificate } from "../../api/certificate.ts"
import type { Ingress } from "../../api/core.ts"
import type { Gateway } from "../../api/gateway.ts"
import { Certificates, Gateways, Ingresses } from "../../api/kinds.ts"
import {
  certificatesForGateway,
  certificatesForIngress,
  derivedAnnotationKeys,
  describeIngressProblem,
  type DefaultIssuer,
  type IngressCertificates,
} from "../../rules/ingress-certificates.ts"
import { done, type ReconcileResult, type Reconciler } from "../../runtime/reconciler.ts"
import { IssuanceSettings } from "../../settings/issuance-settings.ts"
import { EventRecorder } from "../../store/event-recorder.ts"
import { ResourceStore } from "../../store/resource-store.ts"
import type { ControllerServices } from "../services.ts"

type Shimmed = Ingress | Gateway

const controlledBy = (certificate: Certificate, owner: Shimmed) =>
  certificate.metadata.ownerReferences?.some((reference) => reference.controller === true && reference.uid === owner.metadata.uid) ?? false

/** Key order aside, the same JSON. */
const canonical = (value: unknown): string =>
  JSON.stringify(value, (_key, field: unknown) =>
    field !== null && typeof field === "object" && !Array.isArray(field) ? Object.fromEntries(Object.entries(field).sort(([a], [b]) => a.localeCompare(b))) : field,
  )

/** The annotations of the Certificate the shim answers for, and no others. */
const ownAnnotations = (certificate: Certificate) =>
  Object.fromEntries(Object.entries(certificate.metadata.annotations ?? {}).filter(([key]) => (derivedAnnotationKeys as ReadonlyArray<string>).includes(key)))

/** What the shim sets: the spec, the labels and its own annotations; the rest of the object is anyone's. */
const inStep = (existing: Certificate, desired: Certificate) =>
  canonical(existing.spec) === canonical(desired.spec) &&
  canonical(existing.metadata.labels ?? {}) === canonical(desired.metadata.labels ?? {}) &&
  canonical(ownAnnotations(existing)) === canonical(ownAnnotations(desired))

const reconcileShimmed = <A extends Shimmed>(derive: (object: A, defaultIssuer: DefaultIssuer | undefined) => IngressCertificates, skipped: string) => (ingress: A): Effect.Effect<ReconcileResult, unknown, ControllerServices> =>
  Effect.gen(function* () {
    // Being deleted: the garbage collector takes its Certificates with it.
    if (ingress.metadata.deletionTimestamp !== undefined) return done
    // Applied from Git: its Certificates come from Git too (intents/decode-document.ts), with their origin.
    if (ingress.metadata.labels?.[labels.appliedFromGit] === "true") return done
    const store = yield* ResourceStore
    const events = yield* EventRecorder
    const { defaultIssuer } = yield* IssuanceSettings
    const derived = derive(ingress, defaultIssuer)
    for (const problem of derived.problems) {
      const prefix = derived.halted ? `Could not create Certificates for this ${ingress.kind}` : skipped
      yield* events.record(ingress, "Warning", "BadConfig", `${prefix}: ${describeIngressProblem(problem)}`)
    }
    if (derived.halted) return done
    const namespace = ingress.metadata.namespace ?? ""
    const existing = yield* store.list(Certificates, { namespace })
    for (const desired of derived.certificates) {
      const current = existing.find((certificate) => certificate.metadata.name === desired.metadata.name)
      if (current === undefined) {
        yield* store.create(Certificates, desired)
        yield* events.record(ingress, "Normal", "CreateCertificate", `Successfully created Certificate "${desired.metadata.name}"`)
        continue
      }
      // Someone else's Certificate of that name (from Git, by hand) is theirs.
      if (!controlledBy(current, ingress) || inStep(current, desired)) continue
      const { labels: _labels, annotations: currentAnnotations, ...metadata } = current.metadata
      const others = Object.fromEntries(Object.entries(currentAnnotations ?? {}).filter(([key]) => !(derivedAnnotationKeys as ReadonlyArray<string>).includes(key)))
      const annotations = { ...others, ...desired.metadata.annotations }
      yield* store.update(Certificates, {
        ...current,
        metadata: { ...metadata, ...(desired.metadata.labels === undefined ? {} : { labels: desired.metadata.labels }), ...(Object.keys(annotations).length === 0 ? {} : { annotations }) },
        spec: desired.spec,
      })
      yield* events.record(ingress, "Normal", "UpdateCertificate", `Successfully updated Certificate "${desired.metadata.name}"`)
    }
    // A Secret still named keeps its Certificate, even while its entry is skipped as bad.
    const secretNames = new Set(derived.secretNames)
    for (const certificate of existing) {
      if (!controlledBy(certificate, ingress) || secretNames.has(certificate.spec.secretName)) continue
      yield* store.delete(Certificates, { namespace, name: certificate.metadata.name }).pipe(Effect.catchTag("NotFound", () => Effect.void))
      yield* events.record(ingress, "Normal", "DeleteCertificate", `Successfully deleted unrequired Certificate "${certificate.metadata.name}"`)
    }
    return done
  })

/** A Certificate's controller of this kind, as the key of the object to wake. */
const toOwner = (kind: string, group: string) => (certificate: Certificate) =>
  (certificate.metadata.ownerReferences ?? [])
    .filter((owner) => owner.controller === true && owner.kind === kind && owner.apiVersion.startsWith(`${group}/`))
    .map((owner) => ({ namespace: certificate.metadata.namespace ?? "", name: owner.name }))

export const ingressShimReconciler: Reconciler<Ingress, unknown, ControllerServices> = {
  name: "ingress-shim",
  type: Ingresses,
  // A Certificate it made, changed or deleted by someone else, is put back.
  secondaries: [{ type: Certificates, toPrimary: toOwner("Ingress", "networking.k8s.io") }],
  reconcile: reconcileShimmed<Ingress>(certificatesForIngress, "Skipped a TLS entry"),
}

/** Only where the Gateway API is installed and asked for (--enable-gateway-api), as in cert-manager. */
export const gatewayShimReconciler: Reconciler<Gateway, unknown, ControllerServices> = {
  name: "gateway-shim",
  type: Gateways,
  secondaries: [{ type: Certificates, toPrimary: toOwner("Gateway", "gateway.networking.k8s.io") }],
  reconcile: reconcileShimmed<Gateway>((gateway) => certificatesForGateway(gateway), "Skipped a listener"),
}
