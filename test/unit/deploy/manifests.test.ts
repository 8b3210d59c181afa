// deploy/ without a cluster: every file parses, the kustomization lists every
// file, RBAC has no wildcards, and the Deployment agrees with itself, its
// Services and certops' own settings. (The integration test has the API
// server validate the objects and exercises the RBAC with a real token.)
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { parseAllDocuments } from "yaml"
import { environmentName, settingNames } from "../../../src/settings/resolve-config.ts"
import manifest from "../../../package.json" with { type: "json" }

const root = join(import.meta.dirname, "../../..")
const deployDir = join(root, "deploy")

interface KubeObject {
  readonly apiVersion: string
  readonly kind: string
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Record<string, string> }
  readonly [field: string]: any
}

const isYaml = (file: string) => /\.ya?ml$/.test(file)

/** Every document of a file, failing on any YAML error or warning. */
const documentsOf = (path: string): ReadonlyArray<any> =>
  parseAllDocuments(readFileSync(path, "utf8")).map((document) => {
    expect([...document.errors, ...document.warnings].map((problem) => problem.message), path).toEqual([])
    return document.toJS()
  })

const manifestFiles = readdirSync(deployDir).filter((file) => isYaml(file) && file !== "kustomization.yaml").sort()
const objects: ReadonlyArray<KubeObject & { readonly file: string }> = manifestFiles.flatMap((file) =>
  documentsOf(join(deployDir, file)).map((object) => ({ ...object, file })),
)
const only = (kind: string): KubeObject => {
  const found = objects.filter((object) => object.kind === kind)
  expect(found, kind).toHaveLength(1)
  return found[0]!
}

const clusterScoped = new Set(["Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition"])

