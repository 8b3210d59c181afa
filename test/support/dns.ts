// RFC 2136 updates with Debian's nsupdate, and queries with node's resolver,
// against the test bind9. (certops signs its own updates; tests use nsupdate
// as the independent reference.)
import { execFile } from "node:child_process"
import { Resolver } from "node:dns/promises"
import type { DnsServer, Tsig } from "../env/bind9.ts"

export interface NsupdateResult {
  readonly ok: boolean
  readonly output: string
}

export const nsupdate = (server: DnsServer, commands: ReadonlyArray<string>, tsig: Tsig = server.tsig): Promise<NsupdateResult> =>
  new Promise((resolve) => {
    const child = execFile(
      "nsupdate",
      ["-y", `${tsig.algorithm}:${tsig.name}:${tsig.secret}`],
      { timeout: 10_000 },
      (error, stdout, stderr) => resolve({ ok: error === null, output: `${stdout}${stderr}` }),
    )
    child.stdin?.end([`server ${server.host} ${server.port}`, `zone ${server.zone}`, ...commands, "send", ""].join("\n"))
  })

export const setTxt = (server: DnsServer, name: string, value: string, tsig?: Tsig) =>
  nsupdate(server, [`update add ${name}. 5 TXT "${value}"`], tsig)

export const deleteTxt = (server: DnsServer, name: string, value?: string, tsig?: Tsig) =>
  nsupdate(server, [`update delete ${name}. TXT${value === undefined ? "" : ` "${value}"`}`], tsig)

/** TXT values at a name, or [] when there are none. */
export const queryTxt = async (server: DnsServer, name: string): Promise<ReadonlyArray<string>> => {
  const resolver = new Resolver({ timeout: 1_000, tries: 2 })
  resolver.setServers([`${server.host}:${server.port}`])
  try {
    return (await resolver.resolveTxt(name)).map((chunks) => chunks.join(""))
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENODATA" || (error as NodeJS.ErrnoException).code === "ENOTFOUND") return []
    throw error
  }
}
