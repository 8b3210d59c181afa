// The Kubernetes backend against the test kube-apiserver: the store contract,
// then what only a real server shows: an expired watch (410), a dropped
// connection, 429 while a new CRD's storage starts, the managed-Secret cache.
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { createServer, connect, type Socket } from "node:net"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Context, Deferred, type Duration, Effect, Layer, Schedule, Stream } from "effect"
import { parseAllDocuments } from "yaml"
import * as kinds from "../../../src/api/kinds.ts"
import type { KubeObject } from "../../../src/api/meta.ts"
import { qualifiedPlural, resourceType, type ResourceType } from "../../../src/api/resource-type.ts"
import { ResourceStore, type ResourceStoreService, type WatchEvent } from "../../../src/store/resource-store.ts"
import { managedByCertops, managedByLabel } from "../../../src/store/kubernetes/cache-scope.ts"
import type { KubeApiError } from "../../../src/store/kubernetes/api-errors.ts"
import { loadKubeConfig, makeKubeClient } from "../../../src/store/kubernetes/client.ts"
import { makeInformer } from "../../../src/store/kubernetes/informer.ts"
import { kubernetesStoreLayer, type KubernetesStoreOptions } from "../../../src/store/kubernetes/layer.ts"
import { makeListWatch, type ListWatch } from "../../../src/store/kubernetes/list-watch.ts"
import type { Selection } from "../../../src/store/kubernetes/selection.ts"
import { kubeconfigYaml } from "../../env/kube-apiserver.ts"
import { testEnvironment, uniqueName } from "../../support/env.ts"
import { storeContract } from "../../support/store-contract.ts"

const env = testEnvironment()
const kubeconfig = env.kube.kubeconfig

// ---------------------------------------------------------------------------
// The cluster the tests need: namespaces and cert-manager's CRDs.

type Crd = KubeObject & {
  readonly spec: {
    readonly group: string
    readonly names: { readonly plural: string; readonly kind: string; readonly [field: string]: unknown }
    readonly [field: string]: unknown
  }
  readonly status?: { readonly conditions?: ReadonlyArray<{ readonly type: string; readonly status: string }> }
}

const Namespaces = resourceType<KubeObject>({ group: "", version: "v1", kind: "Namespace", plural: "namespaces", namespaced: false, statusSubresource: true })
const CustomResourceDefinitions = resourceType<Crd>({
  group: "apiextensions.k8s.io", version: "v1", kind: "CustomResourceDefinition", plural: "customresourcedefinitions", namespaced: false, statusSubresource: true,
})

const certManagerKinds = [kinds.Certificates, kinds.CertificateRequests, kinds.Issuers, kinds.ClusterIssuers, kinds.Orders, kinds.Challenges]

/** Enough of a CRD for the store: any spec and status, status as a subresource. */
const minimalCrd = (type: ResourceType<any>): Crd => ({
  apiVersion: "apiextensions.k8s.io/v1",
  kind: "CustomResourceDefinition",
  metadata: { name: qualifiedPlural(type) },
  spec: {
    group: type.group,
    scope: type.namespaced ? "Namespaced" : "Cluster",
    names: { plural: type.plural, singular: type.kind.toLowerCase(), kind: type.kind, listKind: `${type.kind}List` },
    versions: [
      {
        name: type.version,
        served: true,
        storage: true,
        ...(type.statusSubresource ? { subresources: { status: {} } } : {}),
        schema: {
          openAPIV3Schema: {
            type: "object",
            properties: {
              spec: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
              status: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
            },
          },
        },
      },
    ],
  },
})

/** The generated CRDs from deploy/crds where they exist, a minimal one for any kind still missing there. */
const certManagerCrds = (): ReadonlyArray<Crd> => {
  const dir = join(import.meta.dirname, "../../../deploy/crds")
  const generated = existsSync(dir)
    ? readdirSync(dir)
        .filter((file) => file.endsWith(".yaml"))
        .flatMap((file) => parseAllDocuments(readFileSync(join(dir, file), "utf8")).map((document) => document.toJS() as Crd | null))
        .filter((document): document is Crd => document?.kind === "CustomResourceDefinition")
    : []
  return certManagerKinds.map((type) => generated.find((crd) => crd.metadata.name === qualifiedPlural(type)) ?? minimalCrd(type))
}

