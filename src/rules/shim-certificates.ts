// cert-manager's certificate-shim as data: the Certificates an annotated
// Ingress (one per tls entry, named after its secretName, the hosts as names)
// or Gateway (one per Secret its TLS listeners name) asks for, with its
// annotations translated (shim-annotations.ts). One function per kind, for
// the in-cluster shims and for Ingresses in Git (`certops check`, `certops plan`).
import { isIP } from "node:net"
import type { Certificate, KeyUsage } from "../api/certificate.ts"
import type { Ingress } from "../api/core.ts"
import type { Gateway } from "../api/gateway.ts"
import { defaultUsages } from "../pki/usages.ts"
import { issuerOf, isTrue, shimAnnotations, translate, type DefaultIssuer, type IngressProblem, type Spec } from "./shim-annotations.ts"
import { overrideAnnotations, parentRefAnnotations } from "./solver-overrides.ts"

/** The annotations the shim sets on its Certificates (setIssuerSpecificConfig): only these are its to change. */
export const derivedAnnotationKeys = [
  parentRefAnnotations.kind,
  parentRefAnnotations.name,
  overrideAnnotations.ingressName,
  overrideAnnotations.ingressClass,
  overrideAnnotations.ingressClassName,
  "cert-manager.io/issue-temporary-certificate",
] as const

/** HTTP-01 through this Ingress: edited in place (with a temporary certificate meanwhile), or through a class of its choosing. */
const solverAnnotations = (ingress: Ingress): Record<string, string> => {
  const annotations = ingress.metadata.annotations ?? {}
  return {
    ...(annotations[shimAnnotations.editInPlace] === "true"
      ? { [overrideAnnotations.ingressName]: ingress.metadata.name, "cert-manager.io/issue-temporary-certificate": "true" }
      : {}),
    ...(annotations[shimAnnotations.http01IngressClass] ? { [overrideAnnotations.ingressClass]: annotations[shimAnnotations.http01IngressClass]! } : {}),
    ...(annotations[shimAnnotations.http01IngressClassName] ? { [overrideAnnotations.ingressClassName]: annotations[shimAnnotations.http01IngressClassName]! } : {}),
  }
}

export interface IngressCertificates {
  /** Whether the Ingress asks for certificates at all (an issuer annotation, or tls-acme with a default issuer). */
  readonly annotated: boolean
  readonly certificates: ReadonlyArray<Certificate>
  readonly problems: ReadonlyArray<IngressProblem>
  /**
   * A problem stops the whole Ingress (an annotation certops cannot read,
   * contradicting issuer annotations, a secretName used twice): its
   * Certificates stay as they are. A bad tls entry only skips that entry.
   */
  readonly halted: boolean
  /** The Secrets the object still names, even in an entry skipped as bad: their Certificates stay. */
  readonly secretNames: ReadonlyArray<string>
}

/**
 * Labels that say how the Ingress got there, not what it is: kubectl's apply
 * set, and certops' own provenance (an Ingress from Git), which would make
 * the apply step prune the derived Certificate as gone from Git.
 */
const bookkeepingLabel = (key: string) => key === "applyset.kubernetes.io/part-of" || key.startsWith("certops.io/")

/** Whether the Ingress asks for certificates (hasShimAnnotation). */
export const asksForCertificates = (ingress: Pick<Owner, "metadata">, defaultIssuer: DefaultIssuer | undefined): boolean => {
  const annotations = ingress.metadata.annotations ?? {}
  return shimAnnotations.issuer in annotations || shimAnnotations.clusterIssuer in annotations || (defaultIssuer !== undefined && isTrue(annotations[shimAnnotations.tlsAcme]))
}

/** What asks for certificates: an Ingress or a Gateway, by its metadata. */
interface Owner {
  readonly apiVersion: string
  readonly kind: string
  readonly metadata: Ingress["metadata"]
}

/** One Certificate per Secret, with the hosts that want it. */
interface Entry {
  readonly secretName: string
  readonly hosts: ReadonlyArray<string>
}

/** The Certificates for the entries, every annotation translated alike; a bad one stops them all, as in cert-manager. */
const buildCertificates = (owner: Owner, issuerRef: Certificate["spec"]["issuerRef"], entries: ReadonlyArray<Entry>, certificateAnnotations: Readonly<Record<string, string>>) => {
  const annotations = owner.metadata.annotations ?? {}
  const labels = Object.fromEntries(Object.entries(owner.metadata.labels ?? {}).filter(([key]) => !bookkeepingLabel(key)))
  const certificates: Array<Certificate> = []
  for (const { secretName, hosts } of entries) {
    const spec: Spec = {
      secretName,
      issuerRef,
      usages: defaultUsages as ReadonlyArray<KeyUsage>,
      ...(hosts.some((host) => isIP(host) === 0) ? { dnsNames: hosts.filter((host) => isIP(host) === 0) } : {}),
      ...(hosts.some((host) => isIP(host) !== 0) ? { ipAddresses: hosts.filter((host) => isIP(host) !== 0) } : {}),
    }
    const problem = translate(annotations, spec)
    if (problem !== undefined) return problem
    certificates.push({
      apiVersion: "cert-manager.io/v1",
      kind: "Certificate",
      metadata: {
        name: secretName,
        namespace: owner.metadata.namespace ?? "",
        ...(Object.keys(labels).length === 0 ? {} : { labels }),
        ...(Object.keys(certificateAnnotations).length === 0 ? {} : { annotations: certificateAnnotations }),
        ...(owner.metadata.uid === undefined
          ? {}
          : { ownerReferences: [{ apiVersion: owner.apiVersion, kind: owner.kind, name: owner.metadata.name, uid: owner.metadata.uid, controller: true, blockOwnerDeletion: true }] }),
      },
      spec,
    })
  }
  return certificates
}

