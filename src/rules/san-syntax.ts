// The SAN syntax rules of cert-manager's webhook that CEL in the API server
// cannot express here (no IP or URL parsing in certops' CEL engine): every
// ipAddresses entry an IPv4 or IPv6 address, every uris entry an absolute URI.
// `certops check` reports them at the entry's line; the Certificate
// reconciler makes a cluster-made Certificate Ready=False, reason InvalidSpec.
import { isIP } from "node:net"

export interface SanProblem {
  /** Below the Certificate's spec: ["ipAddresses", 1]. */
  readonly path: readonly [string, number]
  readonly message: string
}

const isAbsoluteUri = (text: string) => /^[A-Za-z][A-Za-z0-9+.-]*:/.test(text) && URL.canParse(text)

export const sanProblems = (spec: { readonly ipAddresses?: ReadonlyArray<string>; readonly uris?: ReadonlyArray<string> }): ReadonlyArray<SanProblem> => [
  ...(spec.ipAddresses ?? []).flatMap((address, index) =>
    isIP(address) === 0 ? [{ path: ["ipAddresses", index] as const, message: `"${address}" is not an IP address` }] : [],
  ),
  ...(spec.uris ?? []).flatMap((uri, index) =>
    isAbsoluteUri(uri) ? [] : [{ path: ["uris", index] as const, message: `"${uri}" is not an absolute URI (scheme:…)` }],
  ),
]
