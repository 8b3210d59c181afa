// Label and annotation syntax as the API server checks it on every object
// (apimachinery's ValidateLabels and ValidateAnnotations), for the labels and
// annotations a Certificate's secretTemplate puts on its Secret: refused at
// the Certificate, not when the Secret write fails at every issuance.

const qualifiedPart = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/
const subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/

/** 256 KiB of keys and values together, the API server's limit on an object's annotations. */
export const maxAnnotationBytes = 256 * 1024

/** Why `key` is not a qualified name (`prefix/name` or `name`), or undefined. */
export const qualifiedNameProblem = (key: string): string | undefined => {
  const parts = key.split("/")
  if (parts.length > 2) return `"${key}" is not a qualified name: at most one "/", between a DNS prefix and a name`
  const [prefix, name] = parts.length === 2 ? parts : [undefined, parts[0]!]
  if (prefix !== undefined && (prefix === "" || prefix.length > 253 || !subdomain.test(prefix))) {
    return `"${key}" has a prefix that is not a lowercase DNS subdomain (before the "/")`
  }
  if (name === undefined || name === "" || name.length > 63 || !qualifiedPart.test(name)) {
    return `"${key}" has a name part that is not 1 to 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit`
  }
  return undefined
}

/** Why `value` cannot be a label value, or undefined. */
export const labelValueProblem = (value: string): string | undefined =>
  value === "" || (value.length <= 63 && qualifiedPart.test(value))
    ? undefined
    : `"${value}" is not a label value: at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit`

export interface MetadataProblem {
  /** The key whose entry is at fault, or undefined when the map as a whole is. */
  readonly key?: string
  readonly message: string
}

export const labelProblems = (labels: Readonly<Record<string, string>>): ReadonlyArray<MetadataProblem> =>
  Object.entries(labels).flatMap(([key, value]) => {
    const problem = qualifiedNameProblem(key) ?? labelValueProblem(value)
    return problem === undefined ? [] : [{ key, message: problem }]
  })

export const annotationProblems = (annotations: Readonly<Record<string, string>>): ReadonlyArray<MetadataProblem> => {
  // The API server compares annotation keys case-insensitively.
  const keys = Object.keys(annotations).flatMap((key) => {
    const problem = qualifiedNameProblem(key.toLowerCase())
    return problem === undefined ? [] : [{ key, message: problem }]
  })
  const bytes = Object.entries(annotations).reduce((total, [key, value]) => total + Buffer.byteLength(key) + Buffer.byteLength(value), 0)
  return bytes > maxAnnotationBytes ? [...keys, { message: `annotations total ${bytes} bytes, more than the API server's ${maxAnnotationBytes}` }] : keys
}
