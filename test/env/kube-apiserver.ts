import { mkdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { Effect, type Scope } from "effect"
import { binaries, requireBinary } from "./binaries.ts"
import type { ComponentError } from "./errors.ts"
import { createAuthority, issueLeaf, rsaKeyPairPem, type KeyPairPem } from "./pki.ts"
import { freePort } from "./ports.ts"
import { httpProbe } from "./probe.ts"
import { startProcess, waitUntilReady, type RunningProcess } from "./process.ts"

/** What a client needs to reach the test apiserver as a cluster admin. */
export interface KubeCredentials {
  readonly server: string
  readonly caPem: string
  readonly admin: KeyPairPem
}

export interface KubeConnection extends KubeCredentials {
  /** A kubeconfig file with those credentials, for kubectl and clients. */
  readonly kubeconfig: string
}

export interface KubeApiserver extends KubeConnection {
  readonly process: RunningProcess
}

export interface KubeApiserverOptions {
  readonly dir: string
  readonly etcdUrl: string
  /** Start again on an earlier run's port and certificates (a restart). */
  readonly reuse?: KubeCredentials
}

const b64 = (text: string) => Buffer.from(text).toString("base64")

export const kubeconfigYaml = (server: string, caPem: string, user: KeyPairPem, userName = "admin") =>
  [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    "- name: certops-test",
    "  cluster:",
    `    server: ${server}`,
    `    certificate-authority-data: ${b64(caPem)}`,
    "users:",
    `- name: ${userName}`,
    "  user:",
    `    client-certificate-data: ${b64(user.certPem)}`,
    `    client-key-data: ${b64(user.keyPem)}`,
    "contexts:",
    "- name: certops-test",
    "  context:",
    "    cluster: certops-test",
    `    user: ${userName}`,
    "current-context: certops-test",
    "",
  ].join("\n")

const writeCredentials = (certDir: string, port: number): KubeCredentials => {
  const ca = createAuthority("certops-test-kubernetes-ca")
  const serving = issueLeaf(ca, {
    commonName: "kube-apiserver",
    dnsNames: ["localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc"],
    ips: ["127.0.0.1"],
    usage: "server",
  })
  const admin = issueLeaf(ca, { commonName: "certops-test-admin", organizations: ["system:masters"], usage: "client" })
  const serviceAccount = rsaKeyPairPem()
  // The aggregation layer: the apiserver proxies to extension apiservers
  // (the webhook solver) with this client certificate, and they trust the
  // X-Remote-* headers only from a certificate of this CA with this name.
  const frontProxyCa = createAuthority("certops-test-front-proxy-ca")
  const frontProxyClient = issueLeaf(frontProxyCa, { commonName: "front-proxy-client", usage: "client" })
  const files: Record<string, string> = {
    "ca.crt": ca.certPem,
    "apiserver.crt": serving.certPem,
    "apiserver.key": serving.keyPem,
    "sa.pub": serviceAccount.publicPem,
    "sa.key": serviceAccount.privatePem,
    "front-proxy-ca.crt": frontProxyCa.certPem,
    "front-proxy-client.crt": frontProxyClient.certPem,
    "front-proxy-client.key": frontProxyClient.keyPem,
  }
  for (const [name, content] of Object.entries(files)) writeFileSync(join(certDir, name), content, { mode: 0o600 })
  return { server: `https://127.0.0.1:${port}`, caPem: ca.certPem, admin }
}

export const startKubeApiserver = (
  options: KubeApiserverOptions,
): Effect.Effect<KubeApiserver, ComponentError, Scope.Scope> =>
  Effect.gen(function* () {
    const command = yield* requireBinary("kube-apiserver", binaries.kubeApiserver)
    const certDir = join(options.dir, "kube-apiserver")
    mkdirSync(certDir, { recursive: true, mode: 0o700 })
    const port = options.reuse === undefined ? yield* freePort : Number(new URL(options.reuse.server).port)
    const credentials = options.reuse ?? writeCredentials(certDir, port)
    const kubeconfig = join(options.dir, "kubeconfig")
    writeFileSync(kubeconfig, kubeconfigYaml(credentials.server, credentials.caPem, credentials.admin), { mode: 0o600 })
    const file = (name: string) => join(certDir, name)
    const running = yield* startProcess({
      name: "kube-apiserver",
      command,
      logDir: options.dir,
      args: [
        `--etcd-servers=${options.etcdUrl}`,
        "--bind-address=127.0.0.1",
        "--advertise-address=127.0.0.1",
        `--secure-port=${port}`,
        `--cert-dir=${certDir}`,
        `--tls-cert-file=${file("apiserver.crt")}`,
        `--tls-private-key-file=${file("apiserver.key")}`,
        `--client-ca-file=${file("ca.crt")}`,
        "--authorization-mode=RBAC",
        "--disable-admission-plugins=ServiceAccount",
        `--service-account-issuer=${credentials.server}`,
        `--service-account-key-file=${file("sa.pub")}`,
        `--service-account-signing-key-file=${file("sa.key")}`,
        // Only a setting: no cluster IP is ever routed in the test cluster.
        "--service-cluster-ip-range=10.0.0.0/24",
        "--endpoint-reconciler-type=none",
        `--requestheader-client-ca-file=${file("front-proxy-ca.crt")}`,
        "--requestheader-allowed-names=front-proxy-client",
        "--requestheader-extra-headers-prefix=X-Remote-Extra-",
        "--requestheader-group-headers=X-Remote-Group",
        "--requestheader-username-headers=X-Remote-User",
        `--proxy-client-cert-file=${file("front-proxy-client.crt")}`,
        `--proxy-client-key-file=${file("front-proxy-client.key")}`,
        // No --enable-aggregator-routing: it routes to EndpointSlice addresses,
        // and EndpointSlice validation refuses loopback ones ("may not be in
        // the loopback range"). Without it the aggregator resolves the
        // APIService's Service, and for type ExternalName dials
        // https://<externalName>:<APIService port>, i.e. localhost.
        "--allow-privileged=true",
        "--profiling=false",
        "--v=1",
      ],
    })
    yield* waitUntilReady(
      running,
      httpProbe(`${credentials.server}/readyz`, (status) => status === 200, {
        ca: credentials.caPem,
        cert: credentials.admin.certPem,
        key: credentials.admin.keyPem,
      }),
      "120 seconds",
    )
    return { server: credentials.server, caPem: credentials.caPem, admin: credentials.admin, kubeconfig, process: running }
  })
