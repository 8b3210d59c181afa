// DNS names as a certificate may carry them (RFC 1123 host names, with a
// wildcard only as a whole leftmost label, `*.example.com`), and object names
// as the API server accepts them. Each check returns why a name is invalid,
// or undefined when it is fine.
import { isIP } from "node:net"

const label = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/
const lowercaseLabel = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/

export const isWildcard = (name: string): boolean => name.startsWith("*.")

/** The name a wildcard covers (`*.example.com` → `example.com`), as ACME authorizes it. */
export const wildcardBase = (name: string): string => (isWildcard(name) ? name.slice(2) : name)

const labelProblem = (text: string): string | undefined => {
  if (text === "") return "has an empty label"
  if (text.length > 63) return `has a label longer than 63 characters`
  if (text.includes("*")) return "has a wildcard that is not the whole leftmost label (only *.example.com is allowed)"
  if (!label.test(text)) {
    return /^[\x00-\x7f]*$/.test(text)
      ? `has an invalid label "${text}": use letters, digits and inner hyphens`
      : `has a non-ASCII label "${text}": write internationalized names in punycode (xn--…)`
  }
  return undefined
}

/** Why `name` cannot be a DNS name in a certificate, or undefined. */
export const dnsNameProblem = (name: string): string | undefined => {
  if (name === "") return "is empty"
  if (isIP(name) !== 0) return "is an IP address: list it under spec.ipAddresses"
  if (name.endsWith(".")) return "ends with a dot: certificates name hosts without the root label"
  if (name.length > 253) return "is longer than 253 characters"
  const labels = name.split(".")
  // A leading "*" label is the wildcard; everything after it must be a host name.
  const hostLabels = labels[0] === "*" ? labels.slice(1) : labels
  if (hostLabels.length === 0) return "is a bare wildcard: name the domain it covers (*.example.com)"
  for (const text of hostLabels) {
    const problem = labelProblem(text)
    if (problem !== undefined) return problem
  }
  return undefined
}

/** metadata.name and Secret names: a lowercase RFC 1123 subdomain, as the API server requires. */
export const objectNameProblem = (name: string): string | undefined =>
  name.length > 253 || !name.split(".").every((part) => lowercaseLabel.test(part))
    ? `"${name}" is not a lowercase RFC 1123 subdomain (lowercase letters, digits, "-" and ".", at most 253 characters)`
    : undefined

/** metadata.namespace: a lowercase RFC 1123 label. */
export const namespaceProblem = (namespace: string): string | undefined =>
  namespace.length > 63 || !lowercaseLabel.test(namespace)
    ? `"${namespace}" is not a lowercase RFC 1123 label (lowercase letters, digits and "-", at most 63 characters)`
    : undefined
