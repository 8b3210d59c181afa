import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    reporters: ["default", "./test/reporters/summary-line.ts"],
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
          // Some unit tests run the CLI as a child process: seconds on a busy 2-core machine.
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          globalSetup: ["test/env/global-setup.ts"],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          // Files share one pebble, one HTTP-01 port and one apiserver.
          fileParallelism: false,
        },
      },
      {
        test: {
          name: "faults",
          include: ["test/faults/**/*.test.ts"],
          globalSetup: ["test/env/global-setup.ts"],
          testTimeout: 600_000,
          hookTimeout: 300_000,
          // Fault tests start and stop components of their own and time
          // Retry-After gaps: one file at a time on a small machine.
          fileParallelism: false,
        },
      },
    ],
  },
})
