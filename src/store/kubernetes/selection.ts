// Which objects a list, a watch or a cache is about: a namespace (or all) and
// a label selector, matched in memory with the shared selector code.
import { Effect, Result } from "effect"
import type { KubeObject } from "../../api/meta.ts"
import { matchesLabels, parseLabelSelector, type LabelSelector, type Requirement } from "../label-selector.ts"
import type { ListOptions, WatchEvent, WatchEventType } from "../resource-store.ts"

export interface Selection {
  /** Omitted: all namespaces. */
  readonly namespace?: string
  /** The selector as the API server takes it; omitted: every object. */
  readonly labelSelector?: string
  readonly requirements: LabelSelector
}

export const everything: Selection = { requirements: [] }

/** A malformed selector is a bug in the caller, as in the other backends: a defect. */
export const selectionOf = (options: ListOptions | undefined): Effect.Effect<Selection> =>
  Effect.suspend((): Effect.Effect<Selection> => {
    const namespace = options?.namespace === undefined ? {} : { namespace: options.namespace }
    const text = options?.labelSelector
    if (text === undefined || text.trim() === "") return Effect.succeed({ ...namespace, requirements: [] })
    const parsed = parseLabelSelector(text)
    return Result.isFailure(parsed)
      ? Effect.die(new Error(`invalid label selector: ${parsed.failure}`))
      : Effect.succeed({ ...namespace, labelSelector: text, requirements: parsed.success })
  })

export const matches = (selection: Selection, object: KubeObject): boolean =>
  (selection.namespace === undefined || object.metadata.namespace === selection.namespace) &&
  matchesLabels(selection.requirements, object.metadata.labels)

const sameRequirement = (left: Requirement, right: Requirement): boolean =>
  left.op === right.op &&
  left.key === right.key &&
  ("values" in left ? "values" in right && [...left.values].sort().join(",") === [...right.values].sort().join(",") : true)

/**
 * Whether everything `requested` selects is inside `scope`: then a cache
 * holding `scope` can answer for it. Conservative: each of the scope's
 * requirements must appear in the request as is.
 */
export const covers = (scope: Selection, requested: Selection): boolean =>
  (scope.namespace === undefined || scope.namespace === requested.namespace) &&
  scope.requirements.every((required) => requested.requirements.some((requirement) => sameRequirement(required, requirement)))

/** Whether a selection is a whole kind, so that a cache of it knows about every object. */
export const isEverything = (selection: Selection): boolean =>
  selection.namespace === undefined && selection.requirements.length === 0

/** One change as a cache saw it: `previous` is the object before (MODIFIED and DELETED). */
export interface Change {
  readonly type: WatchEventType
  readonly object: KubeObject
  readonly previous?: KubeObject
}

/**
 * What a watcher of `selection` is told about a change, the way the API
 * server filters watches: an object entering the selection is ADDED, one
 * leaving it is DELETED, and changes outside it are not reported.
 */
export const watchEventFor = (selection: Selection, change: Change): WatchEvent<KubeObject> | undefined => {
  const inside = change.type !== "DELETED" && matches(selection, change.object)
  const wasInside = change.previous !== undefined && matches(selection, change.previous)
  if (inside) return { type: wasInside ? "MODIFIED" : "ADDED", object: change.object }
  return wasInside ? { type: "DELETED", object: change.object } : undefined
}
