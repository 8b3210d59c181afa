// cert-manager's temporary certificate (GenerateLocallySignedTemporaryCertificate):
// while the real one is being issued, the Secret holds a certificate for the
// requested names and the issuance's own key, signed by a throwaway CA named
// cert-manager.local, so that an Ingress controller can serve TLS at once.
// Nobody trusts it; it is replaced as soon as the issuer answers. The CA is
// ECDSA P-256 rather than cert-manager's P-521: it signs once and is thrown
// away, and P-256 is several times cheaper to make.
import { Effect } from "effect"
import { createCsr } from "./csr.ts"
import type { PkiError } from "./errors.ts"
import { generatePrivateKey } from "./keys.ts"
import { signCertificate, type SignedCertificate } from "./signer.ts"

export const temporaryIssuerName = "cert-manager.local"

/** The temporary certificate for `csrPem` (the issuance's CSR), valid for `duration` ms. */
export const signTemporaryCertificate = (csrPem: string, duration: number, now?: Date): Effect.Effect<SignedCertificate, PkiError> =>
  Effect.gen(function* () {
    const caKey = yield* generatePrivateKey({ algorithm: "ECDSA", size: 256 })
    const caCsr = yield* createCsr(caKey, { commonName: temporaryIssuerName, isCA: true, usages: ["cert sign", "digital signature"] })
    const ca = yield* signCertificate({ csrPem: caCsr, signer: { kind: "self", privateKeyPem: caKey }, duration, isCA: true, usages: ["cert sign", "digital signature"], ...(now === undefined ? {} : { now }) })
    const leaf = yield* signCertificate({ csrPem, signer: { kind: "ca", certificatePem: ca.certificatePem, privateKeyPem: caKey }, duration, ...(now === undefined ? {} : { now }) })
    // Like cert-manager's, the chain stops at the leaf: the throwaway CA is no CA anyone should add.
    return leaf
  })
