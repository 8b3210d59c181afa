// Where `certops run` gets its settings: flags beat environment variables
// (CERTOPS_*), which beat the config file, which beats the defaults. Secrets
// come from files or the environment, never from flags (which `ps` shows).
import { readFileSync } from "node:fs"
import { homedir, hostname } from "node:os"
import { join } from "node:path"
import { Duration, Redacted, Result } from "effect"
import { parse as parseYaml } from "yaml"
import type { DaemonConfig, LogFormat } from "./daemon-config.ts"
import { defaultIssuanceSettings, type IssuanceSettings } from "./issuance-settings.ts"
import type { ClusterAccess } from "./cluster-detection.ts"

/** Every setting by its flag name (kebab-case); the same names serve the file and, as CERTOPS_UPPER_SNAKE, the environment. */
export const settingNames = [
  "git-url", "git-branch", "git-path", "git-username", "git-password-file", "git-token-file", "poll-interval",
  "webhook-secret-file", "status-branch", "default-namespace", "store", "kubeconfig", "state-dir",
  "http-host", "http-port", "webhook-port", "http01-port", "http01-self-check-port", "self-check-nameservers",
  "self-check-recursive-only", "self-check-authoritative-port", "self-check-interval", "max-concurrent-challenges", "max-concurrent-reconciles", "cluster-resource-namespace", "namespace",
  "issuance-backoff-base", "lease-namespace", "lease-duration", "identity", "http01-ingress-service", "log-format",
  "approver", "default-issuer-name", "default-issuer-kind", "default-issuer-group", "manage-ingresses", "enable-gateway-api",
] as const
export type SettingName = (typeof settingNames)[number]

export type RawSettings = Partial<Record<SettingName, string>>

export const environmentName = (name: SettingName): string => `CERTOPS_${name.toUpperCase().replaceAll("-", "_")}`

export const fromEnvironment = (env: NodeJS.ProcessEnv): RawSettings =>
  Object.fromEntries(settingNames.flatMap((name) => (env[environmentName(name)] === undefined ? [] : [[name, env[environmentName(name)]!]])))

/** The config file: YAML with the flag names as keys. */
export const fromFile = (path: string): Result.Result<RawSettings, string> => {
  try {
    const parsed = parseYaml(readFileSync(path, "utf8")) as Record<string, unknown> | null
    const unknown = Object.keys(parsed ?? {}).filter((key) => !(settingNames as ReadonlyArray<string>).includes(key))
    if (unknown.length > 0) return Result.fail(`${path}: unknown setting${unknown.length > 1 ? "s" : ""} ${unknown.join(", ")} (known: ${settingNames.join(", ")})`)
    return Result.succeed(Object.fromEntries(Object.entries(parsed ?? {}).map(([key, value]) => [key, String(value)])))
  } catch (error) {
    return Result.fail(`${path}: ${error instanceof Error ? error.message : String(error)}`)
  }
}

const readSecretFile = (path: string | undefined, what: string): Result.Result<Redacted.Redacted<string> | undefined, string> => {
  if (path === undefined) return Result.succeed(undefined)
  try {
    return Result.succeed(Redacted.make(readFileSync(path, "utf8").trim()))
  } catch (error) {
    return Result.fail(`${what}: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`)
  }
}

const port = (value: string | undefined, fallback: number, name: SettingName): Result.Result<number, string> => {
  if (value === undefined) return Result.succeed(fallback)
  const parsed = Number(value)
  return Number.isInteger(parsed) && parsed >= 0 && parsed < 65536 ? Result.succeed(parsed) : Result.fail(`${name}: "${value}" is not a port number`)
}

const flag = (value: string | undefined, fallback: boolean, name: SettingName): Result.Result<boolean, string> => {
  if (value === undefined) return Result.succeed(fallback)
  const normalized = value.trim().toLowerCase()
  if (normalized === "true" || normalized === "") return Result.succeed(true)
  if (normalized === "false") return Result.succeed(false)
  return Result.fail(`${name}: "${value}" is neither "true" nor "false"`)
}

