// A working clone of a test repository, to commit and push as a user would.
import { execFileSync } from "node:child_process"
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"

const gitEnv = {
  ...process.env,
  GIT_AUTHOR_NAME: "platform engineer",
  GIT_AUTHOR_EMAIL: "engineer@certops.invalid",
  GIT_COMMITTER_NAME: "platform engineer",
  GIT_COMMITTER_EMAIL: "engineer@certops.invalid",
}

export interface WorkClone {
  readonly write: (path: string, content: string) => void
  readonly remove: (path: string) => void
  /** Commits everything and pushes `branch`; returns the commit. */
  readonly commitAndPush: (message: string, branch?: string) => string
  readonly git: (...args: ReadonlyArray<string>) => string
}

export const workClone = (barePath: string): WorkClone => {
  const dir = mkdtempSync(join(tmpdir(), "certops-work-"))
  const git = (...args: ReadonlyArray<string>) => execFileSync("git", args, { cwd: dir, env: gitEnv, encoding: "utf8" }).trim()
  git("clone", "--quiet", barePath, ".")
  return {
    git,
    write: (path, content) => {
      mkdirSync(dirname(join(dir, path)), { recursive: true })
      writeFileSync(join(dir, path), content)
    },
    remove: (path) => rmSync(join(dir, path), { force: true }),
    commitAndPush: (message, branch = "main") => {
      git("add", "--all")
      git("commit", "--quiet", "-m", message)
      git("push", "--quiet", "origin", `HEAD:${branch}`)
      return git("rev-parse", "HEAD")
    },
  }
}
