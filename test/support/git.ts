// Bare repositories on the test Git server, created with Git itself.
import { execFileSync } from "node:child_process"
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"

const gitEnv = {
  ...process.env,
  GIT_AUTHOR_NAME: "certops test",
  GIT_AUTHOR_EMAIL: "test@certops.invalid",
  GIT_COMMITTER_NAME: "certops test",
  GIT_COMMITTER_EMAIL: "test@certops.invalid",
}

const run = (cwd: string, ...args: ReadonlyArray<string>) =>
  execFileSync("git", args, { cwd, env: gitEnv, encoding: "utf8" }).trim()

/**
 * Creates `<root>/<name>.git` with one commit on `main` holding `files`
 * (path → content), and returns its path.
 */
export const createBareRepository = (root: string, name: string, files: Record<string, string>): string => {
  const bare = join(root, `${name}.git`)
  run(root, "init", "--quiet", "--bare", "--initial-branch=main", bare)
  run(bare, "config", "http.receivepack", "true")
  const work = mkdtempSync(join(tmpdir(), "certops-seed-"))
  run(work, "init", "--quiet", "--initial-branch=main")
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(work, path)), { recursive: true })
    writeFileSync(join(work, path), content)
  }
  run(work, "add", "--all")
  run(work, "commit", "--quiet", "-m", "seed")
  run(work, "push", "--quiet", bare, "main")
  rmSync(work, { recursive: true, force: true })
  return bare
}
