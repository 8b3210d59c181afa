// The Prometheus text exposition format, version 0.0.4: what every
// Prometheus server and agent scrapes. Families are plain data so that each
// metric source can be a pure function of what it reads; this file only
// writes them out.
// https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format

export const exposition = {
  contentType: "text/plain; version=0.0.4; charset=utf-8",
} as const

export type Labels = Readonly<Record<string, string>>

export interface Sample {
  readonly labels: Labels
  readonly value: number
}

export interface ScalarFamily {
  readonly type: "counter" | "gauge"
  /** For a counter, the full sample name, `_total` included (as 0.0.4 writes it). */
  readonly name: string
  readonly help: string
  readonly samples: ReadonlyArray<Sample>
}

export interface HistogramSeries {
  readonly labels: Labels
  /** Finite upper bounds, ascending, each with the count of observations ≤ it; `+Inf` is added from `count`. */
  readonly buckets: ReadonlyArray<{ readonly le: number; readonly cumulativeCount: number }>
  readonly sum: number
  readonly count: number
}

export interface HistogramFamily {
  readonly type: "histogram"
  readonly name: string
  readonly help: string
  readonly series: ReadonlyArray<HistogramSeries>
}

export type MetricFamily = ScalarFamily | HistogramFamily

/** HELP text: only backslash and line feed are escaped. */
export const escapeHelp = (text: string): string => text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n")

/** Label values: backslash, double quote and line feed are escaped. */
export const escapeLabelValue = (value: string): string => value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")

/** Go's spelling of the special floats, which is what Prometheus parses. */
export const formatValue = (value: number): string => {
  if (Number.isNaN(value)) return "NaN"
  if (value === Number.POSITIVE_INFINITY) return "+Inf"
  if (value === Number.NEGATIVE_INFINITY) return "-Inf"
  return String(value)
}

const formatLabels = (labels: Labels): string => {
  const pairs = Object.entries(labels).map(([name, value]) => `${name}="${escapeLabelValue(value)}"`)
  return pairs.length === 0 ? "" : `{${pairs.join(",")}}`
}

const sampleLine = (name: string, labels: Labels, value: number) => `${name}${formatLabels(labels)} ${formatValue(value)}`

const sampleLines = (family: MetricFamily): ReadonlyArray<string> => {
  if (family.type !== "histogram") return family.samples.map((sample) => sampleLine(family.name, sample.labels, sample.value))
  return family.series.flatMap((series) => [
    ...series.buckets.map((bucket) => sampleLine(`${family.name}_bucket`, { ...series.labels, le: formatValue(bucket.le) }, bucket.cumulativeCount)),
    sampleLine(`${family.name}_bucket`, { ...series.labels, le: "+Inf" }, series.count),
    sampleLine(`${family.name}_sum`, series.labels, series.sum),
    sampleLine(`${family.name}_count`, series.labels, series.count),
  ])
}

/**
 * The exposition of `families`, in the order given. A family with no
 * samples is left out, as client libraries do: an absent series is how
 * Prometheus says "nothing to report" (`absent()` alerts on it).
 */
export const renderExposition = (families: ReadonlyArray<MetricFamily>): string =>
  families
    .map((family) => ({ family, lines: sampleLines(family) }))
    .filter(({ lines }) => lines.length > 0)
    .map(({ family, lines }) => [`# HELP ${family.name} ${escapeHelp(family.help)}`, `# TYPE ${family.name} ${family.type}`, ...lines].join("\n") + "\n")
    .join("")
