// Secret data is base64 on the wire; controllers read and write text.
import type { Secret } from "../../api/core.ts"

export const secretText = (secret: Secret | undefined, key: string): string | undefined => {
  const value = secret?.data?.[key]
  return value === undefined ? undefined : Buffer.from(value, "base64").toString("utf8")
}

export const encodeSecretData = (entries: Record<string, string | Uint8Array | undefined>): Record<string, string> =>
  Object.fromEntries(
    Object.entries(entries)
      .filter((entry): entry is [string, string | Uint8Array] => entry[1] !== undefined)
      .map(([key, value]) => [key, Buffer.from(value).toString("base64")]),
  )
