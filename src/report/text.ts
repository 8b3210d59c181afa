// Small text helpers shared by the summary table and commit messages.

/** Shortened so a line stays readable; the full value is in the report file. */
export const truncate = (text: string, max = 100): string => {
  const flat = text.replace(/\s+/g, " ").trim()
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`
}

export const shortCommit = (oid: string): string => oid.slice(0, 7)

export const shortSerial = (serial: string): string => (serial.length <= 8 ? serial : `${serial.slice(0, 8)}…`)

const parse = (time: string) => {
  const date = new Date(time)
  return Number.isNaN(date.getTime()) ? undefined : date
}

/** `2027-02-20`; an unparsable time is shown as written. */
export const day = (time: string): string => parse(time)?.toISOString().slice(0, 10) ?? time

/** `2027-02-20 12:00 UTC`; an unparsable time is shown as written. */
export const minute = (time: string): string => {
  const date = parse(time)
  return date === undefined ? time : `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`
}

export const plural = (count: number, noun: string): string => `${count} ${noun}${count === 1 ? "" : "s"}`