/** Create, or replace what another test file applied: the same CRDs are applied by several. */
const applyCrd = (store: ResourceStoreService, crd: Crd) =>
  store.create(CustomResourceDefinitions, crd).pipe(
    Effect.catchTag("AlreadyExists", () =>
      store.get(CustomResourceDefinitions, { name: crd.metadata.name }).pipe(
        Effect.flatMap((current) =>
          store.update(CustomResourceDefinitions, { ...crd, metadata: { ...crd.metadata, resourceVersion: current.metadata.resourceVersion! } }),
        ),
      ),
    ),
  )

/** Polls `probe` until it gives a value; dies after `timeout`. */
const until = <A, E>(what: string, probe: Effect.Effect<A | undefined, E>, timeout: Duration.Input = "30 seconds") =>
  probe.pipe(
    Effect.flatMap((value) => (value === undefined ? Effect.fail("not yet" as const) : Effect.succeed(value))),
    Effect.retry(Schedule.spaced("50 millis")),
    Effect.timeoutOrElse({ duration: timeout, orElse: () => Effect.die(new Error(`timed out after ${timeout} waiting for ${what}`)) }),
  )

const established = (store: ResourceStoreService, name: string) =>
  until(
    `CRD ${name} to be established`,
    store.get(CustomResourceDefinitions, { name }).pipe(
      Effect.map((crd) => (crd.status?.conditions?.some((c) => c.type === "Established" && c.status === "True") ? crd : undefined)),
    ),
  )

const buildStore = (options: KubernetesStoreOptions) => Layer.build(kubernetesStoreLayer(options)).pipe(Effect.map(Context.get(ResourceStore)))

/** A store without caches: every call goes to the API server, as another client's would. */
const otherClient = () => buildStore({ kubeconfigPath: kubeconfig, cachedKinds: [] })

/** Namespaces and CRDs; answers with the uncached store for the test's own setup. */
const prepareCluster = (namespaces: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const store = yield* otherClient()
    for (const name of namespaces) yield* store.create(Namespaces, { apiVersion: "v1", kind: "Namespace", metadata: { name } })
    const crds = certManagerCrds()
    yield* Effect.forEach(crds, (crd) => applyCrd(store, crd), { concurrency: "unbounded" })
    yield* Effect.forEach(crds, (crd) => established(store, crd.metadata.name), { concurrency: "unbounded" })
    return store
  })

// ---------------------------------------------------------------------------
// The contract, unchanged.

const contractNamespace = uniqueName("contract")

/**
 * The contract creates a ClusterIssuer, and the cluster outlives this file:
 * cluster-scoped leftovers would show up in other files' `kubectl get
 * cert-manager`. Whatever ClusterIssuer the suite added goes when it ends.
 */
const removeNewClusterIssuers = (store: ResourceStoreService) =>
  Effect.gen(function* () {
    const names = store.list(kinds.ClusterIssuers).pipe(Effect.map((items) => items.map((item) => item.metadata.name)))
    const before = new Set(yield* names)
    yield* Effect.addFinalizer(() =>
      names.pipe(
        Effect.flatMap((after) =>
          Effect.forEach(after.filter((name) => !before.has(name)), (name) => store.delete(kinds.ClusterIssuers, { name }), { discard: true }),
        ),
        Effect.ignore,
      ),
    )
  })

storeContract("kubernetes", () => ({
  layer: Layer.unwrap(
    prepareCluster([contractNamespace]).pipe(
      Effect.tap(removeNewClusterIssuers),
      Effect.as(kubernetesStoreLayer({ kubeconfigPath: kubeconfig })),
    ),
  ),
  namespace: contractNamespace,
  watchTimeout: "20 seconds",
}))

