// The memory backend: for unit tests only.
import { Layer } from "effect"
import { ResourceStore } from "./resource-store.ts"
import { makeTableStore } from "./table-store.ts"

export const memoryStoreLayer = Layer.effect(ResourceStore, makeTableStore())
