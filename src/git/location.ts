// Where a repository is: a smart-HTTP(S) URL, or a path on this host. Local
// repositories are read (and written) in place, without a copy.
import { fileURLToPath } from "node:url"
import { isAbsolute, resolve } from "node:path"
import { Effect } from "effect"
import { GitLocationInvalid } from "./errors.ts"

export type RepositoryLocation =
  | { readonly _tag: "Http"; readonly url: string }
  | { readonly _tag: "Local"; readonly path: string }

/** How a location appears in logs and errors; never carries credentials. */
export const describeLocation = (location: RepositoryLocation): string =>
  location._tag === "Http" ? location.url : location.path

/** Strips a userinfo part so that an error about a bad URL does not repeat its password. */
const withoutUserinfo = (text: string) => text.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, "$1***@")

export const parseLocation = (text: string): Effect.Effect<RepositoryLocation, GitLocationInvalid> =>
  Effect.suspend((): Effect.Effect<RepositoryLocation, GitLocationInvalid> => {
    const invalid = (detail: string) =>
      Effect.fail(new GitLocationInvalid({ location: withoutUserinfo(text), detail }))
    if (text.trim() === "") return invalid("empty location")
    if (/^https?:\/\//i.test(text)) {
      let url: URL
      try {
        url = new URL(text)
      } catch {
        return invalid("not a valid URL")
      }
      // Credentials in the URL would end up in logs, errors and .git/config;
      // they are passed separately, as Redacted values.
      if (url.username !== "" || url.password !== "") {
        return invalid("credentials in the URL are refused: pass them as a token or username/password")
      }
      return Effect.succeed({ _tag: "Http", url: url.href.replace(/\/+$/, "") })
    }
    if (/^file:\/\//i.test(text)) return Effect.succeed({ _tag: "Local", path: fileURLToPath(text) })
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text) || /^[^/]+@[^/:]+:/.test(text)) {
      return invalid("only http(s) URLs and local paths are supported")
    }
    return Effect.succeed({ _tag: "Local", path: isAbsolute(text) ? text : resolve(text) })
  })
