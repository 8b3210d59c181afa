// PEM armour and private keys made at run time, so that no tracked file holds
// a private key block (not even a fake one a secret scanner rightly flags).
import { generateKeyPairSync } from "node:crypto"

/** The BEGIN line of a PEM block with this label, e.g. "RSA PRIVATE KEY". */
export const pemHeader = (label: string): string => `-----BEGIN ${label}-----`

/** A PEM block with this label around a base64 body (valid or not). */
export const pemBlock = (label: string, base64: string): string => `${pemHeader(label)}\n${base64}\n-----END ${label}-----\n`

/** A fresh throwaway P-256 private key: PKCS#8 ("PRIVATE KEY") or SEC1 ("EC PRIVATE KEY") PEM. */
export const throwawayKeyPem = (type: "pkcs8" | "sec1" = "pkcs8"): string =>
  generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ type, format: "pem" }).toString()
