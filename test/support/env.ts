// What an integration test reaches the environment through.
import { inject } from "vitest"
import type { TestEnvironment } from "../env/environment.ts"

export const testEnvironment = (): TestEnvironment => inject("certopsEnv")

/** A name unique to one test, so tests sharing the environment never collide. */
export const uniqueName = (prefix: string): string => `${prefix}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`
