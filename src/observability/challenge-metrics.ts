// How many Challenges wait for a scheduler slot and how many hold one: a
// growing queue with a full processing count means the 60-slot limit (or one
// name's exclusivity) is what holds issuance back.
import type { Challenge } from "../api/acme-challenge.ts"
import { finalStates } from "../scheduler/decide.ts"
import type { MetricFamily } from "../metrics/exposition.ts"

const isFinal = (challenge: Challenge) => challenge.status?.state !== undefined && finalStates.has(challenge.status.state)

export const challengeFamilies = (challenges: ReadonlyArray<Challenge>): ReadonlyArray<MetricFamily> => {
  const processing = challenges.filter((challenge) => challenge.status?.processing === true).length
  const queued = challenges.filter((challenge) => challenge.status?.processing !== true && !isFinal(challenge)).length
  return [
    {
      type: "gauge",
      name: "certops_challenges",
      help: "ACME Challenges by scheduling state: queued (waiting for a slot) or processing (holding one).",
      samples: [
        { labels: { state: "queued" }, value: queued },
        { labels: { state: "processing" }, value: processing },
      ],
    },
  ]
}
