// ingress-shim and gateway-shim: an Ingress or Gateway annotated with an
// issuer gets the Certificates its tls entries or TLS listeners ask for
// (rules/shim-certificates.ts), owned by it, and keeps them in step: an
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
import { describeIngressProblem, type DefaultIssuer } from "../../rules/shim-annotations.ts"
import { certificatesForGateway, certificatesForIngress, derivedAnnotationKeys, type IngressCertificates } from "../../rules/shim-certificates.ts"
import { done, type ReconcileResult, type Reconciler } from "../../runtime/reconciler.ts"
import { IssuanceSettings } from "../../settings/issuance-settings.ts"
import { EventRecorder } from "../../store/event-recorder.ts"
import { jsonEqual } from "../../store/object-semantics.ts"
import { ResourceStore } from "../../store/resource-store.ts"
import type { ControllerServices } from "../services.ts"
import { solverLabel } from "../../solvers/http01/http01-ingress.ts"

type Shimmed = Ingress | Gateway

const controlledBy = (certificate: Certificate, owner: Shimmed) =>
  certificate.metadata.ownerReferences?.some((reference) => reference.controller === true && reference.uid === owner.metadata.uid) ?? false

/** A Certificate's annotations split into the shim's own (derivedAnnotationKeys) and everyone else's. */
const annotationsOf = (certificate: Certificate) => {
  const entries = Object.entries(certificate.metadata.annotations ?? {})
  const own = (key: string) => (derivedAnnotationKeys as ReadonlyArray<string>).includes(key)
  return { shim: Object.fromEntries(entries.filter(([key]) => own(key))), others: Object.fromEntries(entries.filter(([key]) => !own(key))) }
}

/** What the shim sets: the spec, the labels and its own annotations; the rest of the object is anyone's. */
const inStep = (existing: Certificate, desired: Certificate) =>
  jsonEqual(existing.spec, desired.spec) &&
  jsonEqual(existing.metadata.labels ?? {}, desired.metadata.labels ?? {}) &&
  jsonEqual(annotationsOf(existing).shim, annotationsOf(desired).shim)

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
      const { labels: _labels, annotations: _annotations, ...metadata } = current.metadata
      const annotations = { ...annotationsOf(current).others, ...desired.metadata.annotations }
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
  // Not the solver Ingresses certops makes per Challenge: they ask for no certificate, and would cost a read each.
  labelSelector: `!${solverLabel}`,
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
