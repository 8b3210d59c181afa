// Repositories on disk for unit tests: bare ones to push to, working ones to commit in.
import { execFileSync } from "node:child_process"
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"

export const git = (gitdir: string, ...args: ReadonlyArray<string>): string =>
  execFileSync("git", ["-C", gitdir, ...args], { encoding: "utf8" }).trim()

export const bareRepository = (): string => {
  const dir = join(mkdtempSync(join(tmpdir(), "certops-unit-")), "repo.git")
  execFileSync("git", ["init", "--quiet", "--bare", "--initial-branch=main", dir])
  return dir
}

export const stateDirectory = (): string => mkdtempSync(join(tmpdir(), "certops-state-"))

/** Loose objects written so far. */
export const looseObjects = (gitdir: string): ReadonlyArray<string> =>
  readdirSync(join(gitdir, "objects"))
    .filter((dir) => /^[0-9a-f]{2}$/.test(dir))
    .flatMap((dir) => readdirSync(join(gitdir, "objects", dir)).map((file) => dir + file))

export const branchExists = (gitdir: string, branch: string): boolean => {
  try {
    git(gitdir, "rev-parse", "--verify", "--quiet", `refs/heads/${branch}`)
    return true
  } catch {
    return false
  }
}

const person = ["-c", "user.name=A Person", "-c", "user.email=person@example.test"]

/** A working repository with one commit holding `files`; returns its path. */
export const workingRepository = (files: Record<string, string>): string => {
  const dir = mkdtempSync(join(tmpdir(), "certops-work-"))
  execFileSync("git", ["init", "--quiet", "--initial-branch=main", dir])
  return commitFiles(dir, files, "seed").dir
}

/** Writes (string) or removes (null) files, commits everything, returns the commit. */
export const commitFiles = (dir: string, files: Record<string, string | null>, message: string): { dir: string; commit: string } => {
  for (const [path, content] of Object.entries(files)) {
    rmSync(join(dir, path), { recursive: true, force: true })
    if (content === null) continue
    mkdirSync(dirname(join(dir, path)), { recursive: true })
    writeFileSync(join(dir, path), content)
  }
  execFileSync("git", ["-C", dir, "add", "--all"])
  execFileSync("git", ["-C", dir, ...person, "commit", "--quiet", "--allow-empty", "-m", message])
  return { dir, commit: git(dir, "rev-parse", "HEAD") }
}
