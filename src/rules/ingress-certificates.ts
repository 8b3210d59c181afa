// cert-manager's ingress-shim as data: the Certificates an annotated Ingress
// asks for (one per tls entry, named after its secretName, the hosts as
// names), with the annotations cert-manager honours translated into their
// Certificate fields, each name and value as cert-manager reads them
// (pkg/controller/certificate-shim). One function, for the in-cluster shim
// and for Ingresses in Git (`certops check`, `certops plan`).
import { isIP } from "node:net"
import type { Certificate } from "../api/certificate.ts"
import { KeyUsage } from "../api/certificate.ts"
import type { Ingress } from "../api/core.ts"
import { parseGoDuration } from "../api/duration.ts"
import { defaultUsages } from "../pki/usages.ts"
import type { Gateway } from "../api/gateway.ts"
import { overrideAnnotations, parentRefAnnotations } from "./solver-overrides.ts"

export const shimAnnotations = {
  issuer: "cert-manager.io/issuer",
  clusterIssuer: "cert-manager.io/cluster-issuer",
  issuerKind: "cert-manager.io/issuer-kind",
  issuerGroup: "cert-manager.io/issuer-group",
  tlsAcme: "kubernetes.io/tls-acme",
  commonName: "cert-manager.io/common-name",
  altNames: "cert-manager.io/alt-names",
  ipSans: "cert-manager.io/ip-sans",
  uriSans: "cert-manager.io/uri-sans",
  emailSans: "cert-manager.io/email-sans",
  duration: "cert-manager.io/duration",
  renewBefore: "cert-manager.io/renew-before",
  renewBeforePercentage: "cert-manager.io/renew-before-percentage",
  usages: "cert-manager.io/usages",
  revisionHistoryLimit: "cert-manager.io/revision-history-limit",
  privateKeyAlgorithm: "cert-manager.io/private-key-algorithm",
  privateKeyEncoding: "cert-manager.io/private-key-encoding",
  privateKeySize: "cert-manager.io/private-key-size",
  privateKeyRotationPolicy: "cert-manager.io/private-key-rotation-policy",
  secretTemplate: "cert-manager.io/secret-template",
  subjectOrganizations: "cert-manager.io/subject-organizations",
  subjectOrganizationalUnits: "cert-manager.io/subject-organizationalunits",
  subjectCountries: "cert-manager.io/subject-countries",
  subjectProvinces: "cert-manager.io/subject-provinces",
  subjectLocalities: "cert-manager.io/subject-localities",
  subjectStreetAddresses: "cert-manager.io/subject-streetaddresses",
  subjectPostalCodes: "cert-manager.io/subject-postalcodes",
  subjectSerialNumber: "cert-manager.io/subject-serialnumber",
  editInPlace: "acme.cert-manager.io/http01-edit-in-place",
  ignoreTlsListeners: "cert-manager.io/ignore-tls-listeners",
  http01IngressClass: "acme.cert-manager.io/http01-ingress-class",
  http01IngressClassName: "acme.cert-manager.io/http01-ingress-ingressclassname",
} as const

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

/** The issuer for `kubernetes.io/tls-acme: "true"` (cert-manager's --default-issuer-*). */
export interface DefaultIssuer {
  readonly name: string
  readonly kind: string
  readonly group: string
}

