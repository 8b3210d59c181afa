// Which part of a repository certops reads: the intent directory (and any
// other directory the daemon needs, such as the repository's own policies),
// minus ignored subtrees (such as a status directory kept on the same branch).
export interface PathScope {
  /** Repository-relative, no leading or trailing slash; "" is the whole repository. */
  readonly directories: ReadonlyArray<string>
  readonly ignore: ReadonlyArray<string>
}

/** `./a//b/` → `a/b`. */
export const normalizePath = (path: string): string =>
  path
    .split("/")
    .filter((segment) => segment !== "" && segment !== ".")
    .join("/")

export const pathScope = (directories: string | ReadonlyArray<string>, ignore: ReadonlyArray<string> = []): PathScope => ({
  directories: (typeof directories === "string" ? [directories] : directories).map(normalizePath),
  ignore: ignore.map(normalizePath).filter((path) => path !== ""),
})

/** `path` is `ancestor` or below it. */
const isWithin = (path: string, ancestor: string) =>
  ancestor === "" || path === ancestor || path.startsWith(`${ancestor}/`)

const isIgnored = (scope: PathScope, path: string) => scope.ignore.some((ignored) => isWithin(path, ignored))

/** A file at `path` belongs to the scope. */
export const inScope = (scope: PathScope, path: string): boolean =>
  scope.directories.some((directory) => isWithin(path, directory)) && !isIgnored(scope, path)

/** A walk must enter directory `path` to reach files of the scope. */
export const mayContain = (scope: PathScope, path: string): boolean =>
  path === "" || scope.directories.some((directory) => isWithin(directory, path)) || inScope(scope, path)
