// The other side of the tests: people and tools pushing with Git itself.
import { execFileSync } from "node:child_process"
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import type { GitServer } from "../../env/git-server.ts"

export interface Author {
  readonly name: string
  readonly email: string
}

const person: Author = { name: "A Person", email: "person@example.test" }

export const git = (cwd: string, args: ReadonlyArray<string>, author: Author = person): string =>
  execFileSync("git", args, {
    cwd,
    encoding: "utf8",
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: author.name,
      GIT_AUTHOR_EMAIL: author.email,
      GIT_COMMITTER_NAME: author.name,
      GIT_COMMITTER_EMAIL: author.email,
      GIT_TERMINAL_PROMPT: "0",
    },
  }).trim()

/** The URL the git CLI pushes to, credentials included (tests only). */
export const cliUrl = (server: GitServer, name: string): string => {
  const url = new URL(`${server.url}/${name}.git`)
  url.username = server.username
  url.password = server.password
  return url.href
}

/** A working clone of one branch. */
export const workingClone = (url: string, branch = "main"): string => {
  const dir = mkdtempSync(join(tmpdir(), "certops-work-"))
  git(dir, ["clone", "--quiet", "--branch", branch, url, "."])
  return dir
}

export type FileChange = string | { readonly symlink: string } | null

/** Writes (string), links ({ symlink }) or removes (null) files, commits them all, and returns the commit. */
export const commit = (work: string, files: Record<string, FileChange>, message: string, author?: Author): string => {
  for (const [path, change] of Object.entries(files)) {
    const full = join(work, path)
    rmSync(full, { force: true })
    if (change === null) continue
    mkdirSync(dirname(full), { recursive: true })
    if (typeof change === "string") writeFileSync(full, change)
    else symlinkSync(change.symlink, full)
  }
  git(work, ["add", "--all"], author)
  git(work, ["commit", "--quiet", "--allow-empty", "-m", message], author)
  return git(work, ["rev-parse", "HEAD"])
}

export const push = (work: string, branch = "main"): void => {
  git(work, ["push", "--quiet", "origin", `HEAD:${branch}`])
}
