// Crash-safe file writes: a reader sees the old file or the new one, never a
// torn one, and a write that returned is on disk (temp file, fsync, rename,
// fsync of the directory).
import { mkdir, open, rename, rm, unlink } from "node:fs/promises"
import { basename, dirname, join } from "node:path"

let sequence = 0

export const tempPrefix = ".tmp-"

const syncDirectory = async (dir: string) => {
  const handle = await open(dir, "r")
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

export const writeFileAtomic = async (path: string, content: string | Uint8Array, mode = 0o644): Promise<void> => {
  const dir = dirname(path)
  await mkdir(dir, { recursive: true })
  const temp = join(dir, `${tempPrefix}${basename(path)}-${process.pid}-${sequence++}`)
  const handle = await open(temp, "w", mode)
  try {
    await handle.writeFile(content)
    await handle.sync()
  } finally {
    await handle.close()
  }
  await rename(temp, path)
  await syncDirectory(dir)
}

/** Removes a file (if there) and makes the removal durable. */
export const removeFileDurably = async (path: string): Promise<void> => {
  try {
    await unlink(path)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return
    throw error
  }
  await syncDirectory(dirname(path))
}

export const removeTreeDurably = async (path: string): Promise<void> => {
  await rm(path, { recursive: true, force: true })
  try {
    await syncDirectory(dirname(path))
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error
  }
}
