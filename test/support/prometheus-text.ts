// A strict parser of the Prometheus text format 0.0.4, for tests: it rejects
// what Prometheus' own parser rejects and what the format document forbids
// but lenient parsers let through (bad escapes, split or repeated families,
// TYPE after samples, duplicate series, non-cumulative histogram buckets, a
// missing +Inf bucket or final line feed).
// Why not the npm package parse-prometheus-text-format: it accepts all of
// those, ships no types, and adding it would mean a dependency for tests only.
// https://prometheus.io/docs/instrumenting/exposition_formats/#text-format-details

export interface ParsedSample {
  readonly name: string
  readonly labels: Readonly<Record<string, string>>
  readonly value: number
}

export interface ParsedFamily {
  readonly name: string
  readonly type: "counter" | "gauge" | "histogram" | "summary" | "untyped"
  readonly help?: string
  readonly samples: ReadonlyArray<ParsedSample>
}

export class ExpositionError extends Error {}

const metricName = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/
const labelName = /^[a-zA-Z_][a-zA-Z0-9_]*$/
const floatText = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/
const types = new Set(["counter", "gauge", "histogram", "summary", "untyped"])

const parseFloatStrict = (text: string, where: string): number => {
  if (text === "NaN") return Number.NaN
  if (text === "+Inf" || text === "Inf") return Number.POSITIVE_INFINITY
  if (text === "-Inf") return Number.NEGATIVE_INFINITY
  if (!floatText.test(text)) throw new ExpositionError(`${where}: "${text}" is not a float`)
  return Number(text)
}

const unescape = (text: string, allowed: string, where: string): string =>
  text.replace(/\\(.?)/gs, (_, next: string) => {
    if (!allowed.includes(next)) throw new ExpositionError(`${where}: invalid escape "\\${next}"`)
    return next === "n" ? "\n" : next
  })

/** `{a="x",b="y"}` from position `start` (at the brace): the labels and the position after `}`. */
const parseLabels = (line: string, start: number, where: string): { labels: Record<string, string>; end: number } => {
  const labels: Record<string, string> = {}
  let at = start + 1
  if (line[at] === "}") return { labels, end: at + 1 }
  for (;;) {
    const eq = line.indexOf("=", at)
    if (eq === -1) throw new ExpositionError(`${where}: label without "="`)
    const name = line.slice(at, eq)
    if (!labelName.test(name) || name.startsWith("__")) throw new ExpositionError(`${where}: invalid label name "${name}"`)
    if (name in labels) throw new ExpositionError(`${where}: label "${name}" repeated`)
    if (line[eq + 1] !== '"') throw new ExpositionError(`${where}: label value of "${name}" is not quoted`)
    let close = eq + 2
    while (close < line.length && line[close] !== '"') close += line[close] === "\\" ? 2 : 1
    if (close >= line.length) throw new ExpositionError(`${where}: unterminated label value`)
    labels[name] = unescape(line.slice(eq + 2, close), '\\"n', where)
    at = close + 1
    if (line[at] === "}") return { labels, end: at + 1 }
    if (line[at] !== ",") throw new ExpositionError(`${where}: expected "," or "}" after a label`)
    at++
  }
}

const seriesKey = (name: string, labels: Readonly<Record<string, string>>) =>
  `${name}${JSON.stringify(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)))}`

const checkHistogram = (family: ParsedFamily) => {
  const groups = new Map<string, { buckets: Array<[number, number]>; sum?: number; count?: number }>()
  for (const sample of family.samples) {
    const { le, ...rest } = sample.labels
    const group = groups.get(seriesKey("", rest)) ?? { buckets: [] }
    groups.set(seriesKey("", rest), group)
    if (sample.name === `${family.name}_bucket`) {
      if (le === undefined) throw new ExpositionError(`${family.name}: bucket without "le"`)
      group.buckets.push([parseFloatStrict(le, family.name), sample.value])
    } else if (sample.name === `${family.name}_sum`) group.sum = sample.value
    else if (sample.name === `${family.name}_count`) group.count = sample.value
  }
  for (const [key, group] of groups) {
    const where = `${family.name}${key}`
    if (group.sum === undefined || group.count === undefined) throw new ExpositionError(`${where}: _sum or _count missing`)
    for (let index = 1; index < group.buckets.length; index++) {
      const [previousBound, previousCount] = group.buckets[index - 1]!
      const [bound, count] = group.buckets[index]!
      if (bound <= previousBound) throw new ExpositionError(`${where}: buckets not in ascending order of le`)
      if (count < previousCount) throw new ExpositionError(`${where}: bucket counts are not cumulative`)
    }
    const last = group.buckets.at(-1)
    if (last === undefined || last[0] !== Number.POSITIVE_INFINITY) throw new ExpositionError(`${where}: no +Inf bucket`)
    if (last[1] !== group.count) throw new ExpositionError(`${where}: +Inf bucket (${last[1]}) differs from _count (${group.count})`)
  }
}

