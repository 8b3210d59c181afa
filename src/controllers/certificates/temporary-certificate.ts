// cert-manager.io/issue-temporary-certificate: "true" — while a Certificate
// whose Secret holds no usable certificate is being issued, the Secret gets a
// temporary one at once (pki/temporary-certificate.ts) with the issuance's
// own key, and cert-manager's annotations; the issued certificate replaces it.
// A Secret with a valid certificate (a renewal) keeps serving that one.
import { Effect } from "effect"
import { annotations } from "../../api/annotations.ts"
import type { Certificate } from "../../api/certificate.ts"
import type { Secret } from "../../api/core.ts"
import { parseGoDuration } from "../../api/duration.ts"
import { readCertificateFacts } from "../../pki/certificate-facts.ts"
import { PkiError } from "../../pki/errors.ts"
import { signTemporaryCertificate } from "../../pki/temporary-certificate.ts"
import { EventRecorder } from "../../store/event-recorder.ts"
import { defaultDurationMillis } from "../certificaterequests/sign-directly.ts"
import type { SecretVerdict } from "./secret-evaluation.ts"
import { writeCertificateSecret } from "./secret-writer.ts"

/** cert-manager's temporary-certificate policy chain: only a Secret with nothing usable in it gets one. */
const unusable = new Set(["DoesNotExist", "MissingData", "InvalidCertificate", "InvalidKeyPair"])

export const wantsTemporaryCertificate = (certificate: Certificate, verdict: SecretVerdict): boolean =>
  certificate.metadata.annotations?.[annotations.issueTemporaryCertificate] === "true" && verdict._tag === "Reissue" && unusable.has(verdict.reason)

export const installTemporaryCertificate = (certificate: Certificate, existing: Secret | undefined, keyPem: string, csrPem: string) =>
  Effect.gen(function* () {
    const events = yield* EventRecorder
    const duration = (certificate.spec.duration === undefined ? undefined : parseGoDuration(certificate.spec.duration)) ?? defaultDurationMillis
    const signed = yield* signTemporaryCertificate(csrPem, duration)
    const parsed = readCertificateFacts(signed.certificatePem)
    if (parsed === undefined) return yield* new PkiError({ reason: "Internal", message: "the temporary certificate could not be read back" })
    yield* writeCertificateSecret(certificate, existing, { chainPem: signed.certificatePem, keyPem, caPem: "", parsed, temporary: true })
    yield* events.record(certificate, "Normal", "Issuing", "Issued temporary certificate")
  })