export interface IngressProblem {
  /** The field at fault, as kubectl names it: `metadata.annotations["cert-manager.io/duration"]`, `spec.tls[1].secretName`. */
  readonly path: string
  readonly message: string
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

const annotationPath = (key: string) => `metadata.annotations[${JSON.stringify(key)}]`

/**
 * Labels that say how the Ingress got there, not what it is: kubectl's apply
 * set, and certops' own provenance (an Ingress from Git), which would make
 * the apply step prune the derived Certificate as gone from Git.
 */
const bookkeepingLabel = (key: string) => key === "applyset.kubernetes.io/part-of" || key.startsWith("certops.io/")

/** cert-manager's SplitWithEscapeCSV: comma separated, double quotes around a value that holds commas. */
export const splitCsv = (text: string): ReadonlyArray<string> | string => {
  const values: Array<string> = []
  let current = ""
  let quoted = false
  for (let index = 0; index < text.length; index++) {
    const character = text[index]!
    if (quoted) {
      if (character === '"' && text[index + 1] === '"') {
        current += '"'
        index++
      } else if (character === '"') quoted = false
      else current += character
    } else if (character === '"' && current === "") quoted = true
    else if (character === '"') return `bare " in field ${values.length + 1}`
    else if (character === ",") {
      values.push(current)
      current = ""
    } else current += character
  }
  if (quoted) return `extraneous or missing " in quoted-field ${values.length + 1}`
  values.push(current)
  return values
}

const isTrue = (value: string | undefined) => value !== undefined && ["1", "t", "T", "TRUE", "true", "True"].includes(value)

/** Which issuer, from the annotations (issuerForIngressLike): problems when they contradict each other. */
const issuerOf = (annotations: Readonly<Record<string, string>>, defaultIssuer: DefaultIssuer | undefined) => {
  const problems: Array<IngressProblem> = []
  let name = defaultIssuer?.name ?? ""
  let kind = defaultIssuer?.kind ?? "Issuer"
  let group = defaultIssuer?.group ?? "cert-manager.io"
  const issuer = annotations[shimAnnotations.issuer]
  const clusterIssuer = annotations[shimAnnotations.clusterIssuer]
  const kindAnnotation = annotations[shimAnnotations.issuerKind]
  const groupAnnotation = annotations[shimAnnotations.issuerGroup]
  if (issuer !== undefined) [name, kind] = [issuer, "Issuer"]
  if (clusterIssuer !== undefined) [name, kind] = [clusterIssuer, "ClusterIssuer"]
  if (kindAnnotation !== undefined) kind = kindAnnotation
  if (groupAnnotation !== undefined) group = groupAnnotation
  const both = (a: string, b: string) => ({ path: annotationPath(b), message: `both "${a}" and "${b}" may not be set` })
  if (name === "") problems.push({ path: annotationPath(shimAnnotations.issuer), message: "no issuer: set cert-manager.io/issuer or cert-manager.io/cluster-issuer (or a default issuer for kubernetes.io/tls-acme)" })
  if (issuer !== undefined && clusterIssuer !== undefined) problems.push(both(shimAnnotations.issuer, shimAnnotations.clusterIssuer))
  if (clusterIssuer !== undefined && groupAnnotation !== undefined) problems.push(both(shimAnnotations.clusterIssuer, shimAnnotations.issuerGroup))
  if (clusterIssuer !== undefined && kindAnnotation !== undefined) problems.push(both(shimAnnotations.clusterIssuer, shimAnnotations.issuerKind))
  return { issuerRef: { name, kind, group }, problems }
}

type Spec = { -readonly [K in keyof Certificate["spec"]]: Certificate["spec"][K] }

/** translateAnnotations: the Certificate fields the annotations set, or the first annotation that cannot be read. */
const translate = (annotations: Readonly<Record<string, string>>, spec: Spec): IngressProblem | undefined => {
  const read = (key: string) => annotations[key]
  const bad = (key: string, message: string): IngressProblem => ({ path: annotationPath(key), message })
  const list = (key: string) => (read(key) ?? "").split(",").map((entry) => entry.trim()).filter((entry) => entry !== "")

  const commonName = read(shimAnnotations.commonName)
  if (commonName !== undefined) spec.commonName = commonName
  if (list(shimAnnotations.altNames).length > 0) spec.dnsNames = [...(spec.dnsNames ?? []), ...list(shimAnnotations.altNames)]
  if (list(shimAnnotations.ipSans).length > 0) spec.ipAddresses = [...(spec.ipAddresses ?? []), ...list(shimAnnotations.ipSans)]
  if (list(shimAnnotations.uriSans).length > 0) spec.uris = [...(spec.uris ?? []), ...list(shimAnnotations.uriSans)]
  if (read(shimAnnotations.emailSans) !== undefined) spec.emailAddresses = list(shimAnnotations.emailSans)

  const subject: Record<string, unknown> = {}
  const subjectLists = [
    ["organizations", shimAnnotations.subjectOrganizations],
    ["organizationalUnits", shimAnnotations.subjectOrganizationalUnits],
    ["countries", shimAnnotations.subjectCountries],
    ["provinces", shimAnnotations.subjectProvinces],
    ["localities", shimAnnotations.subjectLocalities],
    ["streetAddresses", shimAnnotations.subjectStreetAddresses],
    ["postalCodes", shimAnnotations.subjectPostalCodes],
  ] as const
  for (const [field, key] of subjectLists) {
    const value = read(key)
    if (value === undefined) continue
    const values = splitCsv(value)
    if (typeof values === "string") return bad(key, values)
    subject[field] = values
  }
  const serialNumber = read(shimAnnotations.subjectSerialNumber)
  if (serialNumber !== undefined) subject["serialNumber"] = serialNumber
  if (Object.keys(subject).length > 0) spec.subject = subject

  for (const [field, key] of [["duration", shimAnnotations.duration], ["renewBefore", shimAnnotations.renewBefore]] as const) {
    const value = read(key)
    if (value === undefined) continue
    if (parseGoDuration(value) === undefined) return bad(key, `"${value}" is not a duration (such as 2160h or 1h30m)`)
    spec[field] = value
  }
  const percentage = read(shimAnnotations.renewBeforePercentage)
  if (percentage !== undefined) {
    if (!/^[+-]?\d+$/.test(percentage)) return bad(shimAnnotations.renewBeforePercentage, `"${percentage}" is not a whole number`)
    spec.renewBeforePercentage = Number(percentage)
  }
  const usages = read(shimAnnotations.usages)
  if (usages !== undefined) {
    const names = usages.split(",").map((name) => name.trim())
    const unknown = names.find((name) => !(KeyUsage.literals as ReadonlyArray<string>).includes(name))
    if (unknown !== undefined) return bad(shimAnnotations.usages, `invalid key usage name "${unknown}"`)
    spec.usages = names as ReadonlyArray<KeyUsage>
  }
  const limit = read(shimAnnotations.revisionHistoryLimit)
  if (limit !== undefined) {
    if (!/^[+-]?\d+$/.test(limit)) return bad(shimAnnotations.revisionHistoryLimit, `"${limit}" is not a whole number`)
    if (Number(limit) < 1) return bad(shimAnnotations.revisionHistoryLimit, `revision history limit must be a positive number "${limit}"`)
    spec.revisionHistoryLimit = Number(limit)
  }

  const key: Record<string, unknown> = { ...spec.privateKey }
  const algorithm = read(shimAnnotations.privateKeyAlgorithm)
  if (algorithm !== undefined) {
    if (!["RSA", "ECDSA", "Ed25519"].includes(algorithm)) return bad(shimAnnotations.privateKeyAlgorithm, `invalid private key algorithm "${algorithm}"`)
    key["algorithm"] = algorithm
  }
  const encoding = read(shimAnnotations.privateKeyEncoding)
  if (encoding !== undefined) {
    if (encoding !== "PKCS1" && encoding !== "PKCS8") return bad(shimAnnotations.privateKeyEncoding, `invalid private key encoding "${encoding}"`)
    key["encoding"] = encoding
  }
  const size = read(shimAnnotations.privateKeySize)
  if (size !== undefined) {
    if (!/^[+-]?\d+$/.test(size)) return bad(shimAnnotations.privateKeySize, `"${size}" is not a whole number`)
    const bits = Number(size)
    const keyAlgorithm = (key["algorithm"] as string | undefined) ?? "RSA"
    if (keyAlgorithm === "RSA" && (bits < 2048 || bits > 8192)) return bad(shimAnnotations.privateKeySize, `invalid private key size for RSA algorithm "${size}"`)
    if (keyAlgorithm === "ECDSA" && ![256, 384, 521].includes(bits)) return bad(shimAnnotations.privateKeySize, `invalid private key size for ECDSA algorithm "${size}"`)
    key["size"] = bits
  }
  const rotation = read(shimAnnotations.privateKeyRotationPolicy)
  if (rotation !== undefined) {
    if (rotation !== "Never" && rotation !== "Always") return bad(shimAnnotations.privateKeyRotationPolicy, `invalid private key rotation policy "${rotation}"`)
    key["rotationPolicy"] = rotation
  }
  if (Object.keys(key).length > 0) spec.privateKey = key

  const template = read(shimAnnotations.secretTemplate)
  if (template !== undefined) {
    const parsed = parseSecretTemplate(template)
    if (typeof parsed === "string") return bad(shimAnnotations.secretTemplate, parsed)
    if (Object.keys(parsed.labels ?? {}).length > 0 || Object.keys(parsed.annotations ?? {}).length > 0) spec.secretTemplate = parsed
  }
  return undefined
}

/** The secret-template annotation: JSON with labels and annotations only, no cert-manager.io/ annotation. */
const parseSecretTemplate = (json: string): { labels?: Record<string, string>; annotations?: Record<string, string> } | string => {
  let parsed: unknown
  try {
    parsed = JSON.parse(json)
  } catch (error) {
    return `error parsing secret template JSON: ${error instanceof Error ? error.message : String(error)}`
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return "error parsing secret template JSON: not an object"
  const unknown = Object.keys(parsed).find((key) => key !== "labels" && key !== "annotations")
  if (unknown !== undefined) return `error parsing secret template JSON: unknown field "${unknown}"`
  const template = parsed as Record<string, unknown>
  for (const field of ["labels", "annotations"]) {
    const map = template[field]
    if (map === undefined) continue
    if (typeof map !== "object" || map === null || Object.values(map).some((value) => typeof value !== "string")) return `error parsing secret template JSON: ${field} is not a map of strings`
  }
  const certManager = Object.keys((template["annotations"] as Record<string, string> | undefined) ?? {}).find((key) => key.startsWith("cert-manager.io/"))
  if (certManager !== undefined) return `secretTemplate must not have cert-manager.io/ annotations: "${certManager}"`
  return template as { labels?: Record<string, string>; annotations?: Record<string, string> }
}

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

export const describeIngressProblem = (problem: IngressProblem): string => `${problem.path}: ${problem.message}`
