// Which paths are intents: one directory, minus ignored subtrees.
import { assert, describe, it } from "@effect/vitest"
import { inScope, mayContain, pathScope } from "../../../src/git/path-scope.ts"

describe("path scope", () => {
  const scope = pathScope("/clusters/prod/", ["clusters/prod/status"])

  it("normalises slashes and dots", () => {
    assert.deepStrictEqual(pathScope("./a//b/"), { directories: ["a/b"], ignore: [] })
    assert.deepStrictEqual(pathScope(".", ["", "/s/"]), { directories: [""], ignore: ["s"] })
  })

  it("holds files below the directory, not beside it or in ignored subtrees", () => {
    assert.isTrue(inScope(scope, "clusters/prod/web.yaml"))
    assert.isTrue(inScope(scope, "clusters/prod/team/web.yaml"))
    assert.isFalse(inScope(scope, "clusters/production/web.yaml"))
    assert.isFalse(inScope(scope, "clusters/web.yaml"))
    assert.isFalse(inScope(scope, "clusters/prod/status/web.yaml"))
    assert.isTrue(inScope(scope, "clusters/prod/statuses.yaml"))
  })

  it("enters the directory's ancestors and the directory, nothing else", () => {
    assert.isTrue(mayContain(scope, ""))
    assert.isTrue(mayContain(scope, "clusters"))
    assert.isTrue(mayContain(scope, "clusters/prod"))
    assert.isTrue(mayContain(scope, "clusters/prod/team"))
    assert.isFalse(mayContain(scope, "clusters/staging"))
    assert.isFalse(mayContain(scope, "clusters/prod/status"))
    assert.isFalse(mayContain(scope, "docs"))
  })

  it("can hold several directories, e.g. intents and the repository's policies", () => {
    const both = pathScope(["clusters/prod", ".certops/policies"])
    assert.isTrue(inScope(both, ".certops/policies/allowed-issuers.yaml"))
    assert.isTrue(mayContain(both, ".certops"))
    assert.isFalse(inScope(both, ".certops/other.yaml"))
    assert.isFalse(mayContain(both, ".github"))
  })

  it("the whole repository when the directory is empty", () => {
    const everything = pathScope("")
    assert.isTrue(inScope(everything, "a.yaml"))
    assert.isTrue(mayContain(everything, "any/where"))
  })
})
