// Shared helpers for the benchmarks: timing, resource figures, apiserver
// request counts from its /metrics, and a results file the runner summarises.
import { appendFileSync } from "node:fs"
import { request } from "node:https"
import { cpus } from "node:os"
import type { KubeConnection } from "../env/kube-apiserver.ts"

/** The raw acme-client loop at its best concurrency: the protocol's own cost. */
export interface FloorFigures {
  readonly rate: number
  readonly cpuPerCert: number
  readonly acmePerCert: number
}

/** What one controller run under measurement gives: Ready count, time, requests per certificate, its CPU and peak RSS. */
export interface ControllerRun {
  readonly ready: number
  readonly seconds: number
  readonly rate: number
  readonly apiPerCert: number
  readonly acmePerCert: number
  readonly cpuSeconds: number
  readonly peakRss: number
}

export const machine = () => `${cpus().length} CPUs (${cpus()[0]?.model ?? "unknown"}), Node ${process.version}`

export const median = (values: ReadonlyArray<number>) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN

export const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`

/** Peak RSS of this process so far (resourceUsage's maxRSS is in KiB). */
export const peakRss = () => process.resourceUsage().maxRSS * 1024

/** CPU seconds (user + system) spent between two process.cpuUsage() readings. */
export const cpuSecondsSince = (start: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(start)
  return (used.user + used.system) / 1e6
}

/** One line of the final summary: appended to the file named by CERTOPS_BENCH_SUMMARY, when the runner sets it. */
export const summary = (bench: string, figure: string, value: string) => {
  const file = process.env["CERTOPS_BENCH_SUMMARY"]
  if (file !== undefined) appendFileSync(file, `${JSON.stringify({ bench, figure, value })}\n`)
}

/** apiserver_request_total samples of an exposition, summed by what `keyOf` makes of each line. */
const requestsBy = (body: string, keyOf: (line: string) => string) => {
  const sums = new Map<string, number>()
  for (const line of body.split("\n")) {
    if (!line.startsWith("apiserver_request_total{")) continue
    const key = keyOf(line)
    sums.set(key, (sums.get(key) ?? 0) + Number(line.slice(line.lastIndexOf(" ") + 1)))
  }
  return sums
}

/** The apiserver's /metrics, read with the admin client certificate. */
const apiserverMetrics = (kube: KubeConnection): Promise<string> =>
  new Promise((resolve, reject) => {
    const url = new URL("/metrics", kube.server)
    const req = request(
      { host: url.hostname, port: url.port, path: url.pathname, method: "GET", ca: kube.caPem, cert: kube.admin.certPem, key: kube.admin.keyPem },
      (response) => {
        let body = ""
        response.setEncoding("utf8")
        response.on("data", (chunk: string) => (body += chunk))
        response.on("end", () => resolve(body))
      },
    )
    req.on("error", reject)
    req.end()
  })

/** apiserver_request_total from the apiserver's /metrics, summed by verb. */
export const apiserverRequests = async (kube: KubeConnection): Promise<Map<string, number>> =>
  requestsBy(await apiserverMetrics(kube), (line) => /verb="([^"]*)"/.exec(line)?.[1] ?? "?")

/** apiserver_request_total summed by "VERB resource[/subresource]". */
export const apiserverRequestsByResource = async (kube: KubeConnection): Promise<Map<string, number>> =>
  requestsBy(await apiserverMetrics(kube), (line) => {
    const verb = /verb="([^"]*)"/.exec(line)?.[1] ?? "?"
    const resource = /resource="([^"]*)"/.exec(line)?.[1] ?? "?"
    const subresource = /subresource="([^"]*)"/.exec(line)?.[1] ?? ""
    return `${verb} ${resource}${subresource === "" ? "" : `/${subresource}`}`
  })

export const requestDelta = (before: Map<string, number>, after: Map<string, number>) => {
  const delta = new Map<string, number>()
  for (const [verb, value] of after) {
    const difference = value - (before.get(verb) ?? 0)
    if (difference > 0) delta.set(verb, difference)
  }
  return delta
}

export const total = (counts: Map<string, number>) => [...counts.values()].reduce((sum, value) => sum + value, 0)
