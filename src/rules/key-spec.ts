import type { Certificate } from "../api/certificate.ts"
import type { KeySpec } from "../pki/keys.ts"

/** spec.privateKey with cert-manager's defaults filled in (RSA 2048, PKCS1). */
export const keySpecOf = (certificate: Certificate): KeySpec => {
  const key = certificate.spec.privateKey
  return {
    algorithm: key?.algorithm ?? "RSA",
    ...(key?.size === undefined || key.size === 0 ? {} : { size: key.size }),
    encoding: key?.encoding ?? "PKCS1",
  }
}

/**
 * Always: a new key for every issuance (cert-manager's default since 1.18);
 * Never: keep the Secret's key while it still fits the spec.
 */
export const rotatesKey = (certificate: Certificate): boolean => certificate.spec.privateKey?.rotationPolicy !== "Never"
