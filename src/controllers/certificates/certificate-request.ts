// One CertificateRequest per issuance attempt, named from the Certificate,
// the revision it would become and the attempt, so that a second pass (or a
// restart) finds it instead of creating another.
import { Effect } from "effect"
import type { Certificate } from "../../api/certificate.ts"
import type { CertificateRequest } from "../../api/certificate-request.ts"
import { CertificateRequests } from "../../api/kinds.ts"
import { createCsr } from "../../pki/csr.ts"
import { http01AnnotationPrefix } from "../../rules/solver-overrides.ts"
import { EventRecorder } from "../../store/event-recorder.ts"
import { ResourceStore } from "../../store/resource-store.ts"
import { annotations } from "../../api/annotations.ts"
import { childName, controllerReference } from "../shared/owners.ts"

export const requestNameFor = (certificate: Certificate): string => {
  const revision = (certificate.status?.revision ?? 0) + 1
  const attempt = certificate.status?.failedIssuanceAttempts ?? 0
  return childName(certificate.metadata.name, attempt === 0 ? String(revision) : `${revision}-${attempt}`)
}

/** The CSR an issuance of the Certificate sends, made with its key. */
export const csrFor = (certificate: Certificate, keyPem: string) => {
  const spec = certificate.spec
  return createCsr(keyPem, {
    ...(spec.commonName === undefined ? {} : { commonName: spec.commonName }),
    ...(spec.dnsNames === undefined ? {} : { dnsNames: spec.dnsNames }),
    ...(spec.ipAddresses === undefined ? {} : { ipAddresses: spec.ipAddresses }),
    ...(spec.uris === undefined ? {} : { uris: spec.uris }),
    ...(spec.emailAddresses === undefined ? {} : { emailAddresses: spec.emailAddresses }),
    ...(spec.subject === undefined ? {} : { subject: spec.subject }),
    ...(spec.usages === undefined ? {} : { usages: spec.usages }),
    ...(spec.isCA === undefined ? {} : { isCA: spec.isCA }),
  })
}

export const createRequest = (certificate: Certificate, keySecretName: string, csrPem: string) =>
  Effect.gen(function* () {
    const store = yield* ResourceStore
    const events = yield* EventRecorder
    const spec = certificate.spec
    const name = requestNameFor(certificate)
    const request: CertificateRequest = {
      apiVersion: "cert-manager.io/v1",
      kind: "CertificateRequest",
      metadata: {
        name,
        namespace: certificate.metadata.namespace ?? "",
        ...(certificate.metadata.labels === undefined ? {} : { labels: certificate.metadata.labels }),
        annotations: {
          // The Certificate's HTTP-01 overrides travel with the request to its Order (cert-manager copies them too).
          ...Object.fromEntries(Object.entries(certificate.metadata.annotations ?? {}).filter(([key]) => key.startsWith(http01AnnotationPrefix))),
          [annotations.certificateName]: certificate.metadata.name,
          [annotations.certificateRevision]: String((certificate.status?.revision ?? 0) + 1),
          [annotations.privateKeySecretName]: keySecretName,
        },
        ownerReferences: [controllerReference(certificate)],
      },
      spec: {
        request: Buffer.from(csrPem).toString("base64"),
        issuerRef: spec.issuerRef,
        ...(spec.duration === undefined ? {} : { duration: spec.duration }),
        ...(spec.usages === undefined ? {} : { usages: spec.usages }),
        ...(spec.isCA === undefined ? {} : { isCA: spec.isCA }),
      },
    }
    const created = yield* store.create(CertificateRequests, request).pipe(
      Effect.map((value) => ({ value, fresh: true })),
      Effect.catchTag("AlreadyExists", () => store.get(CertificateRequests, { namespace: request.metadata.namespace!, name }).pipe(Effect.map((value) => ({ value, fresh: false })))),
    )
    if (created.fresh) yield* events.record(certificate, "Normal", "Requested", `Created new CertificateRequest resource "${name}"`)
    return created.value
  })
