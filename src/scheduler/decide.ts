// Which queued challenges may start now. A pure function of the challenges
// the store holds, so the controller can call it on every change and a
// property test can check it on any input.

/** What the scheduler needs to know about one Challenge. */
export interface ChallengeSlot {
  /** namespace/name: identifies the Challenge. */
  readonly key: string
  readonly dnsName: string
  /** The solver type, "HTTP-01" or "DNS-01". */
  readonly type: string
  /** Creation time in milliseconds: oldest first. */
  readonly createdAt: number
  readonly processing: boolean
  /** status.state, if any. */
  readonly state?: string
}

/** States in which a Challenge is done and never scheduled again. */
export const finalStates: ReadonlySet<string> = new Set(["valid", "invalid", "expired", "revoked", "errored"])

export const isFinal = (slot: ChallengeSlot): boolean => slot.state !== undefined && finalStates.has(slot.state)

/** Two challenges conflict when they are for the same name with the same solver type. */
export const conflictKey = (slot: ChallengeSlot): string => `${slot.type}\u0000${slot.dnsName}`

const oldestFirst = (left: ChallengeSlot, right: ChallengeSlot) =>
  left.createdAt - right.createdAt || (left.key < right.key ? -1 : left.key > right.key ? 1 : 0)

/**
 * The challenges to start now: oldest first, at most `limit` processing in
 * all, never two processing for one (dnsName, type).
 */
export const decide = (challenges: Iterable<ChallengeSlot>, limit: number): ReadonlyArray<ChallengeSlot> => {
  const busy = new Set<string>()
  const waiting: Array<ChallengeSlot> = []
  let processing = 0
  for (const challenge of challenges) {
    if (isFinal(challenge)) continue
    if (challenge.processing) {
      processing++
      busy.add(conflictKey(challenge))
    } else waiting.push(challenge)
  }
  const chosen: Array<ChallengeSlot> = []
  if (processing >= limit || waiting.length === 0) return chosen
  waiting.sort(oldestFirst)
  for (const challenge of waiting) {
    if (processing + chosen.length >= limit) break
    const key = conflictKey(challenge)
    if (busy.has(key)) continue
    busy.add(key)
    chosen.push(challenge)
  }
  return chosen
}
