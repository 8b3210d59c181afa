// The floors of src/, bottom to top: the one place the allowed order is
// written. A folder may import folders on lower floors only; two folders on
// one floor know nothing of each other. The README's layout table lists the
// same folders in the same order (checked by layers.test.ts).
export const floors: ReadonlyArray<ReadonlyArray<string>> = [
  ["api", "pki", "version.ts"],
  ["settings", "rules"],
  ["metrics", "manifests", "acme", "store"],
  ["policy", "git", "leadership", "runtime"],
  ["intents", "solvers", "scheduler", "report"],
  ["controllers", "apply"],
  ["gitops", "observability", "plan"],
  ["daemon"],
  ["cli"],
]
