// Where an applied object came from, on the object itself: labels to select
// by (values must be label-safe), annotations for the full text.
import { createHash } from "node:crypto"
import { labels } from "../api/annotations.ts"

export const provenance = {
  /** Present on every object certops applies from Git. */
  managedLabel: labels.appliedFromGit,
  /** A short hash of the repository URL and directory: one source's objects. */
  sourceLabel: "certops.io/source",
  commitLabel: "certops.io/commit",
  repositoryAnnotation: "certops.io/source-repository",
  pathAnnotation: "certops.io/source-path",
  commitAnnotation: "certops.io/source-commit",
  /** A hash of what Git declared when last applied: tells an in-cluster edit from a Git change. */
  appliedHashAnnotation: "certops.io/applied-hash",
  /** On a Certificate: delete its Secret too when the intent leaves Git. */
  deleteSecretOnPrune: "certops.io/delete-secret-on-prune",
} as const

export interface SourceIdentity {
  /** The repository URL (credentials removed) or path. */
  readonly repository: string
  /** The tracked directory inside it. */
  readonly directory: string
}

/** Label-safe id of a source (12 hex characters). */
export const sourceId = (source: SourceIdentity): string =>
  createHash("sha256").update(`${source.repository}\u0000${source.directory}`).digest("hex").slice(0, 12)

export const sourceSelector = (source: SourceIdentity): string => `${provenance.managedLabel}=true,${provenance.sourceLabel}=${sourceId(source)}`