const logFormat = (value: string | undefined, terminal: boolean): Result.Result<LogFormat, string> => {
  if (value === undefined) return Result.succeed(terminal ? "text" : "json")
  return value === "json" || value === "text" ? Result.succeed(value) : Result.fail(`log-format: "${value}" is neither "text" nor "json"`)
}

const approver = (value: string | undefined): Result.Result<IssuanceSettings["approver"], string> => {
  if (value === undefined) return Result.succeed(defaultIssuanceSettings.approver)
  return value === "certops" || value === "external" ? Result.succeed(value) : Result.fail(`approver: "${value}" is neither "certops" nor "external"`)
}

const count = (value: string | undefined, fallback: number, name: SettingName): Result.Result<number, string> => {
  if (value === undefined) return Result.succeed(fallback)
  const parsed = Number(value)
  return Number.isInteger(parsed) && parsed >= 1 ? Result.succeed(parsed) : Result.fail(`${name}: "${value}" is not a whole number of at least 1`)
}

const duration = (value: string | undefined, fallback: Duration.Duration, name: SettingName): Result.Result<Duration.Duration, string> => {
  if (value === undefined) return Result.succeed(fallback)
  const parsed = Duration.fromInput(value as Duration.Input)
  if (parsed._tag === "Some") return Result.succeed(parsed.value)
  return Result.fail(`${name}: "${value}" is not a duration such as "30 seconds" or "5 minutes"`)
}

/** `name:port`: the Service HTTP-01 Ingresses route to. */
const ingressService = (value: string | undefined, problems: Array<string>): Partial<IssuanceSettings> => {
  if (value === undefined) return {}
  const match = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?):(\d{1,5})$/.exec(value)
  if (match === null) {
    problems.push(`http01-ingress-service: "${value}" is not <service name>:<port>`)
    return {}
  }
  return { http01IngressService: { name: match[1]!, port: Number(match[3]) } }
}

export const defaultStateDir = (env: NodeJS.ProcessEnv): string =>
  join(env["XDG_STATE_HOME"] ?? join(env["HOME"] ?? homedir(), ".local", "state"), "certops")

export interface ResolveInput {
  readonly flags: RawSettings
  readonly env: NodeJS.ProcessEnv
  /** From --config or CERTOPS_CONFIG. */
  readonly file?: RawSettings
  readonly cluster: ClusterAccess
  /** The Git URL to use when none is configured (the bundled examples). */
  readonly fallbackGitUrl?: string
  /** Whether stdout is a terminal: the log format's default (text there, JSON elsewhere). */
  readonly terminal?: boolean
}

