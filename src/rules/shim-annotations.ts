// The annotations cert-manager's certificate-shim reads on an Ingress or a
// Gateway (pkg/controller/certificate-shim: issuerForIngressLike,
// translateAnnotations), each name and value as cert-manager reads it: which
// issuer, and the Certificate fields they set. A value that cannot be read is
// a problem at its annotation's path.
import type { Certificate } from "../api/certificate.ts"
import { KeyUsage } from "../api/certificate.ts"
import { parseGoDuration } from "../api/duration.ts"

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

export const describeIngressProblem = (problem: IngressProblem): string => `${problem.path}: ${problem.message}`

const annotationPath = (key: string) => `metadata.annotations[${JSON.stringify(key)}]`

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

/** Go's strconv.ParseBool, true side: how cert-manager reads kubernetes.io/tls-acme. */
export const isTrue = (value: string | undefined) => value !== undefined && ["1", "t", "T", "TRUE", "true", "True"].includes(value)

/** Which issuer, from the annotations (issuerForIngressLike): problems when they contradict each other. */
export const issuerOf = (annotations: Readonly<Record<string, string>>, defaultIssuer: DefaultIssuer | undefined) => {
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

/** A Certificate spec being filled in from the annotations. */
export type Spec = { -readonly [K in keyof Certificate["spec"]]: Certificate["spec"][K] }

/** translateAnnotations: the Certificate fields the annotations set, or the first annotation that cannot be read. */
export const translate = (annotations: Readonly<Record<string, string>>, spec: Spec): IngressProblem | undefined => {
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

