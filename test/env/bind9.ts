// bind9 as an unprivileged `named -g` serving two test zones on a loopback
// port: every name in them resolves to 127.0.0.1, and TXT records may be
// changed by RFC 2136 updates signed with the zones' TSIG key. Zones of other
// servers (the webhook solver's) are forwarded to them; bind9 is also
// authoritative for the root zone, so nothing else leaves loopback.
import { execFileSync } from "node:child_process"
import { randomBytes } from "node:crypto"
import { chmodSync, chownSync, mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs"
import { Resolver } from "node:dns/promises"
import { join } from "node:path"
import { Effect, type Scope } from "effect"
import { binaries, requireBinary } from "./binaries.ts"
import type { ComponentError } from "./errors.ts"
import { freePort } from "./ports.ts"
import { startProcess, waitUntilReady, type RunningProcess } from "./process.ts"

export interface Tsig {
  readonly name: string
  readonly algorithm: "hmac-sha256"
  /** Base64, as in a bind key statement and a cert-manager TSIG Secret. */
  readonly secret: string
}

export interface DnsServer {
  readonly host: string
  readonly port: number
  readonly zone: string
  /** Another primary zone, updated with the same TSIG key (e.g. a CNAME delegation target). */
  readonly secondZone: string
  readonly tsig: Tsig
}

/** A zone bind9 answers by asking another DNS server on loopback. */
export interface ForwardZone {
  readonly zone: string
  readonly host: string
  readonly port: number
}

export interface Bind9 extends DnsServer {
  readonly process: RunningProcess
}

export interface Bind9Options {
  readonly dir: string
  readonly zone?: string
  readonly secondZone?: string
  readonly forwardZones?: ReadonlyArray<ForwardZone>
  readonly port?: number
  /** The TSIG key to accept updates signed with; a fresh random one unless given (e.g. to restart a server as it was). */
  readonly tsig?: Tsig
}

const zoneFile = (zone: string) =>
  [
    "$TTL 5",
    `@ IN SOA ns.${zone}. hostmaster.${zone}. ( 1 60 60 3600 5 )`,
    `@ IN NS ns.${zone}.`,
    "@ IN A 127.0.0.1",
    "* IN A 127.0.0.1",
    "",
  ].join("\n")

// The root zone delegates each forwarded zone (to a name nobody is asked:
// `forward only` sends the queries to the forwarder), and answers everything
// else with an authoritative NXDOMAIN instead of recursing to the internet.
const rootZoneFile = (forwardZones: ReadonlyArray<ForwardZone>) =>
  [
    "$TTL 5",
    ". IN SOA ns.root.test. hostmaster.root.test. ( 1 60 60 3600 5 )",
    ". IN NS ns.root.test.",
    "ns.root.test. IN A 127.0.0.1",
    ...forwardZones.flatMap(({ zone }) => [`${zone}. IN NS ns.${zone}.`, `ns.${zone}. IN A 127.0.0.1`]),
    "",
  ].join("\n")

const primaryZone = (dir: string, zone: string, tsig: Tsig) => `
zone "${zone}" {
  type primary;
  file "${dir}/${zone}.zone";
  allow-update { key "${tsig.name}"; };
};
`

// A forwarded answer is cached even with TTL 0 (negative ones too, SOA
// minimum 0) until the next second of named's clock: a change at the
// forwarder shows through bind9 within about a second, not at once.
const namedConf = (dir: string, port: number, zones: ReadonlyArray<string>, forwardZones: ReadonlyArray<ForwardZone>, tsig: Tsig) => `
options {
  directory "${dir}";
  pid-file "${dir}/named.pid";
  session-keyfile "${dir}/session.key";
  managed-keys-directory "${dir}";
  listen-on port ${port} { 127.0.0.1; };
  listen-on-v6 { none; };
  // Forwarding is recursion; the root zone below keeps it on loopback.
  recursion yes;
  allow-recursion { 127.0.0.0/8; };
  dnssec-validation no;
  allow-transfer { none; };
  notify no;
};
controls { };
key "${tsig.name}" {
  algorithm ${tsig.algorithm};
  secret "${tsig.secret}";
};
zone "." {
  type primary;
  file "${dir}/root.zone";
};
${zones.map((zone) => primaryZone(dir, zone, tsig)).join("")}${forwardZones
  .map(
    ({ zone, host, port: forwardPort }) => `
zone "${zone}" {
  type forward;
  forward only;
  forwarders { ${host} port ${forwardPort}; };
};
`,
  )
  .join("")}`

export const startBind9 = (options: Bind9Options): Effect.Effect<Bind9, ComponentError, Scope.Scope> =>
  Effect.gen(function* () {
    const command = yield* requireBinary("bind9", binaries.named)
    const zone = options.zone ?? "certops.test"
    const secondZone = options.secondZone ?? "delegated.test"
    const forwardZones = (options.forwardZones ?? []).map((forward) => ({ ...forward, zone: forward.zone.replace(/\.$/, "") }))
    const port = options.port ?? (yield* freePort)
    const dir = join(options.dir, "bind9")
    const tsig: Tsig = options.tsig ?? { name: "certops-tsig", algorithm: "hmac-sha256", secret: randomBytes(32).toString("base64") }
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, "named.conf"), namedConf(dir, port, [zone, secondZone], forwardZones, tsig), { mode: 0o640 })
    for (const name of [zone, secondZone]) writeFileSync(join(dir, `${name}.zone`), zoneFile(name))
    writeFileSync(join(dir, "root.zone"), rootZoneFile(forwardZones))
    // As root, named drops to the `bind` user, which must reach and own its
    // directory (dynamic updates write a journal next to the zone file).
    const asRoot = process.getuid?.() === 0
    if (asRoot) {
      const { uid, gid } = bindUser()
      chmodSync(options.dir, statSync(options.dir).mode | 0o011)
      for (const name of [".", ...readdirSync(dir)]) chownSync(join(dir, name), uid, gid)
    }
    const running = yield* startProcess({
      name: "bind9",
      command,
      logDir: options.dir,
      args: ["-g", "-4", "-c", join(dir, "named.conf"), ...(asRoot ? ["-u", "bind"] : [])],
    })
    const server: DnsServer = { host: "127.0.0.1", port, zone, secondZone, tsig }
    // Every zone loaded, the root too: without it bind9 would recurse to the internet.
    const ready = Effect.all([resolvesApex(server), resolvesApex({ ...server, zone: secondZone }), servesRoot(server)]).pipe(
      Effect.map((answers) => answers.every(Boolean)),
    )
    yield* waitUntilReady(running, ready, "30 seconds")
    return { ...server, process: running }
  })

const bindUser = () => ({
  uid: Number(execFileSync("id", ["-u", "bind"], { encoding: "utf8" })),
  gid: Number(execFileSync("id", ["-g", "bind"], { encoding: "utf8" })),
})

/** True once the server answers for the zone apex. */
export const resolvesApex = (server: DnsServer): Effect.Effect<boolean> =>
  Effect.promise(async () => {
    const resolver = new Resolver({ timeout: 500, tries: 1 })
    resolver.setServers([`${server.host}:${server.port}`])
    try {
      const addresses = await resolver.resolve4(server.zone)
      return addresses.includes("127.0.0.1")
    } catch {
      return false
    }
  })

/** True once the server answers for its own root zone. */
const servesRoot = (server: DnsServer): Effect.Effect<boolean> =>
  Effect.promise(async () => {
    const resolver = new Resolver({ timeout: 500, tries: 1 })
    resolver.setServers([`${server.host}:${server.port}`])
    try {
      return (await resolver.resolveSoa(".")).nsname === "ns.root.test"
    } catch {
      return false
    }
  })
