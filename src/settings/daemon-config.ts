// Everything `certops run` is told: where the intents are, where state lives,
// which ports it serves, and the issuance settings. Plain data; the CLI fills
// it from flags, environment and an optional file.
import type { Duration, Redacted } from "effect"
import type { IssuanceSettings } from "./issuance-settings.ts"

export interface GitConfig {
  /** An http(s) URL or a local path. */
  readonly url: string
  readonly branch: string
  /** The directory holding the intents ("" for the whole repository). */
  readonly path: string
  readonly username?: string
  readonly password?: Redacted.Redacted<string>
  readonly token?: Redacted.Redacted<string>
  readonly pollInterval: Duration.Input
  /** Verifies push webhooks; without it the webhook endpoint is off. */
  readonly webhookSecret?: Redacted.Redacted<string>
  readonly statusBranch: string
  readonly defaultNamespace: string
  /** Apply the Ingresses declared in Git as well as the Certificates derived from them (--manage-ingresses); default false. */
  readonly manageIngresses?: boolean
}

export type StoreConfig =
  | { readonly backend: "kubernetes"; readonly kubeconfig?: string }
  | { readonly backend: "embedded"; readonly stateDir: string }

export interface HttpConfig {
  readonly host: string
  /** /metrics, /livez, /readyz. */
  readonly port: number
  readonly webhookPort: number
}

export interface LeaderElectionConfig {
  /** Where the Lease lives (the pod's namespace in a cluster). */
  readonly namespace: string
  /** This replica's name in the Lease (the pod name in a cluster). */
  readonly identity: string
  readonly leaseDuration: Duration.Duration
}

/** JSON lines for collectors; one readable line per entry for a person at a terminal. Same fields either way. */
export type LogFormat = "json" | "text"

export interface DaemonConfig {
  readonly git: GitConfig
  readonly store: StoreConfig
  /** Git mirrors, pending status reports, the embedded store's default home. */
  readonly stateDir: string
  readonly http: HttpConfig
  readonly issuance: IssuanceSettings
  /** Used with the kubernetes store; the embedded store has a single replica. */
  readonly leaderElection: LeaderElectionConfig
  /** Unset: JSON (what a config built in code, a test or a bench, gets). */
  readonly logFormat?: LogFormat
}
