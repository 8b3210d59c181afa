import { createServer } from "node:net"
import { Effect } from "effect"

/** A TCP port on 127.0.0.1 that was free a moment ago (the OS picks it). */
export const freePort: Effect.Effect<number> = Effect.callback<number>((resume) => {
  const server = createServer()
  server.unref()
  server.listen(0, "127.0.0.1", () => {
    const address = server.address()
    const port = typeof address === "object" && address !== null ? address.port : 0
    server.close(() => resume(Effect.succeed(port)))
  })
})

export const freePorts = (count: number): Effect.Effect<ReadonlyArray<number>> =>
  Effect.all(Array.from({ length: count }, () => freePort))
