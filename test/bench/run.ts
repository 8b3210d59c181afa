// `npm run bench`: runs every benchmark under test/bench in its own Node
// process, one after another, then prints a summary table of the headline
// figures. Figures only: nothing is asserted. Pass file names to run some:
//   node test/bench/run.ts scheduler memory
import { spawnSync } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync, readdirSync } from "node:fs"
import { cpus, totalmem, tmpdir } from "node:os"
import { join } from "node:path"

const here = import.meta.dirname
// Cheapest first, so that a failure late in the run still leaves figures above it.
const order = ["scheduler", "git-poll", "status-commits", "issuance", "memory", "versus-cert-manager"]
const all = readdirSync(here)
  .filter((file) => file.endsWith(".bench.ts"))
  .map((file) => file.slice(0, -".bench.ts".length))
  .sort((a, b) => (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99))
const wanted = process.argv.slice(2)
const selected = wanted.length === 0 ? all : all.filter((name) => wanted.includes(name))

const summaryFile = join(mkdtempSync(join(tmpdir(), "certops-bench-summary-")), "summary.jsonl")
const timings: Array<{ bench: string; seconds: number; status: string }> = []
const started = performance.now()
for (const name of selected) {
  console.log(`\n━━━ ${name} ━━━`)
  const start = performance.now()
  const result = spawnSync(process.execPath, [join(here, `${name}.bench.ts`)], { stdio: "inherit", env: { ...process.env, CERTOPS_BENCH_SUMMARY: summaryFile } })
  const status = result.status === 0 ? "ok" : `failed (${result.status ?? result.signal})`
  timings.push({ bench: name, seconds: (performance.now() - start) / 1000, status })
}

const lines = existsSync(summaryFile)
  ? readFileSync(summaryFile, "utf8")
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => JSON.parse(line) as { bench: string; figure: string; value: string })
  : []
console.log(`\n━━━ summary ━━━`)
console.log(`machine: ${cpus().length} CPUs (${cpus()[0]?.model ?? "unknown"}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.version}, ${process.platform}/${process.arch}`)
console.table(lines.map(({ bench, figure, value }) => ({ bench, figure, value })))
console.table(timings.map(({ bench, seconds, status }) => ({ bench, "wall time": `${seconds.toFixed(0)} s`, status })))
console.log(`total ${((performance.now() - started) / 1000).toFixed(0)} s`)
process.exit(timings.every((timing) => timing.status === "ok") ? 0 : 1)