/** The issuer, the entries and their problems, into the shim's answer. */
const derive = (
  owner: Owner,
  defaultIssuer: DefaultIssuer | undefined,
  entries: ReadonlyArray<Entry>,
  entryProblems: ReadonlyArray<IngressProblem>,
  certificateAnnotations: Readonly<Record<string, string>>,
  secretNames: ReadonlyArray<string>,
): IngressCertificates => {
  const halt = (problems: ReadonlyArray<IngressProblem>): IngressCertificates => ({ annotated: true, certificates: [], problems, halted: true, secretNames })
  const issuer = issuerOf(owner.metadata.annotations ?? {}, defaultIssuer)
  if (issuer.problems.length > 0) return halt(issuer.problems)
  const built = buildCertificates(owner, issuer.issuerRef, entries, certificateAnnotations)
  if (!Array.isArray(built)) return halt([built as IngressProblem])
  return { annotated: true, certificates: built, problems: entryProblems, halted: false, secretNames }
}

export const certificatesForIngress = (ingress: Ingress, defaultIssuer?: DefaultIssuer): IngressCertificates => {
  if (!asksForCertificates(ingress, defaultIssuer)) return { annotated: false, certificates: [], problems: [], halted: false, secretNames: [] }
  const tls = ingress.spec?.tls ?? []
  // A Secret holds one certificate: two entries naming it contradict each other.
  const duplicates: Array<IngressProblem> = []
  const firstUse = new Map<string, number>()
  tls.forEach((entry, index) => {
    const secretName = entry.secretName ?? ""
    const first = firstUse.get(secretName)
    if (first === undefined) firstUse.set(secretName, index)
    else duplicates.push({ path: `spec.tls[${first}].secretName`, message: `this secret name must only appear in a single TLS entry but is also used in spec.tls[${index}].secretName` })
  })
  const secretNames = tls.flatMap((entry) => (entry.secretName === undefined ? [] : [entry.secretName]))
  if (duplicates.length > 0) return { annotated: true, certificates: [], problems: duplicates, halted: true, secretNames }
  const problems: Array<IngressProblem> = []
  const entries: Array<Entry> = []
  for (const [index, entry] of tls.entries()) {
    const hosts = entry.hosts ?? []
    if (hosts.length === 0) problems.push({ path: `spec.tls[${index}].hosts`, message: "Required value: a TLS entry needs hosts" })
    if ((entry.secretName ?? "") === "") problems.push({ path: `spec.tls[${index}].secretName`, message: "Required value: a TLS entry needs a secretName" })
    if (hosts.length > 0 && (entry.secretName ?? "") !== "") entries.push({ secretName: entry.secretName!, hosts })
  }
  return derive(ingress, defaultIssuer, entries, problems, solverAnnotations(ingress), secretNames)
}

/**
 * gateway-shim (handleGatewayAPIListeners): every HTTPS or TLS listener in
 * Terminate mode, not named in cert-manager.io/ignore-tls-listeners, asks
 * for its certificateRefs (Secrets in the Gateway's namespace) to hold a
 * certificate for its hostname; listeners sharing a Secret share its
 * Certificate. Challenges answer through an HTTPRoute on this Gateway.
 */
export const certificatesForGateway = (gateway: Gateway): IngressCertificates => {
  if (!asksForCertificates(gateway, undefined)) return { annotated: false, certificates: [], problems: [], halted: false, secretNames: [] }
  const namespace = gateway.metadata.namespace ?? ""
  const ignored = new Set((gateway.metadata.annotations?.[shimAnnotations.ignoreTlsListeners] ?? "").split(",").map((name) => name.trim()))
  const problems: Array<IngressProblem> = []
  const hostsBySecret = new Map<string, Array<string>>()
  for (const [index, listener] of (gateway.spec?.listeners ?? []).entries()) {
    if (listener.protocol !== "HTTPS" && listener.protocol !== "TLS") continue
    if (listener.tls?.mode === "Passthrough" || ignored.has(listener.name)) continue
    const path = `spec.listeners[${index}]`
    const skipped = (field: string, message: string) => problems.push({ path: `${path}.${field}`, message: `Skipped a listener block: ${message}` })
    if ((listener.hostname ?? "") === "") { skipped("hostname", "the hostname cannot be empty"); continue }
    if (listener.tls === undefined) { skipped("tls", "the TLS block cannot be empty"); continue }
    const refs = listener.tls.certificateRefs ?? []
    if (refs.length === 0) { skipped("tls.certificateRefs", "listener has no certificateRefs"); continue }
    const bad = refs.findIndex((ref) => !["", "core"].includes(ref.group ?? "") || !["", "Secret"].includes(ref.kind ?? "Secret") || (ref.namespace !== undefined && ref.namespace !== namespace))
    if (bad !== -1) { skipped(`tls.certificateRefs[${bad}]`, "only Secrets in the Gateway's own namespace (group core or \"\", kind Secret)"); continue }
    if ((listener.tls.mode ?? "Terminate") !== "Terminate") { skipped("tls.mode", `Unsupported value: "${listener.tls.mode}": supported values: "Terminate"`); continue }
    for (const ref of refs) hostsBySecret.set(ref.name, [...(hostsBySecret.get(ref.name) ?? []), listener.hostname!])
  }
  const entries = [...hostsBySecret].map(([secretName, hosts]) => ({ secretName, hosts }))
  const secretNames = (gateway.spec?.listeners ?? []).flatMap((listener) => (listener.tls?.certificateRefs ?? []).map((ref) => ref.name))
  return derive(gateway, undefined, entries, problems, { [parentRefAnnotations.kind]: "Gateway", [parentRefAnnotations.name]: gateway.metadata.name }, secretNames)
}
