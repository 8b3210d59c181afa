// Field paths as src/api/decode.ts prints them (`spec.dnsNames[1]`,
// `metadata.labels["app.kubernetes.io/name"]`), read back into segments so
// that a problem can be traced to its line in the YAML source.

export type PathSegment = string | number

// One segment: `.name` (or `name` at the start), `[3]`, or `["quoted key"]`.
const segment = /^(?:\.?([A-Za-z_$][\w$]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\])/

/** The segments of a printed path; stops at anything it cannot read, keeping what it has. */
export const parseFieldPath = (path: string): ReadonlyArray<PathSegment> => {
  const segments: Array<PathSegment> = []
  let rest = path
  while (rest !== "") {
    const match = segment.exec(rest)
    if (match === null) break
    const [whole, name, index, quoted] = match
    if (name !== undefined) segments.push(name)
    else if (index !== undefined) segments.push(Number(index))
    else if (quoted !== undefined) segments.push(JSON.parse(quoted) as string)
    rest = rest.slice(whole.length)
  }
  return segments
}