describe("deploy/", () => {
  it("holds valid YAML only, each document a named Kubernetes object", () => {
    expect(objects.length).toBeGreaterThan(0)
    for (const object of objects) {
      expect(object.apiVersion, object.file).toEqual(expect.any(String))
      expect(object.kind, object.file).toEqual(expect.any(String))
      expect(object.metadata?.name, object.file).toMatch(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/)
    }
  })

  it("lists every file in its kustomization, the generated CRDs as their directory", () => {
    const [kustomization] = documentsOf(join(deployDir, "kustomization.yaml"))
    expect([...kustomization.resources].sort()).toEqual(["admission", "crds", ...manifestFiles].sort())
    const [crds] = documentsOf(join(deployDir, "crds/kustomization.yaml"))
    const crdFiles = readdirSync(join(deployDir, "crds")).filter((file) => isYaml(file) && file !== "kustomization.yaml")
    expect([...crds.resources].sort()).toEqual(crdFiles.sort())
  })

  it("puts every namespaced object in the certops namespace, which it creates", () => {
    expect(only("Namespace").metadata.name).toBe("certops")
    for (const object of objects.filter((candidate) => !clusterScoped.has(candidate.kind))) {
      expect(object.metadata.namespace, `${object.kind} ${object.metadata.name}`).toBe("certops")
    }
  })

  it("grants no wildcard, and nothing but Leases in the namespaced Role", () => {
    for (const role of objects.filter((object) => object.kind === "ClusterRole" || object.kind === "Role")) {
      for (const rule of role["rules"] as ReadonlyArray<Record<string, ReadonlyArray<string>>>) {
        for (const field of ["apiGroups", "resources", "verbs", "resourceNames", "nonResourceURLs"]) {
          // A signer's name "issuers.cert-manager.io/*" is no RBAC wildcard: cert-manager asks for that literal name, meaning every issuer of the kind.
          const literal = (value: string) => field === "resourceNames" && rule["resources"]?.join() === "signers" && /^(cluster)?issuers\.cert-manager\.io\/\*$/.test(value)
          for (const value of rule[field] ?? []) if (!literal(value)) expect(value, `${role.kind} ${role.metadata.name} ${field}`).not.toContain("*")
        }
        for (const verb of ["escalate", "bind", "impersonate", "deletecollection"]) expect(rule["verbs"]).not.toContain(verb)
      }
    }
    expect(only("Role")["rules"]).toEqual([{ apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["get", "create", "update"] }])
  })

  it("binds the roles to certops' ServiceAccount", () => {
    const account = only("ServiceAccount")
    for (const [binding, role] of [["ClusterRoleBinding", "ClusterRole"], ["RoleBinding", "Role"]] as const) {
      const object = only(binding)
      expect(object["roleRef"]).toEqual({ apiGroup: "rbac.authorization.k8s.io", kind: role, name: only(role).metadata.name })
      expect(object["subjects"]).toEqual([{ kind: "ServiceAccount", name: account.metadata.name, namespace: account.metadata.namespace }])
    }
  })

  describe("the Deployment", () => {
    const deployment = only("Deployment")
    const pod = deployment["spec"].template.spec
    const container = pod.containers[0]
    const env = new Map<string, any>(container.env.map((variable: { name: string }) => [variable.name, variable]))
    const portNamed = (name: string): number => container.ports.find((port: { name: string }) => port.name === name)?.containerPort

    it("runs two replicas of this version's image with `run`, spread across nodes", () => {
      expect(deployment["spec"].replicas).toBe(2)
      expect(container.image).toBe(`ghcr.io/certops/certops:${manifest.version}`)
      expect(container.args).toEqual(["run"])
      expect(pod.serviceAccountName).toBe(only("ServiceAccount").metadata.name)
      const spread = (pod.topologySpreadConstraints ?? []).map((constraint: { topologyKey: string }) => constraint.topologyKey)
      const antiAffinity = pod.affinity?.podAntiAffinity !== undefined
      expect(spread.includes("kubernetes.io/hostname") || antiAffinity).toBe(true)
    })

    it("is locked down: non-root, read-only root, no privilege escalation, no capabilities, RuntimeDefault seccomp", () => {
      expect(pod.securityContext.runAsNonRoot).toBe(true)
      expect(pod.securityContext.seccompProfile).toEqual({ type: "RuntimeDefault" })
      expect(container.securityContext).toMatchObject({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ["ALL"] },
        seccompProfile: { type: "RuntimeDefault" },
      })
    })

    it("has requests and limits", () => {
      expect(container.resources.requests).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) })
      expect(container.resources.limits).toMatchObject({ memory: expect.any(String) })
    })

    it("probes /livez and /readyz on the http port, 8080", () => {
      expect(portNamed("http")).toBe(8080)
      expect(container.livenessProbe.httpGet).toEqual({ path: "/livez", port: "http" })
      expect(container.readinessProbe.httpGet).toEqual({ path: "/readyz", port: "http" })
    })

    it("exposes the webhook on 8081 and the HTTP-01 responder on 8089, where certops listens", () => {
      expect(portNamed("webhook")).toBe(8081)
      expect(portNamed("acme-http01")).toBe(8089)
      // Every port certops is told to use is one the container declares, on all interfaces.
      expect(Number(env.get("CERTOPS_HTTP_PORT")?.value)).toBe(portNamed("http"))
      expect(Number(env.get("CERTOPS_WEBHOOK_PORT")?.value)).toBe(portNamed("webhook"))
      expect(Number(env.get("CERTOPS_HTTP01_PORT")?.value)).toBe(portNamed("acme-http01"))
      expect(env.get("CERTOPS_HTTP_HOST")?.value).toBe("0.0.0.0")
    })

    it("sets only variables `certops run` reads", () => {
      const known = new Set(settingNames.map(environmentName))
      const certopsVariables = [...env.keys()].filter((name) => name.startsWith("CERTOPS_"))
      expect(certopsVariables).toContain("CERTOPS_GIT_URL")
      expect(certopsVariables.filter((name) => !known.has(name))).toEqual([])
    })

    it("tells leader election its namespace and name from the Pod, where the Role grants Leases", () => {
      expect(env.get("POD_NAMESPACE")?.valueFrom).toEqual({ fieldRef: { fieldPath: "metadata.namespace" } })
      expect(env.get("POD_NAME")?.valueFrom).toEqual({ fieldRef: { fieldPath: "metadata.name" } })
      expect(only("Role").metadata.namespace).toBe(deployment.metadata.namespace)
    })

    it("reads Git credentials from a Secret: a secretKeyRef, and files on a read-only mount", () => {
      expect(env.get("CERTOPS_GIT_USERNAME")?.valueFrom?.secretKeyRef).toMatchObject({ name: "certops-git" })
      const mount = container.volumeMounts.find((candidate: { mountPath: string }) => env.get("CERTOPS_GIT_TOKEN_FILE")?.value.startsWith(`${candidate.mountPath}/`))
      expect(mount?.readOnly).toBe(true)
      expect(pod.volumes.find((volume: { name: string }) => volume.name === mount.name)?.secret?.secretName).toBe("certops-git")
      expect(env.get("CERTOPS_WEBHOOK_SECRET_FILE")?.value.startsWith(`${mount.mountPath}/`)).toBe(true)
    })

    it("keeps state in an emptyDir at /var/lib/certops and gives /tmp a writable mount", () => {
      const volumeAt = (path: string) => {
        const mount = container.volumeMounts.find((candidate: { mountPath: string }) => candidate.mountPath === path)
        return pod.volumes.find((volume: { name: string }) => volume.name === mount?.name)
      }
      expect(volumeAt("/var/lib/certops")?.emptyDir).toBeDefined()
      expect(volumeAt("/tmp")?.emptyDir).toBeDefined()
      expect(env.get("CERTOPS_STATE_DIR")?.value).toBe("/var/lib/certops")
    })

    it("is what its Services and PodDisruptionBudget select, on ports it declares", () => {
      const podLabels = deployment["spec"].template.metadata.labels
      expect(podLabels).toMatchObject(deployment["spec"].selector.matchLabels)
      const services = objects.filter((object) => object.kind === "Service")
      expect(services.map((service) => service.metadata.name).sort()).toEqual(["certops", "certops-acme-http01"])
      for (const service of services) {
        expect(podLabels).toMatchObject(service["spec"].selector)
        for (const port of service["spec"].ports) expect(portNamed(port.targetPort), `${service.metadata.name} → ${port.targetPort}`).toBeDefined()
      }
      const acme = services.find((service) => service.metadata.name === "certops-acme-http01")!
      expect(acme["spec"].ports.map((port: { targetPort: string }) => port.targetPort)).toEqual(["acme-http01"])
      expect(podLabels).toMatchObject(only("PodDisruptionBudget")["spec"].selector.matchLabels)
    })
  })
})
