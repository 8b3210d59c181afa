// The DNS-01 webhook solver (test/env/go/webhook-solver), an extension
// apiserver reached through kube-apiserver's aggregation layer exactly as
// cert-manager reaches one: POST /apis/<group>/v1alpha1/<solver>. It serves
// its zone's DNS itself; bind9 forwards that zone to it.
import { randomUUID } from "node:crypto"
import { mkdirSync, writeFileSync } from "node:fs"
import { request } from "node:https"
import { join } from "node:path"
import { Effect, type Scope } from "effect"
import { binaries, requireBinary } from "./binaries.ts"
import { ComponentError } from "./errors.ts"
import type { KubeConnection, KubeCredentials } from "./kube-apiserver.ts"
import { createAuthority, issueLeaf } from "./pki.ts"
import { freePorts } from "./ports.ts"
import { httpProbe } from "./probe.ts"
import { startProcess, waitUntilReady, type RunningProcess } from "./process.ts"

/** What a test needs to use the solver: plain data. */
export interface WebhookSolverEndpoint {
  /** The APIService's group, an ACME issuer's `webhook.groupName`. */
  readonly groupName: string
  /** The issuer's `webhook.solverName`. */
  readonly solverName: string
  /** The zone the solver's DNS server answers for, without the final dot. */
  readonly zone: string
  readonly dnsHost: string
  readonly dnsPort: number
  /** GET → every Present and CleanUp the solver was called with, as JSON. */
  readonly callsUrl: string
}

export interface WebhookSolver extends WebhookSolverEndpoint {
  readonly process: RunningProcess
}

export interface WebhookSolverOptions {
  readonly dir: string
  readonly kube: KubeConnection
  /** Chosen before bind9 starts, since bind9 forwards the zone to it. */
  readonly dnsPort: number
  readonly groupName?: string
  readonly zone?: string
}

export const webhookNamespace = "certops-webhook"
export const webhookServiceName = "certops-webhook-solver"
const solverName = "certops-test"

export interface KubeResponse {
  readonly status: number
  readonly body: string
}

/** One request to the apiserver as the admin user; fails only if there is no answer. */
export const kubeRequest = (
  kube: KubeCredentials,
  method: string,
  path: string,
  body?: unknown,
  contentType = "application/json",
): Promise<KubeResponse> =>
  new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body)
    const req = request(
      new URL(path, kube.server),
      {
        method,
        ca: kube.caPem,
        cert: kube.admin.certPem,
        key: kube.admin.keyPem,
        timeout: 10_000,
        headers: { accept: "application/json", ...(payload === undefined ? {} : { "content-type": contentType }) },
      },
      (response) => {
        let text = ""
        response.setEncoding("utf8")
        response.on("data", (chunk: string) => (text += chunk))
        response.on("end", () => resolve({ status: response.statusCode ?? 0, body: text }))
        response.on("error", reject)
      },
    )
    req.on("timeout", () => req.destroy(new Error(`${method} ${path}: no answer in 10 s`)))
    req.on("error", reject)
    req.end(payload)
  })

/** A ChallengePayload as cert-manager POSTs it to a webhook solver. */
export const challengePayload = (challenge: {
  readonly action: "Present" | "CleanUp"
  readonly dnsName: string
  readonly key: string
  readonly resolvedFQDN: string
  readonly resolvedZone: string
  readonly resourceNamespace?: string
  readonly config?: Record<string, unknown>
  readonly uid?: string
}) => ({
  apiVersion: "webhook.acme.cert-manager.io/v1alpha1",
  kind: "ChallengePayload",
  request: {
    uid: challenge.uid ?? randomUUID(),
    action: challenge.action,
    type: "dns-01",
    dnsName: challenge.dnsName,
    key: challenge.key,
    resourceNamespace: challenge.resourceNamespace ?? webhookNamespace,
    resolvedFQDN: challenge.resolvedFQDN,
    resolvedZone: challenge.resolvedZone,
    allowAmbientCredentials: false,
    config: challenge.config ?? {},
  },
})

const b64 = (text: string) => Buffer.from(text).toString("base64")

/** Server-side apply: idempotent, so a second environment on the same cluster is fine. */
const apply = (kube: KubeCredentials, path: string, manifest: unknown) =>
  Effect.tryPromise({
    try: () => kubeRequest(kube, "PATCH", `${path}?fieldManager=certops-test-env&force=true`, manifest, "application/apply-patch+yaml"),
    catch: (error) => new ComponentError({ component: "webhook-solver", detail: `apply ${path}: ${String(error)}` }),
  }).pipe(
    Effect.flatMap((response) =>
      response.status === 200 || response.status === 201
        ? Effect.void
        : Effect.fail(new ComponentError({ component: "webhook-solver", detail: `apply ${path}: HTTP ${response.status} ${response.body}` })),
    ),
  )

