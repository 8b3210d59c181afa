// Repository locations: http(s) URLs without credentials, or local paths.
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { parseLocation } from "../../../src/git/location.ts"

describe("parseLocation", () => {
  it.effect("takes http(s) URLs and paths", () =>
    Effect.gen(function* () {
      assert.deepStrictEqual(yield* parseLocation("https://git.example.test/team/intents.git/"), {
        _tag: "Http",
        url: "https://git.example.test/team/intents.git",
      })
      assert.deepStrictEqual(yield* parseLocation("/srv/git/intents.git"), { _tag: "Local", path: "/srv/git/intents.git" })
      assert.deepStrictEqual(yield* parseLocation("file:///srv/git/intents.git"), { _tag: "Local", path: "/srv/git/intents.git" })
    }),
  )

  it.effect("refuses credentials in the URL without repeating them", () =>
    Effect.gen(function* () {
      const error = yield* parseLocation("https://bot:s3cret@git.example.test/intents.git").pipe(Effect.flip)
      assert.strictEqual(error._tag, "GitLocationInvalid")
      assert.notInclude(error.message, "s3cret")
    }),
  )

  it.effect("refuses transports it does not speak", () =>
    Effect.gen(function* () {
      assert.strictEqual((yield* parseLocation("ssh://git@git.example.test/intents.git").pipe(Effect.flip))._tag, "GitLocationInvalid")
      assert.strictEqual((yield* parseLocation("git@github.com:team/intents.git").pipe(Effect.flip))._tag, "GitLocationInvalid")
      assert.strictEqual((yield* parseLocation("  ").pipe(Effect.flip))._tag, "GitLocationInvalid")
    }),
  )
})
