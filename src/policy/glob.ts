// The globs policies are written with: `*` matches any run of characters
// (dots included, so `*.example.com` covers every subdomain at any depth),
// everything else is literal. No `?` or character classes: a policy should
// read the same to everyone who reviews it.

const escape = (text: string) => text.replace(/[.+?^${}()|[\]\\]/g, "\\$&")

const toRegExp = (pattern: string, flags: string) => new RegExp(`^${pattern.split("*").map(escape).join(".*")}$`, flags)

/** Namespaces, issuer names and kinds: exact case. */
export const matchesGlob = (pattern: string, text: string): boolean => toRegExp(pattern, "").test(text)

/** DNS names compare without case, as DNS does. */
export const matchesDnsGlob = (pattern: string, name: string): boolean => toRegExp(pattern, "i").test(name)

export const matchesAny = (patterns: ReadonlyArray<string>, text: string, match = matchesGlob): boolean =>
  patterns.some((pattern) => match(pattern, text))