export const startWebhookSolver = (options: WebhookSolverOptions): Effect.Effect<WebhookSolver, ComponentError, Scope.Scope> =>
  Effect.gen(function* () {
    const command = yield* requireBinary("webhook-solver", binaries.webhookSolver)
    const groupName = options.groupName ?? "acme.certops.test"
    const zone = (options.zone ?? "webhook.test").replace(/\.$/, "")
    const [securePort, callsPort] = yield* freePorts(2)
    const dir = join(options.dir, "webhook-solver")
    mkdirSync(dir, { recursive: true, mode: 0o700 })
    // The aggregator checks the serving certificate against <service>.<namespace>.svc.
    const ca = createAuthority("certops-test-webhook-solver-ca")
    const serving = issueLeaf(ca, {
      commonName: webhookServiceName,
      dnsNames: [`${webhookServiceName}.${webhookNamespace}.svc`, "localhost"],
      ips: ["127.0.0.1"],
      usage: "server",
    })
    writeFileSync(join(dir, "tls.crt"), serving.certPem)
    writeFileSync(join(dir, "tls.key"), serving.keyPem, { mode: 0o600 })
    const callsUrl = `http://127.0.0.1:${callsPort}/calls`
    const running = yield* startProcess({
      name: "webhook-solver",
      command,
      logDir: options.dir,
      env: {
        CERTOPS_SOLVER_GROUP: groupName,
        CERTOPS_SOLVER_ZONE: `${zone}.`,
        CERTOPS_SOLVER_DNS_ADDR: `127.0.0.1:${options.dnsPort}`,
        CERTOPS_SOLVER_CALLS_ADDR: `127.0.0.1:${callsPort}`,
      },
      args: [
        `--secure-port=${securePort}`,
        "--bind-address=127.0.0.1",
        `--tls-cert-file=${join(dir, "tls.crt")}`,
        `--tls-private-key-file=${join(dir, "tls.key")}`,
        // The admin kubeconfig also reads kube-system/extension-apiserver-authentication,
        // where the apiserver publishes the front-proxy CA and header names.
        `--kubeconfig=${options.kube.kubeconfig}`,
        `--authentication-kubeconfig=${options.kube.kubeconfig}`,
        `--authorization-kubeconfig=${options.kube.kubeconfig}`,
        "--profiling=false",
        "--v=1",
      ],
    })
    // The calls log opens in the solver's post-start hook, after its DNS server.
    yield* waitUntilReady(running, httpProbe(callsUrl, (status) => status === 200))

    const apiServiceName = `v1alpha1.${groupName}`
    yield* apply(options.kube, `/api/v1/namespaces/${webhookNamespace}`, {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: webhookNamespace },
    })
    yield* apply(options.kube, `/api/v1/namespaces/${webhookNamespace}/services/${webhookServiceName}`, {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: webhookServiceName, namespace: webhookNamespace },
      spec: { type: "ExternalName", externalName: "localhost", ports: [{ name: "https", port: securePort, protocol: "TCP" }] },
    })
    yield* apply(options.kube, `/apis/apiregistration.k8s.io/v1/apiservices/${apiServiceName}`, {
      apiVersion: "apiregistration.k8s.io/v1",
      kind: "APIService",
      metadata: { name: apiServiceName },
      spec: {
        group: groupName,
        version: "v1alpha1",
        service: { namespace: webhookNamespace, name: webhookServiceName, port: securePort },
        caBundle: b64(ca.certPem),
        groupPriorityMinimum: 1000,
        versionPriority: 15,
      },
    })

    // Errors keep the last answer seen, so a timeout says what was wrong.
    let last = ""
    const withLast = (error: ComponentError) =>
      new ComponentError({ component: error.component, detail: `${error.detail}\nlast answer: ${last}`, logPath: running.logPath })
    const available = Effect.promise(() =>
      kubeRequest(options.kube, "GET", `/apis/apiregistration.k8s.io/v1/apiservices/${apiServiceName}`)
        .then((response) => {
          const conditions = (JSON.parse(response.body) as { status?: { conditions?: Array<{ type: string; status: string; message?: string }> } }).status?.conditions ?? []
          const condition = conditions.find((c) => c.type === "Available")
          last = `APIService ${apiServiceName} Available=${condition?.status ?? "?"}: ${condition?.message ?? ""}`
          return condition?.status === "True"
        })
        .catch((error: unknown) => ((last = String(error)), false)),
    )
    yield* waitUntilReady(running, available, "60 seconds").pipe(Effect.mapError(withLast))

    // A real call through the aggregator: proves the whole path, auth included.
    const path = `/apis/${groupName}/v1alpha1/${solverName}`
    const answers = Effect.promise(() =>
      kubeRequest(
        options.kube,
        "POST",
        path,
        challengePayload({
          action: "CleanUp",
          dnsName: `env-ready.${zone}`,
          key: "certops-env-ready",
          resolvedFQDN: `_acme-challenge.env-ready.${zone}.`,
          resolvedZone: `${zone}.`,
        }),
      )
        .then((response) => {
          last = `POST ${path}: HTTP ${response.status} ${response.body}`
          if (response.status !== 200 && response.status !== 201) return false
          return (JSON.parse(response.body) as { response?: { success?: boolean } }).response?.success === true
        })
        .catch((error: unknown) => ((last = String(error)), false)),
    )
    yield* waitUntilReady(running, answers, "30 seconds").pipe(Effect.mapError(withLast))

    return { groupName, solverName, zone, dnsHost: "127.0.0.1", dnsPort: options.dnsPort, callsUrl, process: running }
  })
