// The first run with nothing configured: certops copies the bundled example
// repository (issuers and certificates) into a local Git repository under its
// state directory and tracks that, so a newcomer sees certificates and status
// commits within seconds, with no cluster and no network. One flag,
// --acme-server, adds the examples' ACME issuer pointed at that directory
// (pebble, or a real ACME server), with --acme-ca-file for a private CA.
import * as fs from "node:fs"
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs"
import { join, relative } from "node:path"
import { fileURLToPath } from "node:url"
import { randomBytes } from "node:crypto"
import git from "isomorphic-git"
import { Console, Effect } from "effect"
import { Secrets } from "../api/kinds.ts"
import { ResourceStore } from "../store/resource-store.ts"

export const bundledExamples = fileURLToPath(new URL("../../examples/repository", import.meta.url))

export interface ExamplesAcme {
  readonly server: string
  readonly caBundlePem?: string
}

/** The examples' ACME folder needs a reachable ACME server; it comes in only with --acme-server. */
const withoutAcme = (source: string) => !relative(bundledExamples, source).split("/").includes("acme")

const filesUnder = (dir: string): ReadonlyArray<string> =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name)).map((path) => `${entry.name}/${path}`) : [entry.name],
  )

/** The ACME issuer files with their `server:` (and a `caBundle:` after it) set for this run. */
const pointAcmeAt = (dir: string, acme: ExamplesAcme) => {
  const target = join(dir, "acme")
  cpSync(join(bundledExamples, "acme"), target, { recursive: true })
  for (const file of filesUnder(target)) {
    const path = join(target, file)
    const text = readFileSync(path, "utf8").replace(/^(\s*)server: .*$/m, (_line, indent: string) =>
      [`${indent}server: ${acme.server}`, ...(acme.caBundlePem === undefined ? [] : [`${indent}caBundle: ${Buffer.from(acme.caBundlePem).toString("base64")}`])].join("\n"),
    )
    writeFileSync(path, text)
  }
}

const author = { name: "certops examples", email: "examples@certops.invalid" }

/**
 * The examples as a local repository at `<stateDir>/examples`: made on the
 * first run; later runs commit only a change of the ACME choice.
 */
export const ensureExamplesRepository = (stateDir: string, acme?: ExamplesAcme) =>
  Effect.tryPromise({
    try: async () => {
      const dir = join(stateDir, "examples")
      const fresh = !existsSync(join(dir, ".git"))
      if (fresh) {
        mkdirSync(dir, { recursive: true })
        cpSync(bundledExamples, dir, { recursive: true, filter: withoutAcme })
        await git.init({ fs, dir, defaultBranch: "main" })
      }
      rmSync(join(dir, "acme"), { recursive: true, force: true })
      if (acme !== undefined) pointAcmeAt(dir, acme)
      const changed = (await git.statusMatrix({ fs, dir })).filter(([, head, workdir, stage]) => head !== workdir || workdir !== stage)
      if (changed.length === 0) return dir
      for (const [filepath, , workdir] of changed) {
        if (workdir === 0) await git.remove({ fs, dir, filepath })
        else await git.add({ fs, dir, filepath })
      }
      const message = fresh ? "Example certificates for certops" : acme === undefined ? "Examples without ACME" : `Examples with ACME at ${acme.server}`
      await git.commit({ fs, dir, message, author })
      return dir
    },
    catch: (error) => new Error(`cannot prepare the example repository under ${stateDir}: ${String(error)}`),
  })

/**
 * The one Secret the examples need that Git must never hold: the payments
 * keystore's password (certificates/api/payments.yaml). On the embedded
 * store certops makes it as a user would with kubectl, a random password, so
 * every example is Ready; it is never overwritten. In a cluster it says that
 * the example waits for it.
 */
const keystorePassword = { namespace: "api", name: "payments-keystore-password", key: "password" } as const

const ensureKeystorePassword = ResourceStore.use((store) =>
  store.get(Secrets, keystorePassword, { fresh: true }).pipe(
    Effect.as(false),
    Effect.catchTag("NotFound", () =>
      store
        .create(Secrets, {
          apiVersion: "v1",
          kind: "Secret",
          metadata: { name: keystorePassword.name, namespace: keystorePassword.namespace },
          data: { [keystorePassword.key]: Buffer.from(randomBytes(24).toString("base64")).toString("base64") },
        })
        .pipe(Effect.as(true)),
    ),
  ),
)

export const prepareExampleSecrets = (backend: "embedded" | "kubernetes") => {
  const secret = `Secret ${keystorePassword.namespace}/${keystorePassword.name}`
  return backend === "kubernetes"
    ? Console.error(`certops: the payments example stays not Ready (KeystorePasswordMissing) until you create ${secret}: see certificates/api/payments.yaml`)
    : Effect.flatMap(ensureKeystorePassword, (made) =>
        Console.error(
          `certops: the payments example's keystore password is ${secret} in the embedded store${made ? " (made just now, a random one)" : ""}; in a cluster you create it yourself (see certificates/api/payments.yaml)`,
        ),
      )
}
