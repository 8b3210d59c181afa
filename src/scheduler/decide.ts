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
 *
 * Equal to sorting the waiting challenges and taking the first of each free
 * (dnsName, type) until the limit, without the sort: only the few that fit
 * are kept in order, which with 10k queued was most of the cost of a call.
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
  const free = limit - processing
  if (free <= 0) return []
  const chosen: Array<{ readonly slot: ChallengeSlot; readonly key: string }> = []
  for (const candidate of waiting) {
    // Newer than all of a full list: it cannot start now (the common case, so checked first).
    if (chosen.length === free && oldestFirst(candidate, chosen[free - 1]!.slot) >= 0) continue
    const key = conflictKey(candidate)
    if (busy.has(key)) continue
    const rival = chosen.findIndex((entry) => entry.key === key)
    if (rival >= 0) {
      // One per (dnsName, type): the older of the two.
      if (oldestFirst(candidate, chosen[rival]!.slot) >= 0) continue
      chosen.splice(rival, 1)
    }
    let at = chosen.length
    while (at > 0 && oldestFirst(candidate, chosen[at - 1]!.slot) < 0) at--
    chosen.splice(at, 0, { slot: candidate, key })
    if (chosen.length > free) chosen.pop()
  }
  return chosen.map((entry) => entry.slot)
}