/** The families of an exposition, by name; throws ExpositionError on anything malformed. */
export const parseExposition = (text: string): ReadonlyMap<string, ParsedFamily> => {
  if (text !== "" && !text.endsWith("\n")) throw new ExpositionError("the last line does not end with a line feed")
  const families = new Map<string, { name: string; type: ParsedFamily["type"]; help?: string; samples: Array<ParsedSample>; typed: boolean }>()
  const finished = new Set<string>()
  const series = new Set<string>()
  let current: string | undefined

  const enter = (name: string, where: string) => {
    if (current !== name) {
      if (finished.has(name)) throw new ExpositionError(`${where}: the lines of ${name} are not one group`)
      if (current !== undefined) finished.add(current)
      current = name
    }
    let family = families.get(name)
    if (family === undefined) {
      family = { name, type: "untyped", samples: [], typed: false }
      families.set(name, family)
    }
    return family
  }

  /** Which family a sample belongs to: a histogram or summary claims its suffixed series. */
  const familyOf = (sample: string) => {
    for (const [suffixes, kinds] of [[["_bucket", "_sum", "_count"], ["histogram"]], [["_sum", "_count"], ["summary"]]] as const) {
      for (const suffix of suffixes) {
        const base = sample.slice(0, -suffix.length)
        if (sample.endsWith(suffix) && (kinds as ReadonlyArray<string>).includes(families.get(base)?.type ?? "")) return base
      }
    }
    return sample
  }

  text.split("\n").slice(0, -1).forEach((line, index) => {
    const where = `line ${index + 1}`
    if (line.trim() === "") return
    if (line.startsWith("#")) {
      const [, keyword, name, ...rest] = line.split(" ")
      if (keyword !== "HELP" && keyword !== "TYPE") return
      if (name === undefined || !metricName.test(name)) throw new ExpositionError(`${where}: invalid metric name in ${keyword}`)
      const family = enter(name, where)
      if (family.samples.length > 0) throw new ExpositionError(`${where}: ${keyword} for ${name} after its samples`)
      if (keyword === "HELP") {
        if (family.help !== undefined) throw new ExpositionError(`${where}: second HELP for ${name}`)
        family.help = unescape(rest.join(" "), "\\n", where)
      } else {
        const type = rest.join(" ")
        if (family.typed) throw new ExpositionError(`${where}: second TYPE for ${name}`)
        if (!types.has(type)) throw new ExpositionError(`${where}: unknown type "${type}"`)
        family.type = type as ParsedFamily["type"]
        family.typed = true
      }
      return
    }
    const nameEnd = line.search(/[{ ]/)
    const name = nameEnd === -1 ? line : line.slice(0, nameEnd)
    if (!metricName.test(name)) throw new ExpositionError(`${where}: invalid metric name "${name}"`)
    const { labels, end } = line[nameEnd] === "{" ? parseLabels(line, nameEnd, where) : { labels: {}, end: nameEnd }
    if (line[end] !== " ") throw new ExpositionError(`${where}: no space before the value`)
    const fields = line.slice(end + 1).split(" ")
    if (fields.length < 1 || fields.length > 2 || fields.some((field) => field === "")) throw new ExpositionError(`${where}: expected "value [timestamp]"`)
    const value = parseFloatStrict(fields[0]!, where)
    if (fields[1] !== undefined && !/^-?\d+$/.test(fields[1])) throw new ExpositionError(`${where}: timestamp "${fields[1]}" is not an integer`)
    const family = enter(familyOf(name), where)
    if (family.type === "counter" && !(value >= 0)) throw new ExpositionError(`${where}: counter ${name} is ${value}`)
    const key = seriesKey(name, labels)
    if (series.has(key)) throw new ExpositionError(`${where}: series ${name}${JSON.stringify(labels)} repeated`)
    series.add(key)
    family.samples.push({ name, labels, value })
  })

  const parsed = new Map<string, ParsedFamily>()
  for (const { typed: _typed, ...family } of families.values()) {
    if (family.type === "histogram") checkHistogram(family)
    parsed.set(family.name, family)
  }
  return parsed
}

/** The value of the one sample named `name` whose labels are exactly `labels`; undefined if there is none. */
export const sampleValue = (families: ReadonlyMap<string, ParsedFamily>, name: string, labels: Readonly<Record<string, string>> = {}): number | undefined => {
  const wanted = seriesKey(name, labels)
  for (const family of families.values()) {
    for (const sample of family.samples) if (seriesKey(sample.name, sample.labels) === wanted) return sample.value
  }
  return undefined
}

/** The samples named `name` that carry every label in `labels` (others may differ). */
export const samplesWith = (families: ReadonlyMap<string, ParsedFamily>, name: string, labels: Readonly<Record<string, string>> = {}): ReadonlyArray<ParsedSample> =>
  [...families.values()].flatMap((family) =>
    family.samples.filter((sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value)),
  )
