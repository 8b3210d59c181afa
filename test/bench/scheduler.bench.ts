// The challenge scheduler's pure decision (src/scheduler/decide.ts) with
// thousands of queued challenges: decisions per second, as the controller
// calls it on every change. Prints figures; asserts nothing.
// Run: node test/bench/scheduler.bench.ts   Sizes: BENCH_SCHEDULER_QUEUED (default 10000)
import { decide, type ChallengeSlot } from "../../src/scheduler/decide.ts"
import { machine, summary } from "./common.ts"

const queued = Number(process.env["BENCH_SCHEDULER_QUEUED"] ?? 10_000)
const limit = 60

/** `queued` waiting challenges over queued/4 names (so conflicts happen), plus `processing` running ones and some finished. */
const population = (processing: number): Array<ChallengeSlot> => {
  const names = Math.max(1, Math.floor(queued / 4))
  const slots: Array<ChallengeSlot> = []
  for (let index = 0; index < queued; index++) {
    slots.push({ key: `ns/c-${index}`, dnsName: `n${index % names}.example.test`, type: index % 3 === 0 ? "DNS-01" : "HTTP-01", createdAt: 1_700_000_000_000 + ((index * 7919) % queued), processing: false })
  }
  for (let index = 0; index < processing; index++) {
    slots.push({ key: `ns/p-${index}`, dnsName: `p${index}.example.test`, type: "HTTP-01", createdAt: 1_600_000_000_000 + index, processing: true, state: "pending" })
  }
  for (let index = 0; index < queued / 10; index++) {
    slots.push({ key: `ns/v-${index}`, dnsName: `v${index}.example.test`, type: "HTTP-01", createdAt: 1_600_000_000_000 + index, processing: false, state: "valid" })
  }
  return slots
}

const measure = (label: string, slots: ReadonlyArray<ChallengeSlot>) => {
  let chosen = 0
  for (let warm = 0; warm < 20; warm++) chosen = decide(slots, limit).length
  let runs = 0
  const start = performance.now()
  while (performance.now() - start < 2_000) {
    chosen = decide(slots, limit).length
    runs++
  }
  const seconds = (performance.now() - start) / 1000
  return { case: label, challenges: slots.length, chosen, "decisions/s": Math.round(runs / seconds), "µs/decision": ((seconds / runs) * 1e6).toFixed(0) }
}

/** The whole queue drained the way the controller drives it: decide, start the chosen, finish them, decide again. */
const drain = () => {
  const slots = population(0)
  const byKey = new Map(slots.map((slot) => [slot.key, slot]))
  let decisions = 0
  const start = performance.now()
  for (;;) {
    const running = [...byKey.values()].filter((slot) => slot.processing)
    for (const slot of running) byKey.set(slot.key, { ...slot, processing: false, state: "valid" })
    const chosen = decide(byKey.values(), limit)
    decisions++
    if (chosen.length === 0) break
    for (const slot of chosen) byKey.set(slot.key, { ...slot, processing: true, state: "pending" })
  }
  const seconds = (performance.now() - start) / 1000
  return { decisions, seconds }
}

console.log(`\nscheduler benchmark — ${machine()}; ${queued} queued challenges, limit ${limit}`)
const rows = [measure("none processing (60 start)", population(0)), measure("30 processing (30 start)", population(30)), measure("60 processing (nothing starts)", population(60))]
console.table(rows)
const drained = drain()
console.log(`drain loop (decide → start → finish → decide, no store): ${drained.decisions} decisions for ${queued} challenges in ${drained.seconds.toFixed(2)} s`)
summary("scheduler", `decide() with ${queued} queued, 60 free slots`, `${rows[0]!["decisions/s"]} decisions/s (${rows[0]!["µs/decision"]} µs)`)
summary("scheduler", `drain ${queued} queued challenges`, `${drained.decisions} decisions in ${drained.seconds.toFixed(2)} s`)