/** The whole configuration, or every problem found with it. */
export const resolveConfig = (input: ResolveInput): Result.Result<DaemonConfig, ReadonlyArray<string>> => {
  const raw: RawSettings = { ...input.file, ...fromEnvironment(input.env), ...input.flags }
  const problems: Array<string> = []
  const take = <A>(result: Result.Result<A, string>, fallback: A): A => {
    if (Result.isFailure(result)) {
      problems.push(result.failure)
      return fallback
    }
    return result.success
  }
  const stateDir = raw["state-dir"] ?? defaultStateDir(input.env)
  const gitUrl = raw["git-url"] ?? input.fallbackGitUrl
  if (gitUrl === undefined) problems.push(`git-url: required (flag --git-url or ${environmentName("git-url")})`)
  const password = take(readSecretFile(raw["git-password-file"], "git-password-file"), undefined)
  const token = take(readSecretFile(raw["git-token-file"], "git-token-file"), undefined)
  const webhookSecret = take(readSecretFile(raw["webhook-secret-file"], "webhook-secret-file"), undefined)
  const backend = raw["store"] ?? (input.cluster._tag === "None" ? "embedded" : "kubernetes")
  if (backend !== "embedded" && backend !== "kubernetes") problems.push(`store: "${backend}" is neither "embedded" nor "kubernetes"`)
  const issuance: IssuanceSettings = {
    ...defaultIssuanceSettings,
    ...(raw["namespace"] === undefined ? {} : { namespace: raw["namespace"] }),
    clusterResourceNamespace: raw["cluster-resource-namespace"] ?? defaultIssuanceSettings.clusterResourceNamespace,
    maxConcurrentChallenges: take(count(raw["max-concurrent-challenges"], defaultIssuanceSettings.maxConcurrentChallenges, "max-concurrent-challenges"), defaultIssuanceSettings.maxConcurrentChallenges),
    maxConcurrentReconciles: take(count(raw["max-concurrent-reconciles"], defaultIssuanceSettings.maxConcurrentReconciles, "max-concurrent-reconciles"), defaultIssuanceSettings.maxConcurrentReconciles),
    selfCheckInterval: take(duration(raw["self-check-interval"], defaultIssuanceSettings.selfCheckInterval, "self-check-interval"), defaultIssuanceSettings.selfCheckInterval),
    selfCheckNameservers: raw["self-check-nameservers"]?.split(",").map((entry) => entry.trim()).filter((entry) => entry !== "") ?? [],
    selfCheckRecursiveOnly: take(flag(raw["self-check-recursive-only"], false, "self-check-recursive-only"), false),
    selfCheckAuthoritativePort: take(port(raw["self-check-authoritative-port"], defaultIssuanceSettings.selfCheckAuthoritativePort, "self-check-authoritative-port"), 53),
    http01SolverPort: take(port(raw["http01-port"], defaultIssuanceSettings.http01SolverPort, "http01-port"), 0),
    http01SelfCheckPort: take(port(raw["http01-self-check-port"], defaultIssuanceSettings.http01SelfCheckPort, "http01-self-check-port"), 0),
    ...ingressService(raw["http01-ingress-service"], problems),
    issuanceBackoffBase: take(duration(raw["issuance-backoff-base"], defaultIssuanceSettings.issuanceBackoffBase, "issuance-backoff-base"), defaultIssuanceSettings.issuanceBackoffBase),
    approver: take(approver(raw["approver"]), defaultIssuanceSettings.approver),
    enableGatewayApi: take(flag(raw["enable-gateway-api"], false, "enable-gateway-api"), false),
    ...(raw["default-issuer-name"] === undefined
      ? {}
      : { defaultIssuer: { name: raw["default-issuer-name"], kind: raw["default-issuer-kind"] ?? "Issuer", group: raw["default-issuer-group"] ?? "cert-manager.io" } }),
  }
  const config: DaemonConfig = {
    git: {
      url: gitUrl ?? "",
      branch: raw["git-branch"] ?? "main",
      path: raw["git-path"] ?? "",
      ...(raw["git-username"] === undefined ? {} : { username: raw["git-username"] }),
      ...(password === undefined ? {} : { password }),
      ...(token === undefined ? {} : { token }),
      pollInterval: take(duration(raw["poll-interval"], Duration.minutes(1), "poll-interval"), Duration.minutes(1)),
      ...(webhookSecret === undefined ? {} : { webhookSecret }),
      statusBranch: raw["status-branch"] ?? "certops/status",
      defaultNamespace: raw["default-namespace"] ?? "default",
      manageIngresses: take(flag(raw["manage-ingresses"], false, "manage-ingresses"), false),
    },
    store:
      backend === "kubernetes"
        ? { backend: "kubernetes", ...(raw["kubeconfig"] === undefined ? {} : { kubeconfig: raw["kubeconfig"] }) }
        : { backend: "embedded", stateDir: join(stateDir, "store") },
    stateDir,
    http: {
      host: raw["http-host"] ?? "127.0.0.1",
      port: take(port(raw["http-port"], 8080, "http-port"), 8080),
      webhookPort: take(port(raw["webhook-port"], 8081, "webhook-port"), 8081),
    },
    issuance,
    leaderElection: {
      namespace: raw["lease-namespace"] ?? input.env["POD_NAMESPACE"] ?? issuance.clusterResourceNamespace,
      identity: raw["identity"] ?? input.env["POD_NAME"] ?? `${hostname()}-${process.pid}`,
      leaseDuration: take(duration(raw["lease-duration"], Duration.seconds(15), "lease-duration"), Duration.seconds(15)),
    },
    logFormat: take(logFormat(raw["log-format"], input.terminal ?? false), "json"),
  }
  return problems.length === 0 ? Result.succeed(config) : Result.fail(problems)
}
