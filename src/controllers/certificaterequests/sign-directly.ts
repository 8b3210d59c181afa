// SelfSigned and CA issuers sign a CertificateRequest in-process.
import { Effect } from "effect"
import type { CertificateRequest } from "../../api/certificate-request.ts"
import { Secrets } from "../../api/kinds.ts"
import { parseGoDuration } from "../../api/duration.ts"
import { signCertificate } from "../../pki/signer.ts"
import { ResourceStore } from "../../store/resource-store.ts"
import { loadCaKeyPair } from "../issuers/ca-issuer.ts"
import { annotations } from "../../api/annotations.ts"
import { issuerSecretNamespace, type AnyIssuer } from "../shared/issuer-lookup.ts"
import { secretText } from "../shared/secret-data.ts"

/** cert-manager's default certificate lifetime: 90 days. */
export const defaultDurationMillis = 2160 * 60 * 60 * 1000

export type SignOutcome =
  | { readonly _tag: "Signed"; readonly certificatePem: string; readonly caPem: string }
  | { readonly _tag: "Pending"; readonly message: string }
  | { readonly _tag: "Failed"; readonly message: string }

export const signDirectly = (request: CertificateRequest, issuer: AnyIssuer) =>
  Effect.gen(function* () {
    const store = yield* ResourceStore
    const csrPem = Buffer.from(request.spec.request, "base64").toString("utf8")
    const duration = (request.spec.duration === undefined ? undefined : parseGoDuration(request.spec.duration)) ?? defaultDurationMillis
    const options = {
      csrPem,
      duration,
      ...(request.spec.isCA === undefined ? {} : { isCA: request.spec.isCA }),
      ...(request.spec.usages === undefined ? {} : { usages: request.spec.usages }),
    }
    if (issuer.spec.selfSigned !== undefined) {
      // The request's own key signs it; the Certificate controller names its Secret.
      const keySecretName = request.metadata.annotations?.[annotations.privateKeySecretName]
      if (keySecretName === undefined) {
        return { _tag: "Failed", message: `Annotation "${annotations.privateKeySecretName}" missing or empty: the SelfSigned issuer needs the request's private key` } as SignOutcome
      }
      const secret = yield* store.get(Secrets, { namespace: request.metadata.namespace ?? "", name: keySecretName }, { fresh: true }).pipe(Effect.option)
      const keyPem = secret._tag === "Some" ? secretText(secret.value, "tls.key") : undefined
      if (keyPem === undefined) return { _tag: "Pending", message: `Referenced secret ${request.metadata.namespace}/${keySecretName} not found` } as SignOutcome
      const signed = yield* signCertificate({ ...options, signer: { kind: "self", privateKeyPem: keyPem } }).pipe(Effect.result)
      return signed._tag === "Success"
        ? ({ _tag: "Signed", ...signed.success } as SignOutcome)
        : ({ _tag: "Failed", message: `Error signing certificate: ${signed.failure.message}` } as SignOutcome)
    }
    if (issuer.spec.ca !== undefined) {
      const keyPair = yield* loadCaKeyPair(issuer.spec.ca, yield* issuerSecretNamespace(issuer))
      if (!keyPair.ready) return { _tag: "Pending", message: keyPair.message } as SignOutcome
      const signed = yield* signCertificate({
        ...options,
        signer: { kind: "ca", certificatePem: keyPair.certificatePem, privateKeyPem: keyPair.privateKeyPem },
      }).pipe(Effect.result)
      return signed._tag === "Success"
        ? ({ _tag: "Signed", ...signed.success } as SignOutcome)
        : ({ _tag: "Failed", message: `Error signing certificate: ${signed.failure.message}` } as SignOutcome)
    }
    return { _tag: "Failed", message: "The issuer has no SelfSigned or CA configuration" } as SignOutcome
  })