// ---------------------------------------------------------------------------
// What a real API server adds.

const Certificates = kinds.Certificates as unknown as ResourceType<KubeObject>
const Secrets = kinds.Secrets as unknown as ResourceType<KubeObject>

const certificate = (namespace: string, name: string, labels: Record<string, string>): KubeObject =>
  ({
    apiVersion: "cert-manager.io/v1",
    kind: "Certificate",
    metadata: { name, namespace, labels },
    spec: { secretName: `${name}-tls`, dnsNames: [`${name}.example.test`], issuerRef: { name: "ca" } },
  }) as KubeObject

const secret = (namespace: string, name: string, labels: Record<string, string>): KubeObject =>
  ({ apiVersion: "v1", kind: "Secret", metadata: { name, namespace, labels }, type: "Opaque", data: { key: "dmFsdWU=" } }) as KubeObject

const labelled = (namespace: string, key: string, value: string): Selection => ({
  namespace,
  labelSelector: `${key}=${value}`,
  requirements: [{ op: "in", key, values: [value] }],
})

/** Runs a watch in the background; the returned array fills as events come. */
const collect = (stream: Stream.Stream<WatchEvent<KubeObject>, unknown>) =>
  Effect.gen(function* () {
    const seen: Array<string> = []
    yield* Effect.forkScoped(Stream.runForEach(stream, (event) => Effect.sync(() => seen.push(`${event.type} ${event.object.metadata.name}`))))
    return seen
  })

const seenAll = (seen: ReadonlyArray<string>, expected: ReadonlyArray<string>) =>
  until(`events ${expected.join(", ")} (seen: ${seen.join(", ")})`, Effect.sync(() => (expected.every((e) => seen.includes(e)) ? true : undefined)))

const fastBackoff = { backoff: { initial: "100 millis", cap: "2 seconds" } } as const

/**
 * A TCP proxy in front of the API server (TLS passes through untouched), so
 * that a test can cut certops off: every open connection is dropped and new
 * ones are closed at once until `restore`.
 */
const startProxy = Effect.gen(function* () {
  const upstream = new URL(env.kube.server)
  const sockets = new Set<Socket>()
  let cut = false
  const server = createServer((client) => {
    if (cut) return void client.destroy()
    const server = connect(Number(upstream.port), upstream.hostname)
    for (const socket of [client, server]) {
      sockets.add(socket)
      socket.on("close", () => sockets.delete(socket))
      socket.on("error", () => {
        client.destroy()
        server.destroy()
      })
    }
    client.pipe(server).pipe(client)
  })
  const port = yield* Effect.acquireRelease(
    Effect.callback<number>((resume) => {
      server.listen(0, "127.0.0.1", () => resume(Effect.succeed((server.address() as { port: number }).port)))
    }),
    () =>
      Effect.callback<void>((resume) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resume(Effect.void))
      }),
  )
  const path = join(env.dir, `kubeconfig-proxy-${port}`)
  writeFileSync(path, kubeconfigYaml(`https://127.0.0.1:${port}`, env.kube.caPem, env.kube.admin), { mode: 0o600 })
  return {
    kubeconfig: path,
    cut: Effect.sync(() => {
      cut = true
      for (const socket of sockets) socket.destroy()
    }),
    restore: Effect.sync(() => void (cut = false)),
  }
})

