// When Git operations are tried again. Only an unreachable server is worth a
// quick retry: bad credentials or a missing repository stay that way.
import { Schedule } from "effect"
import type { GitError } from "./errors.ts"

/** A few quick tries over a network blip; a longer outage is left to the next poll. */
export const transientRetry = Schedule.exponential("250 millis").pipe(
  Schedule.jittered,
  Schedule.upTo({ times: 3 }),
  Schedule.setInputType<GitError>(),
  Schedule.while(({ input }) => input._tag === "GitUnreachable"),
)
