// Which of an issuer's solvers answers a name, as cert-manager picks it:
// a selector naming the DNS name beats the longest matching DNS zone, which
// beats matching labels (more labels win), which beats no selector at all.
// A selector that names names or zones but matches none rules its solver out.
import type { AcmeChallengeSolver } from "../api/issuer.ts"

export interface SolverCandidate {
  readonly solver: AcmeChallengeSolver
  /** RFC 8555 spelling: "http-01" or "dns-01". */
  readonly challengeType: "http-01" | "dns-01"
}

export const challengeTypeOf = (solver: AcmeChallengeSolver): "http-01" | "dns-01" | undefined =>
  solver.http01 !== undefined ? "http-01" : solver.dns01 !== undefined ? "dns-01" : undefined

type Score = readonly [dnsName: number, zoneLength: number, labels: number]

const better = (left: Score, right: Score) => {
  for (let index = 0; index < left.length; index++) if (left[index]! !== right[index]!) return left[index]! > right[index]!
  return false
}

const score = (solver: AcmeChallengeSolver, name: string, wildcard: boolean, objectLabels: Readonly<Record<string, string>>): Score | undefined => {
  const selector = solver.selector
  if (selector === undefined) return [0, 0, 0]
  const matchLabels = Object.entries(selector.matchLabels ?? {})
  if (!matchLabels.every(([key, value]) => objectLabels[key] === value)) return undefined
  const fullName = wildcard ? `*.${name}` : name
  const names = selector.dnsNames ?? []
  const zones = selector.dnsZones ?? []
  if (names.length > 0 && names.includes(fullName)) return [1, 0, matchLabels.length]
  const zone = zones.filter((candidate) => name === candidate || name.endsWith(`.${candidate}`)).sort((a, b) => b.length - a.length)[0]
  if (zone !== undefined) return [0, zone.length, matchLabels.length]
  if (names.length > 0 || zones.length > 0) return undefined
  return [0, 0, matchLabels.length]
}

/**
 * The solver for one authorization, among those whose challenge type the
 * server offers; undefined when none fits.
 */
export const selectSolver = (
  solvers: ReadonlyArray<AcmeChallengeSolver>,
  authorization: { readonly name: string; readonly wildcard: boolean; readonly offeredTypes: ReadonlyArray<string> },
  objectLabels: Readonly<Record<string, string>>,
): SolverCandidate | undefined => {
  let best: { readonly candidate: SolverCandidate; readonly score: Score } | undefined
  for (const solver of solvers) {
    const challengeType = challengeTypeOf(solver)
    if (challengeType === undefined || !authorization.offeredTypes.includes(challengeType)) continue
    const candidateScore = score(solver, authorization.name, authorization.wildcard, objectLabels)
    if (candidateScore === undefined) continue
    if (best === undefined || better(candidateScore, best.score)) best = { candidate: { solver, challengeType }, score: candidateScore }
  }
  return best?.candidate
}
