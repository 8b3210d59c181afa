// The Kubernetes backend as a Layer: one client, one informer per cached
// kind (started with the layer, stopped with its scope), and the store.
import { Effect, Layer } from "effect"
import { CertificateRequests, Certificates, Challenges, ClusterIssuers, Issuers, Orders, Secrets } from "../../api/kinds.ts"
import type { KubeObject } from "../../api/meta.ts"
import { qualifiedPlural, type ResourceType } from "../../api/resource-type.ts"
import { projectSecret } from "../../pki/tls-secret-facts.ts"
import { ResourceStore } from "../resource-store.ts"
import { cacheScopeOf } from "./cache-scope.ts"
import { KubeClient, kubeClientLayer, type KubeConfigError } from "./client.ts"
import { makeInformer, type Informer, type InformerOptions } from "./informer.ts"
import { makeListWatch } from "./list-watch.ts"
import { makeKubernetesStore } from "./store.ts"

/**
 * What the controllers read and watch all the time. Events and Leases are
 * left out: events are only written, and leader election must read a Lease
 * fresh from the server.
 */
export const defaultCachedKinds: ReadonlyArray<ResourceType<any>> = [
  Certificates,
  CertificateRequests,
  Issuers,
  ClusterIssuers,
  Orders,
  Challenges,
  Secrets,
]

/** Cached Secrets keep their facts, never their data (a fresh read has the data). */
const informerOptionsFor = (type: ResourceType<any>, options: InformerOptions): InformerOptions =>
  type.kind === "Secret" && type.group === "" ? { ...options, project: (object) => projectSecret(object as KubeObject & { readonly data?: Record<string, string> }) } : options

export interface KubernetesStoreOptions extends InformerOptions {
  /** A kubeconfig file; omitted: $KUBECONFIG, ~/.kube/config, then the in-cluster service account. */
  readonly kubeconfigPath?: string
  /** Kinds read through watch-fed caches; the others go to the API server on every read. */
  readonly cachedKinds?: ReadonlyArray<ResourceType<any>>
}

/** ResourceStore from an existing KubeClient. */
export const kubernetesStoreFromClient = (options: Omit<KubernetesStoreOptions, "kubeconfigPath"> = {}): Layer.Layer<ResourceStore, never, KubeClient> =>
  Layer.effect(
    ResourceStore,
    Effect.gen(function* () {
      const client = yield* KubeClient
      const informers = new Map<string, Informer>()
      for (const type of options.cachedKinds ?? defaultCachedKinds) {
        informers.set(qualifiedPlural(type), yield* makeInformer(makeListWatch(client, type, cacheScopeOf(type)), informerOptionsFor(type, options)))
      }
      return makeKubernetesStore(client, (type) => informers.get(qualifiedPlural(type)), (type) => informerOptionsFor(type, options))
    }),
  )

export const kubernetesStoreLayer = (options: KubernetesStoreOptions = {}): Layer.Layer<ResourceStore, KubeConfigError> =>
  kubernetesStoreFromClient(options).pipe(
    Layer.provide(kubeClientLayer(options.kubeconfigPath === undefined ? {} : { kubeconfigPath: options.kubeconfigPath })),
  )
