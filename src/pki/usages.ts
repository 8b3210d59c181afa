// cert-manager's KeyUsage names and their X.509 encoding: the keyUsage bits
// (critical) and the extendedKeyUsage purposes (not critical), built the way
// cert-manager's pki.BuildKeyUsages builds them.
import * as x509 from "@peculiar/x509"
import { Effect } from "effect"
import { PkiError } from "./errors.ts"

/** The usages cert-manager gives a certificate that lists none. */
export const defaultUsages: ReadonlyArray<string> = ["digital signature", "key encipherment"]

/** keyUsage bits by cert-manager name, in bit order ("signing" is an alias of "digital signature"). */
const keyUsageBits: ReadonlyArray<readonly [string, number]> = [
  ["digital signature", x509.KeyUsageFlags.digitalSignature],
  ["content commitment", x509.KeyUsageFlags.nonRepudiation],
  ["key encipherment", x509.KeyUsageFlags.keyEncipherment],
  ["data encipherment", x509.KeyUsageFlags.dataEncipherment],
  ["key agreement", x509.KeyUsageFlags.keyAgreement],
  ["cert sign", x509.KeyUsageFlags.keyCertSign],
  ["crl sign", x509.KeyUsageFlags.cRLSign],
  ["encipher only", x509.KeyUsageFlags.encipherOnly],
  ["decipher only", x509.KeyUsageFlags.decipherOnly],
]
const keyUsageAliases: Readonly<Record<string, string>> = { signing: "digital signature" }

/** extendedKeyUsage OIDs by cert-manager name ("s/mime" is an alias of "email protection"). */
const extendedUsageOids: ReadonlyArray<readonly [string, string]> = [
  ["any", "2.5.29.37.0"],
  ["server auth", "1.3.6.1.5.5.7.3.1"],
  ["client auth", "1.3.6.1.5.5.7.3.2"],
  ["code signing", "1.3.6.1.5.5.7.3.3"],
  ["email protection", "1.3.6.1.5.5.7.3.4"],
  ["ipsec end system", "1.3.6.1.5.5.7.3.5"],
  ["ipsec tunnel", "1.3.6.1.5.5.7.3.6"],
  ["ipsec user", "1.3.6.1.5.5.7.3.7"],
  ["timestamping", "1.3.6.1.5.5.7.3.8"],
  ["ocsp signing", "1.3.6.1.5.5.7.3.9"],
  ["microsoft sgc", "1.3.6.1.4.1.311.10.3.3"],
  ["netscape sgc", "2.16.840.1.113730.4.1"],
]
const extendedUsageAliases: Readonly<Record<string, string>> = { "s/mime": "email protection" }

export interface EncodedUsages {
  /** keyUsage bit flags; 0 means no keyUsage extension. */
  readonly keyUsage: number
  /** extendedKeyUsage OIDs in the order the usages were listed, without repeats. */
  readonly extendedKeyUsage: ReadonlyArray<string>
}

/**
 * pki.BuildKeyUsages: no usages means the defaults; a CA always gets "cert
 * sign"; an unknown name fails, listing every unknown name.
 */
export const encodeUsages = (usages: ReadonlyArray<string> | undefined, isCA: boolean): Effect.Effect<EncodedUsages, PkiError> => {
  const names = usages === undefined || usages.length === 0 ? defaultUsages : usages
  let keyUsage = isCA ? x509.KeyUsageFlags.keyCertSign : 0
  const extendedKeyUsage: Array<string> = []
  const unknown: Array<string> = []
  for (const name of names) {
    const bit = keyUsageBits.find(([candidate]) => candidate === (keyUsageAliases[name] ?? name))?.[1]
    const oid = extendedUsageOids.find(([candidate]) => candidate === (extendedUsageAliases[name] ?? name))?.[1]
    if (bit !== undefined) keyUsage |= bit
    else if (oid !== undefined) {
      if (!extendedKeyUsage.includes(oid)) extendedKeyUsage.push(oid)
    } else unknown.push(name)
  }
  return unknown.length > 0
    ? Effect.fail(new PkiError({ reason: "InvalidRequest", message: `unknown key usages: ${unknown.map((name) => JSON.stringify(name)).join(", ")}` }))
    : Effect.succeed({ keyUsage, extendedKeyUsage })
}

/**
 * cert-manager names for encoded usages: keyUsage bits in bit order, then
 * extended usages in encoded order. OIDs with no cert-manager name are left out.
 */
export const usageNames = (encoded: EncodedUsages): ReadonlyArray<string> => [
  ...keyUsageBits.filter(([, bit]) => (encoded.keyUsage & bit) !== 0).map(([name]) => name),
  ...encoded.extendedKeyUsage.flatMap((oid) => extendedUsageOids.filter(([, candidate]) => candidate === oid).map(([name]) => name)),
]

/** The keyUsage (critical) and extendedKeyUsage (not critical) extensions; empty ones are left out. */
export const usageExtensions = (encoded: EncodedUsages): ReadonlyArray<x509.Extension> => [
  ...(encoded.keyUsage === 0 ? [] : [new x509.KeyUsagesExtension(encoded.keyUsage, true)]),
  ...(encoded.extendedKeyUsage.length === 0 ? [] : [new x509.ExtendedKeyUsageExtension([...encoded.extendedKeyUsage], false)]),
]

/** The usages encoded in a list of extensions (of a CSR or a certificate), or undefined when neither extension is there. */
export const readUsages = (extensions: ReadonlyArray<x509.Extension>): EncodedUsages | undefined => {
  const keyUsage = extensions.find((extension) => extension.type === "2.5.29.15")
  const extended = extensions.find((extension) => extension.type === "2.5.29.37")
  if (keyUsage === undefined && extended === undefined) return undefined
  return {
    keyUsage: keyUsage === undefined ? 0 : new x509.KeyUsagesExtension(keyUsage.rawData).usages,
    extendedKeyUsage: extended === undefined ? [] : new x509.ExtendedKeyUsageExtension(extended.rawData).usages.map(String),
  }
}

/** Same bits and the same set of extended usages (cert-manager compares the list in order; order is not meaningful). */
export const sameUsages = (a: EncodedUsages, b: EncodedUsages): boolean =>
  a.keyUsage === b.keyUsage &&
  a.extendedKeyUsage.length === b.extendedKeyUsage.length &&
  a.extendedKeyUsage.every((oid) => b.extendedKeyUsage.includes(oid))