describe("kubernetes backend", () => {
  it.live("lists again when the watch has expired (410 Gone), and tells watchers what changed meanwhile", () =>
    Effect.gen(function* () {
      const namespace = uniqueName("expired")
      const other = yield* prepareCluster([namespace])
      const run = uniqueName("run")
      yield* other.create(Certificates, certificate(namespace, "a", { run }))
      yield* other.create(Certificates, certificate(namespace, "b", { run }))

      const selection = labelled(namespace, "run", run)
      const source = makeListWatch(makeKubeClient(yield* loadKubeConfig(kubeconfig)), Certificates, selection)
      const watchedFrom: Array<string> = []
      let lists = 0
      const firstWatch = yield* Deferred.make<void>()
      // The first watch starts from resourceVersion 1, long gone from the
      // server's history, after the objects changed behind the informer's back.
      const expiring: ListWatch = {
        ...source,
        list: Effect.andThen(Effect.sync(() => lists++), source.list),
        watch: (resourceVersion) => {
          const first = watchedFrom.length === 0
          watchedFrom.push(first ? "1" : resourceVersion)
          if (!first) return source.watch(resourceVersion)
          return Stream.unwrap(
            Deferred.await(firstWatch).pipe(
              Effect.andThen(other.delete(Certificates, { namespace, name: "a" })),
              Effect.andThen(other.create(Certificates, certificate(namespace, "c", { run }))),
              Effect.as(source.watch("1")),
              Effect.orDie,
            ),
          )
        },
      }
      const informer = yield* makeInformer(expiring, fastBackoff)
      const seen = yield* collect(informer.changes(selection))
      yield* seenAll(seen, ["ADDED a", "ADDED b"])
      yield* Deferred.succeed(firstWatch, undefined)

      yield* seenAll(seen, ["ADDED c", "DELETED a"])
      assert.deepStrictEqual(seen, ["ADDED a", "ADDED b", "ADDED c", "DELETED a"])
      assert.strictEqual(lists, 2)
      assert.strictEqual(watchedFrom[0], "1")
      assert.notStrictEqual(watchedFrom[1], "1")
      assert.deepStrictEqual(informer.list(selection).map((object) => object.metadata.name).sort(), ["b", "c"])

      // And it keeps watching from the new list.
      yield* other.create(Certificates, certificate(namespace, "d", { run }))
      yield* seenAll(seen, ["ADDED d"])
    }),
  )

  it.live("reconnects when the connection drops, resuming where it stopped", () =>
    Effect.gen(function* () {
      const namespace = uniqueName("dropped")
      const other = yield* prepareCluster([namespace])
      const proxy = yield* startProxy
      const store = yield* buildStore({ kubeconfigPath: proxy.kubeconfig, cachedKinds: [Certificates], ...fastBackoff })
      const seen = yield* collect(store.watch(Certificates, { namespace }))

      yield* other.create(Certificates, certificate(namespace, "before", {}))
      yield* seenAll(seen, ["ADDED before"])

      yield* proxy.cut
      yield* other.create(Certificates, certificate(namespace, "during", {}))
      yield* Effect.sleep("1500 millis")
      const restored = Date.now()
      yield* proxy.restore
      yield* seenAll(seen, ["ADDED during"])
      const caughtUp = Date.now() - restored
      yield* other.create(Certificates, certificate(namespace, "after", {}))
      yield* seenAll(seen, ["ADDED after"])

      assert.deepStrictEqual(seen, ["ADDED before", "ADDED during", "ADDED after"])
      assert.strictEqual((yield* store.get(Certificates, { namespace, name: "during" })).metadata.name, "during")
      console.log(`kubernetes store: caught up ${caughtUp} ms after the API server came back (backoff capped at 2 s)`)
    }),
  )

  it.live("caches managed Secrets only; other Secrets are read from the server", () =>
    Effect.gen(function* () {
      const namespace = uniqueName("secrets")
      const other = yield* prepareCluster([namespace])
      const proxy = yield* startProxy
      const store = yield* buildStore({ kubeconfigPath: proxy.kubeconfig, cachedKinds: [Secrets], ...fastBackoff })
      yield* other.create(Secrets, secret(namespace, "managed", { [managedByLabel]: managedByCertops }))
      yield* other.create(Secrets, secret(namespace, "unmanaged", {}))
      const managedOnly = { namespace, labelSelector: `${managedByLabel}=${managedByCertops}` }
      const names = (items: ReadonlyArray<KubeObject>) => items.map((item) => item.metadata.name).sort()

      yield* until("the managed Secret in the cache", store.list(Secrets, managedOnly).pipe(Effect.map((items) => (items.length === 1 ? items : undefined))))
      assert.deepStrictEqual(names(yield* store.list(Secrets, managedOnly)), ["managed"])
      assert.deepStrictEqual(names(yield* store.list(Secrets, { namespace })), ["managed", "unmanaged"])
      assert.strictEqual((yield* store.get(Secrets, { namespace, name: "unmanaged" })).metadata.name, "unmanaged")

      // With the server out of reach, only what is cached can still be read.
      yield* proxy.cut
      assert.strictEqual((yield* store.get(Secrets, { namespace, name: "managed" })).metadata.name, "managed")
      assert.deepStrictEqual(names(yield* store.list(Secrets, managedOnly)), ["managed"])
      const unreachable = yield* store.get(Secrets, { namespace, name: "unmanaged" }).pipe(Effect.flip)
      assert.strictEqual(unreachable._tag, "StoreUnavailable")
      assert.isTrue(unreachable._tag === "StoreUnavailable" && unreachable.retryable)
      yield* proxy.restore

      // A write by certops that takes the label away takes the Secret out of the cache at once.
      yield* store.patch(Secrets, { namespace, name: "managed" }, { metadata: { labels: { [managedByLabel]: null } } })
      assert.deepStrictEqual(yield* store.list(Secrets, managedOnly), [])
      assert.strictEqual((yield* store.get(Secrets, { namespace, name: "managed" })).metadata.labels?.[managedByLabel], undefined)
    }),
  )

  it.live("a watch no cache covers lists and watches for itself, with the server's selection semantics", () =>
    Effect.gen(function* () {
      const namespace = uniqueName("ownwatch")
      const other = yield* prepareCluster([namespace])
      const store = yield* buildStore({ kubeconfigPath: kubeconfig, cachedKinds: [Secrets] })
      yield* other.create(Secrets, secret(namespace, "first", { team: "a" }))
      const seen = yield* collect(store.watch(Secrets, { namespace, labelSelector: "team=a" }))
      yield* seenAll(seen, ["ADDED first"])
      yield* other.create(Secrets, secret(namespace, "second", { team: "a" }))
      yield* other.patch(Secrets, { namespace, name: "first" }, { metadata: { labels: { team: "b" } } })
      yield* other.create(Secrets, secret(namespace, "elsewhere", { team: "b" }))
      yield* other.delete(Secrets, { namespace, name: "second" })
      yield* seenAll(seen, ["DELETED second"])
      assert.deepStrictEqual(seen, ["ADDED first", "ADDED second", "DELETED first", "DELETED second"])
    }),
  )

  it.live("a cache of a kind not served yet syncs once its CRD is installed, waiting out Retry-After", () =>
    Effect.gen(function* () {
      const other = yield* prepareCluster([])
      const plural = `widgets${Date.now().toString(36)}`
      const Widgets = resourceType<KubeObject>({ group: "store-test.certops.io", version: "v1", kind: "Widget", plural, namespaced: true, statusSubresource: false })
      yield* Effect.addFinalizer(() => other.delete(CustomResourceDefinitions, { name: qualifiedPlural(Widgets) }).pipe(Effect.ignore))

      const source = makeListWatch(makeKubeClient(yield* loadKubeConfig(kubeconfig)), Widgets, { requirements: [] })
      /** Each list and watch request: when it started and how it failed, if it did. */
      const attempts: Array<{ readonly request: string; readonly at: number; failed?: { readonly at: number; readonly status: number; readonly retryAfterMillis?: number } }> = []
      const attempt = (request: string) => {
        const entry: (typeof attempts)[number] = { request, at: Date.now() }
        attempts.push(entry)
        return ({ status, retryAfterMillis }: KubeApiError) =>
          Effect.sync(() => void (entry.failed = { at: Date.now(), status, ...(retryAfterMillis === undefined ? {} : { retryAfterMillis }) }))
      }
      const recorded: ListWatch = {
        ...source,
        list: Effect.suspend(() => source.list.pipe(Effect.tapError(attempt("list")))),
        watch: (resourceVersion) => Stream.suspend(() => source.watch(resourceVersion).pipe(Stream.tapError(attempt("watch")))),
      }
      // certops may start before its CRDs are installed: the kind is not
      // served at first (404), then, for a moment, its storage is still
      // initializing (429 with Retry-After).
      const informer = yield* makeInformer(recorded, fastBackoff)
      yield* until("a list of a kind not served yet", Effect.sync(() => attempts[0]?.failed))
      assert.strictEqual(attempts[0]?.failed?.status, 404)
      const started = Date.now()
      yield* other.create(CustomResourceDefinitions, minimalCrd(Widgets))
      yield* informer.synced
      yield* until("a watch that holds", Effect.sync(() => (attempts.at(-1)?.request === "watch" && attempts.at(-1)?.failed === undefined ? true : undefined)))
      yield* Effect.sleep("200 millis")
      assert.isUndefined(attempts.at(-1)?.failed)
      for (const [index, { failed }] of attempts.entries()) {
        if (failed?.retryAfterMillis === undefined) continue
        assert.isAtLeast(attempts[index + 1]!.at - failed.at, failed.retryAfterMillis - 50, "the next request waited out Retry-After")
      }
      const outcomes = attempts.map(({ request, failed }) => `${request} ${failed === undefined ? "ok" : `${failed.status}${failed.retryAfterMillis === undefined ? "" : ` (Retry-After ${failed.retryAfterMillis} ms)`}`}`)
      console.log(
        `kubernetes store: a new CRD's cache synced ${Date.now() - started} ms after its creation: ${outcomes.join(", ")}`,
      )
    }),
  )

  it.live("syncs a cache of many objects", () =>
    Effect.gen(function* () {
      const count = 500
      const namespace = uniqueName("many")
      const other = yield* prepareCluster([namespace])
      const createStarted = Date.now()
      yield* Effect.forEach(
        Array.from({ length: count }, (_, index) => certificate(namespace, `cert-${index}`, { batch: "many" })),
        (object) => other.create(Certificates, object),
        { concurrency: 32, discard: true },
      )
      const created = Date.now() - createStarted

      const syncStarted = Date.now()
      const store = yield* buildStore({ kubeconfigPath: kubeconfig, cachedKinds: [Certificates] })
      const listed = yield* store.list(Certificates, { namespace })
      const synced = Date.now() - syncStarted
      assert.strictEqual(listed.length, count)

      const lookups = Date.now()
      for (let index = 0; index < count; index++) yield* store.get(Certificates, { namespace, name: `cert-${index}` })
      const perGet = (Date.now() - lookups) / count
      const all = (yield* store.list(Certificates)).length

      const written = Date.now()
      yield* other.create(Certificates, certificate(namespace, "late", { batch: "many" }))
      yield* until("another client's write in the cache", store.get(Certificates, { namespace, name: "late" }).pipe(Effect.option, Effect.map((found) => (found._tag === "Some" ? true : undefined))))
      const propagated = Date.now() - written
      // Leave nothing for later tests' controllers to chew on.
      yield* Effect.forEach(Array.from({ length: count }, (_, index) => `cert-${index}`).concat("late"), (name) => other.delete(Certificates, { namespace, name }).pipe(Effect.ignore), {
        concurrency: 32,
        discard: true,
      })
      console.log(
        `kubernetes store: created ${count} Certificates in ${created} ms (${Math.round((count * 1000) / created)}/s); ` +
          `a new cache synced ${all} in ${synced} ms; a cached get takes ${perGet.toFixed(3)} ms; ` +
          `another client's create reached the cache ${propagated} ms after it was sent`,
      )
    }),
  )
})
