// kill -9 in the middle of a write loop loses no acknowledged write and
// leaves no torn file, however often it happens.
import { spawn } from "node:child_process"
import { mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { createInterface } from "node:readline"
import { describe, expect, it } from "vitest"
import { loadState } from "../../../src/store/embedded/embedded-store.ts"

const writer = join(import.meta.dirname, "../../support/embedded-writer.ts")

/** Runs the writer until it has acknowledged `writes` more writes, then kills it with SIGKILL. */
const runAndKill = (stateDir: string, writes: number): Promise<number> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [writer, stateDir], { stdio: ["ignore", "pipe", "pipe"] })
    let acknowledged = 0
    let last = -1
    let stderr = ""
    child.stderr.on("data", (chunk) => (stderr += chunk))
    createInterface({ input: child.stdout }).on("line", (line) => {
      last = Number(line.replace("acked ", ""))
      if (++acknowledged === writes) child.kill("SIGKILL")
    })
    child.on("exit", (_code, signal) =>
      signal === "SIGKILL" ? resolve(last) : reject(new Error(`writer ended without being killed: ${stderr}`)),
    )
  })

describe("embedded store under kill -9", () => {
  it("keeps every acknowledged write and no torn file across 6 crashes", async () => {
    const stateDir = mkdtempSync(join(tmpdir(), "certops-crash-"))
    let lastAcknowledged = -1
    for (let crash = 0; crash < 6; crash++) {
      // A different point of the write loop each time.
      lastAcknowledged = await runAndKill(stateDir, 5 + Math.floor(Math.random() * 40))
    }
    const state = await loadState(stateDir)
    expect(state.quarantined).toEqual([])
    const names = new Set(state.objects.filter((entry) => entry.resource.kind === "Certificate").map((entry) => entry.object.metadata.name))
    for (let index = 0; index <= lastAcknowledged; index++) expect(names.has(`c-${index}`)).toBe(true)

    const rolling = state.objects.find((entry) => entry.object.metadata.name === "rolling")?.object as unknown as { data: Record<string, string> }
    const written = Number(Buffer.from(rolling.data["tls.crt"]!, "base64").toString().replace("certificate ", ""))
    expect(written).toBeGreaterThanOrEqual(lastAcknowledged)
    const versions = state.objects.map((entry) => Number(entry.object.metadata.resourceVersion))
    expect(new Set(versions).size).toBe(versions.length)
    // The file copy is written before the write is acknowledged, so it holds at least that write.
    const onDisk = readFileSync(join(stateDir, "secrets", "crash", "rolling", "tls.crt"), "utf8")
    expect(Number(onDisk.replace("certificate ", ""))).toBeGreaterThanOrEqual(lastAcknowledged)
  }, 120_000)
})
