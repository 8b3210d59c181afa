// The TSIG key of an RFC 2136 solver, read as cert-manager reads it: name and
// algorithm from the solver, the secret from the Secret that
// tsigSecretSecretRef names (in the Challenge's namespace for an Issuer, in
// the cluster resource namespace for a ClusterIssuer; the data key must be
// given). Like cert-manager, certops signs only when both a key name and a
// secret are configured, and sends unsigned updates otherwise.
import { Effect, Redacted } from "effect"
import type { Challenge } from "../../api/acme-challenge.ts"
import type { Rfc2136Solver } from "../../api/issuer.ts"
import { Secrets } from "../../api/kinds.ts"
import { ResourceStore } from "../../store/resource-store.ts"
import { SolverError } from "../solver.ts"
import { supportedTsigAlgorithms, tsigAlgorithmNamed } from "../../rules/tsig-algorithm.ts"
import type { TsigKey } from "./tsig.ts"

const SOLVER = "rfc2136"

const configError = (detail: string) => new SolverError({ solver: SOLVER, detail, retryable: false })

/** Standard base64, padding optional; what miekg/dns would decode. */
const isBase64 = (text: string) => text.length > 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(text) && text.length % 4 !== 1

/** Labels of 1 to 63 bytes, optionally fully qualified: what a TSIG key name may be. */
const isDomainName = (name: string) => name.length <= 254 && /^([^.]{1,63}\.)*[^.]{1,63}\.?$/.test(name)

/** Where the Secrets of the Challenge's issuer live. */
export const secretNamespace = (challenge: Challenge, clusterResourceNamespace: string): string =>
  challenge.spec.issuerRef.kind === "ClusterIssuer" ? clusterResourceNamespace : (challenge.metadata.namespace ?? "default")

export const loadTsigKey = (
  challenge: Challenge,
  solver: Rfc2136Solver,
  clusterResourceNamespace: string,
): Effect.Effect<TsigKey | undefined, SolverError, ResourceStore> =>
  Effect.gen(function* () {
    const algorithm = tsigAlgorithmNamed(solver.tsigAlgorithm)
    if (algorithm === undefined) {
      return yield* configError(`algorithm '${solver.tsigAlgorithm}' is not supported (use one of ${supportedTsigAlgorithms.join(", ")})`)
    }
    const reference = solver.tsigSecretSecretRef
    const keyName = solver.tsigKeyName ?? ""
    if (reference === undefined || keyName === "") return undefined
    if (!isDomainName(keyName)) return yield* configError(`tsigKeyName "${keyName}" is not a DNS name`)
    if (reference.key === undefined || reference.key === "") return yield* configError("key of data in Secret resource must be specified")

    const namespace = secretNamespace(challenge, clusterResourceNamespace)
    const where = `Secret "${namespace}/${reference.name}"`
    const store = yield* ResourceStore
    const secret = yield* store.get(Secrets, { namespace, name: reference.name }, { fresh: true }).pipe(
      Effect.mapError((error) =>
        error._tag === "NotFound"
          ? configError(`failed to load the TSIG secret: ${where} not found`)
          : new SolverError({
              solver: SOLVER,
              detail: `failed to load the TSIG secret from ${where}: ${error.message}`,
              retryable: error._tag === "StoreUnavailable" && error.retryable,
            }),
      ),
    )
    const data = secret.data?.[reference.key]
    if (data === undefined) return yield* configError(`data entry with key "${reference.key}" not found in ${where}`)
    // The Secret holds the key as bind prints it: base64 text, itself base64 in the Secret's data.
    const text = Buffer.from(data, "base64").toString("utf8").trim()
    if (!isBase64(text)) return yield* configError(`the TSIG secret under "${reference.key}" in ${where} is not base64 text`)
    return { name: keyName, algorithm, secret: Redacted.make(Buffer.from(text, "base64")) }
  })
