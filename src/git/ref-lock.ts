// Moving a branch of a repository on this host safely against other writers,
// git included: the same protocol git uses (an exclusive `<ref>.lock` file,
// compare with the current value, rename over the ref).
import { mkdir, open, rename, unlink } from "node:fs/promises"
import { dirname, join } from "node:path"
import { fs, git } from "./attempt.ts"

export type SwapOutcome = "swapped" | "moved" | "locked"

const currentValue = async (gitdir: string, ref: string): Promise<string | undefined> => {
  try {
    return await git.resolveRef({ fs, gitdir, ref })
  } catch (error) {
    if ((error as { code?: unknown }).code === "NotFoundError") return undefined
    throw error
  }
}

/**
 * Sets `ref` to `next` if it is at `expected` (undefined: absent). "moved"
 * when it is not; "locked" while another writer holds the lock.
 */
export const compareAndSwapRef = async (
  gitdir: string,
  ref: string,
  expected: string | undefined,
  next: string,
): Promise<SwapOutcome> => {
  const path = join(gitdir, ref)
  const lock = `${path}.lock`
  await mkdir(dirname(path), { recursive: true })
  let handle
  try {
    handle = await open(lock, "wx")
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return "locked"
    throw error
  }
  let renamed = false
  try {
    if ((await currentValue(gitdir, ref)) !== expected) return "moved"
    await handle.writeFile(`${next}\n`)
    await handle.sync()
    await handle.close()
    await rename(lock, path)
    renamed = true
    return "swapped"
  } finally {
    if (!renamed) {
      await handle.close().catch(() => undefined)
      await unlink(lock).catch(() => undefined)
    }
  }
}
