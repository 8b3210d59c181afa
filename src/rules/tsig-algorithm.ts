// TSIG's HMAC algorithms (RFC 8945 §6) and the names an Issuer may give them.
// cert-manager accepts HMACMD5, HMACSHA1, HMACSHA256 and HMACSHA512 in any
// case; certops also takes HMACSHA384 and the RFC names ("hmac-sha256"), so a
// bind key statement's algorithm can be copied as it is.

export interface TsigAlgorithm {
  /** The algorithm's name as it goes on the wire and into the MAC. */
  readonly wireName: string
  /** node:crypto's name for the hash under the HMAC. */
  readonly hash: "md5" | "sha1" | "sha256" | "sha384" | "sha512"
}

const hmacMd5: TsigAlgorithm = { wireName: "hmac-md5.sig-alg.reg.int", hash: "md5" }

const byNormalizedName: ReadonlyMap<string, TsigAlgorithm> = new Map([
  ["HMACMD5", hmacMd5],
  ["HMACMD5SIGALGREGINT", hmacMd5],
  ["HMACSHA1", { wireName: "hmac-sha1", hash: "sha1" }],
  ["HMACSHA256", { wireName: "hmac-sha256", hash: "sha256" }],
  ["HMACSHA384", { wireName: "hmac-sha384", hash: "sha384" }],
  ["HMACSHA512", { wireName: "hmac-sha512", hash: "sha512" }],
])

/** What cert-manager uses when an Issuer names no algorithm. */
export const defaultTsigAlgorithm = hmacMd5

/**
 * The algorithm an Issuer's `tsigAlgorithm` names ("HMACSHA256",
 * "hmac-sha256", "HmacSha256."), or undefined when certops knows no such
 * algorithm. Absent or empty means cert-manager's default, HMAC-MD5.
 */
export const tsigAlgorithmNamed = (name: string | undefined): TsigAlgorithm | undefined =>
  name === undefined || name.trim() === ""
    ? defaultTsigAlgorithm
    : byNormalizedName.get(name.trim().toUpperCase().replace(/[-.]/g, ""))

/** The names an Issuer may use, for error messages. */
export const supportedTsigAlgorithms = ["HMACMD5", "HMACSHA1", "HMACSHA256", "HMACSHA384", "HMACSHA512"] as const
