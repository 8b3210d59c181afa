// No private key ever enters a Git object: refused at the reporter's door,
// and again right before any blob or commit is written.
import { readFileSync, existsSync } from "node:fs"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { certopsIdentity } from "../../../src/git/own-commits.ts"
import { connectRemote } from "../../../src/git/connect-remote.ts"
import { containsPrivateKey, refusePrivateKeysIn } from "../../../src/report/key-guard.ts"
import { publish } from "../../../src/report/publish.ts"
import { makeStatusReporter } from "../../../src/report/status-reporter.ts"
import { failing, issued, pemKey, rejected } from "./fixtures.ts"
import { bareRepository, branchExists, looseObjects, stateDirectory } from "../git/local-repository.ts"

describe("private-key guard", () => {
  it("recognises every PEM private key form", () => {
    for (const label of ["PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY", "ENCRYPTED PRIVATE KEY", "OPENSSH PRIVATE KEY", "DSA PRIVATE KEY"]) {
      assert.isTrue(containsPrivateKey(`text before\n-----BEGIN ${label}-----\nMIIB...\n`), label)
    }
    assert.isTrue(containsPrivateKey(new TextEncoder().encode(pemKey)))
    // Line breaks collapse into spaces when rendered into a table or a subject line.
    assert.isTrue(containsPrivateKey("-----BEGIN RSA\nPRIVATE KEY-----"))
  })

  it("lets certificates, public keys and CSRs through", () => {
    for (const label of ["CERTIFICATE", "PUBLIC KEY", "CERTIFICATE REQUEST"]) {
      assert.isFalse(containsPrivateKey(`-----BEGIN ${label}-----\nMIIB...\n-----END ${label}-----\n`), label)
    }
    assert.isFalse(containsPrivateKey("| -----BEGIN | PRIVATE KEY |"))
  })

  it.effect("finds a key anywhere inside a report", () =>
    Effect.gen(function* () {
      const nested = { ...failing, lastFailure: { time: "2026-11-23T10:00:00Z", message: `could not parse ${pemKey}` } }
      const error = yield* refusePrivateKeysIn("shop/www", nested).pipe(Effect.flip)
      assert.strictEqual(error._tag, "PrivateKeyRefused")
      assert.notInclude(error.message, "MHcC")
      yield* refusePrivateKeysIn("web/example-com", issued)
    }),
  )

  it.effect("the reporter refuses such a report before keeping it anywhere", () =>
    Effect.gen(function* () {
      const stateDir = stateDirectory()
      const reporter = yield* makeStatusReporter({ repository: { location: bareRepository(), stateDir } })
      const error = yield* reporter.report({ ...failing, message: pemKey }).pipe(Effect.flip)
      assert.strictEqual(error._tag, "PrivateKeyRefused")
      const rejection = yield* reporter
        .rejections([{ ...rejected, problems: [{ rule: "schema", message: `tls.key: ${pemKey}` }] }])
        .pipe(Effect.flip)
      assert.strictEqual(rejection._tag, "PrivateKeyRefused")
      assert.strictEqual(yield* reporter.pendingCount, 0)
      const journal = join(stateDir, "report", "pending.jsonl")
      assert.isTrue(!existsSync(journal) || !readFileSync(journal, "utf8").includes("PRIVATE KEY"))
    }),
  )

  it.effect("a blob holding a key is never written, even when the door was bypassed", () =>
    Effect.gen(function* () {
      const gitdir = bareRepository()
      const remote = yield* connectRemote({ location: gitdir, stateDir: stateDirectory() }, "status")
      const target = { remote, branch: "certops/status", directory: "", identity: certopsIdentity, cache: new Map() }
      const error = yield* publish(target, [{ _tag: "Report", report: { ...failing, message: pemKey } }]).pipe(Effect.flip)
      assert.strictEqual(error._tag, "PrivateKeyRefused")
      assert.include(error.message, "shop/www.yaml")
      assert.deepStrictEqual(looseObjects(gitdir), [])
      assert.isFalse(branchExists(gitdir, "certops/status"))
    }),
  )
})
