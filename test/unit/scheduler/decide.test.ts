// Properties of the scheduling decision, on arbitrary sets of challenges.
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { conflictKey, decide, finalStates, isFinal, type ChallengeSlot } from "../../../src/scheduler/decide.ts"

const states = [undefined, "pending", "processing", ...finalStates] as const

const challengeArbitrary = fc.record({
  dnsName: fc.constantFrom("a.test", "b.test", "c.test", "d.test", "*.e.test"),
  type: fc.constantFrom("HTTP-01", "DNS-01"),
  createdAt: fc.integer({ min: 0, max: 1_000 }),
  processing: fc.boolean(),
  state: fc.constantFrom(...states),
})

/** Unique keys; a finished challenge is never processing (the controller clears it). */
const challengesArbitrary = fc.array(challengeArbitrary, { maxLength: 60 }).map((items) =>
  items.map((item, index): ChallengeSlot => {
    const { state, ...rest } = item
    return {
      ...rest,
      key: `ns/ch-${index}`,
      ...(state === undefined ? {} : { state }),
      processing: item.processing && (state === undefined || !finalStates.has(state)),
    }
  }),
)

/** The running set the controller already has must itself respect the rules. */
const consistent = (challenges: ReadonlyArray<ChallengeSlot>, limit: number) => {
  const running = challenges.filter((challenge) => challenge.processing)
  return running.length <= limit && new Set(running.map(conflictKey)).size === running.length
}

const limitArbitrary = fc.integer({ min: 1, max: 10 })

describe("decide", () => {
  it("never lets more than the limit process at once", () => {
    fc.assert(
      fc.property(challengesArbitrary, limitArbitrary, (challenges, limit) => {
        fc.pre(consistent(challenges, limit))
        const running = challenges.filter((challenge) => challenge.processing).length
        expect(running + decide(challenges, limit).length).toBeLessThanOrEqual(limit)
      }),
    )
  })

  it("never runs two challenges for one name and solver type", () => {
    fc.assert(
      fc.property(challengesArbitrary, limitArbitrary, (challenges, limit) => {
        fc.pre(consistent(challenges, limit))
        const after = [...challenges.filter((challenge) => challenge.processing), ...decide(challenges, limit)]
        expect(new Set(after.map(conflictKey)).size).toBe(after.length)
      }),
    )
  })

  it("chooses only waiting challenges that are not finished", () => {
    fc.assert(
      fc.property(challengesArbitrary, limitArbitrary, (challenges, limit) => {
        for (const chosen of decide(challenges, limit)) {
          expect(chosen.processing).toBe(false)
          expect(isFinal(chosen)).toBe(false)
        }
      }),
    )
  })

  it("leaves no slot idle while a challenge could use it", () => {
    fc.assert(
      fc.property(challengesArbitrary, limitArbitrary, (challenges, limit) => {
        fc.pre(consistent(challenges, limit))
        const chosen = decide(challenges, limit)
        const running = challenges.filter((challenge) => challenge.processing)
        if (running.length + chosen.length === limit) return
        const taken = new Set([...running, ...chosen].map(conflictKey))
        const passedOver = challenges.filter(
          (challenge) => !challenge.processing && !isFinal(challenge) && !chosen.includes(challenge),
        )
        for (const challenge of passedOver) expect(taken.has(conflictKey(challenge))).toBe(true)
      }),
    )
  })

  it("serves the oldest first: nothing chosen is younger than a passed-over challenge it could have replaced", () => {
    fc.assert(
      fc.property(challengesArbitrary, limitArbitrary, (challenges, limit) => {
        fc.pre(consistent(challenges, limit))
        const chosen = decide(challenges, limit)
        // Names held by a running or a chosen challenge cannot be served now anyway.
        const held = new Set([...challenges.filter((challenge) => challenge.processing), ...chosen].map(conflictKey))
        for (const passedOver of challenges) {
          if (passedOver.processing || isFinal(passedOver) || held.has(conflictKey(passedOver))) continue
          // A challenge left waiting with its name free: every chosen one must be at least as old.
          for (const picked of chosen) expect(picked.createdAt).toBeLessThanOrEqual(passedOver.createdAt)
        }
      }),
    )
  })

  it("reproduces the documented example: a limit of 60 and one name at a time", () => {
    const challenges: Array<ChallengeSlot> = Array.from({ length: 100 }, (_, index) => ({
      key: `ns/ch-${index}`,
      dnsName: `name-${index % 70}.test`,
      type: "HTTP-01",
      createdAt: index,
      processing: false,
    }))
    const chosen = decide(challenges, 60)
    expect(chosen.map((challenge) => challenge.key)).toEqual(Array.from({ length: 60 }, (_, index) => `ns/ch-${index}`))
  })

  it("chooses exactly what sorting the queue and taking the first of each free name would", () => {
    // The plain definition, kept here as the reference for the faster decide().
    const reference = (challenges: ReadonlyArray<ChallengeSlot>, limit: number) => {
      const live = challenges.filter((challenge) => !isFinal(challenge))
      const running = live.filter((challenge) => challenge.processing)
      const busy = new Set(running.map(conflictKey))
      const waiting = live
        .filter((challenge) => !challenge.processing)
        .sort((a, b) => a.createdAt - b.createdAt || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
      const chosen: Array<ChallengeSlot> = []
      for (const challenge of waiting) {
        if (running.length + chosen.length >= limit) break
        if (busy.has(conflictKey(challenge))) continue
        busy.add(conflictKey(challenge))
        chosen.push(challenge)
      }
      return chosen
    }
    fc.assert(
      fc.property(challengesArbitrary, limitArbitrary, fc.boolean(), (challenges, limit, reversed) => {
        fc.pre(consistent(challenges, limit))
        const input = reversed ? [...challenges].reverse() : challenges
        expect(decide(input, limit).map((challenge) => challenge.key)).toEqual(reference(input, limit).map((challenge) => challenge.key))
      }),
      { numRuns: 2_000 },
    )
  })
})
