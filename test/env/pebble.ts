// Pebble, the ACME test server, over TLS with a throwaway CA. Its VA resolves
// names through the test bind9 and validates HTTP-01 on `httpPort`, the port
// certops' HTTP-01 solver listens on.
import { mkdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { Effect, type Scope } from "effect"
import { binaries, requireBinary } from "./binaries.ts"
import type { ComponentError } from "./errors.ts"
import { createAuthority, issueLeaf } from "./pki.ts"
import { freePorts } from "./ports.ts"
import { httpProbe } from "./probe.ts"
import { startProcess, waitUntilReady, type RunningProcess } from "./process.ts"

export interface AcmeServer {
  readonly directoryUrl: string
  /** Pebble's management API: /roots/0, /intermediates/0, … */
  readonly managementUrl: string
  /** The CA that signed pebble's own TLS certificate: hand it to ACME clients. */
  readonly tlsCaPem: string
  /** Where pebble's VA sends HTTP-01 validation requests, on 127.0.0.1. */
  readonly httpPort: number
}

export interface Pebble extends AcmeServer {
  readonly process: RunningProcess
}

export interface PebbleOptions {
  readonly dir: string
  readonly httpPort: number
  /** host:port of the DNS server pebble's VA resolves names with. */
  readonly dnsServer: string
  /** Percentage of valid nonces rejected as badNonce (pebble's own default is 5). */
  readonly nonceRejectPercent?: number
  /** Sleep at random before validations, as pebble does unless told not to. */
  readonly validationSleep?: boolean
  /** With validationSleep: the longest random sleep in seconds (pebble's PEBBLE_VA_SLEEPTIME, its own default 5). */
  readonly validationSleepSeconds?: number
  /** Percentage of valid authorizations pebble reuses for a new order (its own default is 50). */
  readonly authzReusePercent?: number
}

export const startPebble = (options: PebbleOptions): Effect.Effect<Pebble, ComponentError, Scope.Scope> =>
  Effect.gen(function* () {
    const command = yield* requireBinary("pebble", binaries.pebble)
    const [port, managementPort, tlsPort] = yield* freePorts(3)
    const dir = join(options.dir, "pebble")
    mkdirSync(dir, { recursive: true, mode: 0o700 })
    const ca = createAuthority("certops-test-pebble-tls-ca")
    const serving = issueLeaf(ca, { commonName: "pebble", dnsNames: ["localhost", "pebble"], ips: ["127.0.0.1"], usage: "server" })
    writeFileSync(join(dir, "cert.pem"), serving.certPem)
    writeFileSync(join(dir, "key.pem"), serving.keyPem, { mode: 0o600 })
    const config = {
      pebble: {
        listenAddress: `127.0.0.1:${port}`,
        managementListenAddress: `127.0.0.1:${managementPort}`,
        certificate: join(dir, "cert.pem"),
        privateKey: join(dir, "key.pem"),
        httpPort: options.httpPort,
        tlsPort,
        ocspResponderURL: "",
        externalAccountBindingRequired: false,
      },
    }
    writeFileSync(join(dir, "pebble-config.json"), JSON.stringify(config, null, 2))
    const env: Record<string, string> = {}
    if (options.validationSleep !== true) env["PEBBLE_VA_NOSLEEP"] = "1"
    if (options.validationSleep === true && options.validationSleepSeconds !== undefined) env["PEBBLE_VA_SLEEPTIME"] = String(options.validationSleepSeconds)
    if (options.nonceRejectPercent !== undefined) env["PEBBLE_WFE_NONCEREJECT"] = String(options.nonceRejectPercent)
    if (options.authzReusePercent !== undefined) env["PEBBLE_AUTHZREUSE"] = String(options.authzReusePercent)
    const running = yield* startProcess({
      name: "pebble",
      command,
      logDir: options.dir,
      env,
      args: ["-config", join(dir, "pebble-config.json"), "-dnsserver", options.dnsServer],
    })
    const directoryUrl = `https://127.0.0.1:${port}/dir`
    yield* waitUntilReady(running, httpProbe(directoryUrl, (status, body) => status === 200 && body.includes("newOrder"), { ca: ca.certPem }))
    return {
      directoryUrl,
      managementUrl: `https://127.0.0.1:${managementPort}`,
      tlsCaPem: ca.certPem,
      httpPort: options.httpPort,
      process: running,
    }
  })
