// ingress-shim's derivation: the Certificates an annotated Ingress asks for,
// each annotation cert-manager honours with its name and value as
// cert-manager reads them, and the problems that stop an Ingress or an entry.
import { describe, expect, it } from "vitest"
import type { Ingress } from "../../../src/api/core.ts"
import { describeIngressProblem, splitCsv } from "../../../src/rules/shim-annotations.ts"
import { certificatesForGateway, certificatesForIngress } from "../../../src/rules/shim-certificates.ts"

const ingress = (annotations: Record<string, string>, tls: NonNullable<NonNullable<Ingress["spec"]>["tls"]> = [{ hosts: ["web.example.com"], secretName: "web-tls" }], labels: Record<string, string> = {}): Ingress => ({
  apiVersion: "networking.k8s.io/v1",
  kind: "Ingress",
  metadata: { name: "web", namespace: "shop", uid: "uid-1", annotations, labels },
  spec: { tls },
})

const only = (annotations: Record<string, string>) => {
  const derived = certificatesForIngress(ingress({ "cert-manager.io/issuer": "letsencrypt", ...annotations }))
  expect(derived.problems).toEqual([])
  expect(derived.certificates).toHaveLength(1)
  return derived.certificates[0]!
}

const problemOf = (annotations: Record<string, string>) => {
  const derived = certificatesForIngress(ingress({ "cert-manager.io/issuer": "letsencrypt", ...annotations }))
  expect(derived.halted).toBe(true)
  expect(derived.certificates).toEqual([])
  return derived.problems.map(describeIngressProblem).join("; ")
}

describe("certificatesForIngress", () => {
  it("asks for nothing without an issuer annotation, or with tls-acme and no default issuer", () => {
    expect(certificatesForIngress(ingress({})).annotated).toBe(false)
    expect(certificatesForIngress(ingress({ "kubernetes.io/tls-acme": "true" })).annotated).toBe(false)
  })

  it("makes one Certificate per tls entry, named after its secretName, owned by the Ingress, the hosts as names", () => {
    const derived = certificatesForIngress(
      ingress({ "cert-manager.io/issuer": "letsencrypt" }, [
        { hosts: ["web.example.com", "www.example.com"], secretName: "web-tls" },
        { hosts: ["api.example.com", "192.0.2.7"], secretName: "api-tls" },
      ], { app: "shop", "applyset.kubernetes.io/part-of": "set-1", "certops.io/managed": "true" }),
    )
    expect(derived.certificates.map((certificate) => certificate.metadata.name)).toEqual(["web-tls", "api-tls"])
    const [web, api] = derived.certificates
    expect(web!.metadata.namespace).toBe("shop")
    expect(web!.metadata.labels).toEqual({ app: "shop" })
    expect(web!.metadata.ownerReferences).toEqual([{ apiVersion: "networking.k8s.io/v1", kind: "Ingress", name: "web", uid: "uid-1", controller: true, blockOwnerDeletion: true }])
    expect(web!.spec).toEqual({
      secretName: "web-tls",
      issuerRef: { name: "letsencrypt", kind: "Issuer", group: "cert-manager.io" },
      usages: ["digital signature", "key encipherment"],
      dnsNames: ["web.example.com", "www.example.com"],
    })
    expect(api!.spec.dnsNames).toEqual(["api.example.com"])
    expect(api!.spec.ipAddresses).toEqual(["192.0.2.7"])
  })

  it("takes the issuer from cluster-issuer, issuer-kind and issuer-group, or the default issuer for tls-acme", () => {
    expect(only({ "cert-manager.io/issuer": "ca", "cert-manager.io/issuer-kind": "LabIssuer", "cert-manager.io/issuer-group": "lab.example.com" }).spec.issuerRef)
      .toEqual({ name: "ca", kind: "LabIssuer", group: "lab.example.com" })
    const cluster = certificatesForIngress(ingress({ "cert-manager.io/cluster-issuer": "letsencrypt-prod" })).certificates[0]!
    expect(cluster.spec.issuerRef).toEqual({ name: "letsencrypt-prod", kind: "ClusterIssuer", group: "cert-manager.io" })
    const acme = certificatesForIngress(ingress({ "kubernetes.io/tls-acme": "true" }), { name: "default-acme", kind: "ClusterIssuer", group: "cert-manager.io" })
    expect(acme.certificates[0]!.spec.issuerRef.name).toBe("default-acme")
  })

  it("translates every annotation cert-manager honours", () => {
    const certificate = only({
      "cert-manager.io/common-name": "web.example.com",
      "cert-manager.io/alt-names": "alt.example.com,other.example.com",
      "cert-manager.io/ip-sans": "192.0.2.1",
      "cert-manager.io/uri-sans": "spiffe://example.com/web",
      "cert-manager.io/email-sans": "ops@example.com,web@example.com",
      "cert-manager.io/duration": "2160h",
      "cert-manager.io/renew-before": "360h",
      "cert-manager.io/usages": "digital signature, key encipherment,server auth",
      "cert-manager.io/revision-history-limit": "3",
      "cert-manager.io/private-key-algorithm": "ECDSA",
      "cert-manager.io/private-key-size": "384",
      "cert-manager.io/private-key-encoding": "PKCS8",
      "cert-manager.io/private-key-rotation-policy": "Always",
      "cert-manager.io/subject-organizations": '"Example, Inc.",Shop',
      "cert-manager.io/subject-organizationalunits": "Web",
      "cert-manager.io/subject-countries": "NL",
      "cert-manager.io/subject-provinces": "Noord-Holland",
      "cert-manager.io/subject-localities": "Amsterdam",
      "cert-manager.io/subject-streetaddresses": "Damrak 1",
      "cert-manager.io/subject-postalcodes": "1012 LG",
      "cert-manager.io/subject-serialnumber": "42",
      "cert-manager.io/secret-template": '{"labels":{"team":"shop"},"annotations":{"reflector/allowed":"true"}}',
    })
    expect(certificate.spec).toMatchObject({
      commonName: "web.example.com",
      dnsNames: ["web.example.com", "alt.example.com", "other.example.com"],
      ipAddresses: ["192.0.2.1"],
      uris: ["spiffe://example.com/web"],
      emailAddresses: ["ops@example.com", "web@example.com"],
      duration: "2160h",
      renewBefore: "360h",
      usages: ["digital signature", "key encipherment", "server auth"],
      revisionHistoryLimit: 3,
      privateKey: { algorithm: "ECDSA", size: 384, encoding: "PKCS8", rotationPolicy: "Always" },
      subject: {
        organizations: ["Example, Inc.", "Shop"], organizationalUnits: ["Web"], countries: ["NL"], provinces: ["Noord-Holland"],
        localities: ["Amsterdam"], streetAddresses: ["Damrak 1"], postalCodes: ["1012 LG"], serialNumber: "42",
      },
      secretTemplate: { labels: { team: "shop" }, annotations: { "reflector/allowed": "true" } },
    })
    expect(only({ "cert-manager.io/renew-before-percentage": "25" }).spec.renewBeforePercentage).toBe(25)
  })

  it("stops the whole Ingress at an annotation it cannot read, naming the annotation", () => {
    expect(problemOf({ "cert-manager.io/duration": "90 days" })).toBe('metadata.annotations["cert-manager.io/duration"]: "90 days" is not a duration (such as 2160h or 1h30m)')
    expect(problemOf({ "cert-manager.io/renew-before": "soon" })).toContain("cert-manager.io/renew-before")
    expect(problemOf({ "cert-manager.io/usages": "server-auth" })).toBe('metadata.annotations["cert-manager.io/usages"]: invalid key usage name "server-auth"')
    expect(problemOf({ "cert-manager.io/revision-history-limit": "0" })).toContain("revision history limit must be a positive number")
    expect(problemOf({ "cert-manager.io/private-key-algorithm": "DSA" })).toContain('invalid private key algorithm "DSA"')
    expect(problemOf({ "cert-manager.io/private-key-size": "1024" })).toContain('invalid private key size for RSA algorithm "1024"')
    expect(problemOf({ "cert-manager.io/private-key-algorithm": "ECDSA", "cert-manager.io/private-key-size": "2048" })).toContain("invalid private key size for ECDSA algorithm")
    expect(problemOf({ "cert-manager.io/private-key-encoding": "DER" })).toContain('invalid private key encoding "DER"')
    expect(problemOf({ "cert-manager.io/private-key-rotation-policy": "Sometimes" })).toContain('invalid private key rotation policy "Sometimes"')
    expect(problemOf({ "cert-manager.io/subject-organizations": 'Example "Inc"' })).toContain("cert-manager.io/subject-organizations")
    expect(problemOf({ "cert-manager.io/secret-template": "{labels" })).toContain("error parsing secret template JSON")
    expect(problemOf({ "cert-manager.io/secret-template": '{"annotations":{"cert-manager.io/x":"y"}}' })).toContain("must not have cert-manager.io/ annotations")
    expect(problemOf({ "cert-manager.io/cluster-issuer": "other" })).toContain('both "cert-manager.io/issuer" and "cert-manager.io/cluster-issuer" may not be set')
  })

  it("refuses a secretName in two entries, and skips an entry without hosts or secretName", () => {
    const twice = certificatesForIngress(ingress({ "cert-manager.io/issuer": "le" }, [{ hosts: ["a.example.com"], secretName: "same" }, { hosts: ["b.example.com"], secretName: "same" }]))
    expect(twice.halted).toBe(true)
    expect(twice.problems.map(describeIngressProblem)).toEqual(["spec.tls[0].secretName: this secret name must only appear in a single TLS entry but is also used in spec.tls[1].secretName"])
    const partial = certificatesForIngress(ingress({ "cert-manager.io/issuer": "le" }, [{ secretName: "no-hosts" }, { hosts: ["b.example.com"], secretName: "fine" }]))
    expect(partial.halted).toBe(false)
    expect(partial.certificates.map((certificate) => certificate.metadata.name)).toEqual(["fine"])
    expect(partial.problems.map((problem) => problem.path)).toEqual(["spec.tls[0].hosts"])
  })
})

describe("splitCsv (cert-manager's SplitWithEscapeCSV)", () => {
  it("splits on commas outside quotes, and refuses a stray quote", () => {
    expect(splitCsv("a,b")).toEqual(["a", "b"])
    expect(splitCsv('"a, b",c')).toEqual(["a, b", "c"])
    expect(splitCsv('"say ""hi"""')).toEqual(['say "hi"'])
    expect(typeof splitCsv('a"b')).toBe("string")
    expect(typeof splitCsv('"open')).toBe("string")
  })
})

describe("certificatesForGateway", () => {
  const gateway = (listeners: ReadonlyArray<Record<string, unknown>>, annotations: Record<string, string> = { "cert-manager.io/cluster-issuer": "le" }) =>
    ({ apiVersion: "gateway.networking.k8s.io/v1", kind: "Gateway", metadata: { name: "edge", namespace: "net", uid: "g-1", annotations }, spec: { gatewayClassName: "x", listeners } }) as unknown as Parameters<typeof certificatesForGateway>[0]
  const https = (name: string, hostname: string | undefined, secret: string, extra: Record<string, unknown> = {}) => ({ name, ...(hostname === undefined ? {} : { hostname }), port: 443, protocol: "HTTPS", tls: { mode: "Terminate", certificateRefs: [{ name: secret }] }, ...extra })

  it("asks for one Certificate per Secret, the hosts of every listener naming it, owned by the Gateway, solved through it", () => {
    const derived = certificatesForGateway(gateway([https("a", "a.example.com", "shared"), https("b", "b.example.com", "shared"), { name: "plain", hostname: "c.example.com", port: 80, protocol: "HTTP" }]))
    expect(derived.certificates.map((certificate) => [certificate.metadata.name, certificate.spec.dnsNames])).toEqual([["shared", ["a.example.com", "b.example.com"]]])
    expect(derived.certificates[0]!.metadata.ownerReferences?.[0]).toMatchObject({ apiVersion: "gateway.networking.k8s.io/v1", kind: "Gateway", name: "edge", uid: "g-1", controller: true })
    expect(derived.certificates[0]!.metadata.annotations).toEqual({ "acme.cert-manager.io/http01-parentrefkind": "Gateway", "acme.cert-manager.io/http01-parentrefname": "edge" })
  })

  it("skips, with the field, a listener without hostname, a foreign Secret, or a mode other than Terminate; ignores Passthrough and ignored listeners", () => {
    const derived = certificatesForGateway(gateway([
      https("nohost", undefined, "a"),
      https("foreign", "f.example.com", "b", { tls: { mode: "Terminate", certificateRefs: [{ name: "b", namespace: "other" }] } }),
      { name: "pass", hostname: "p.example.com", port: 443, protocol: "TLS", tls: { mode: "Passthrough" } },
      https("skip", "s.example.com", "c"),
    ], { "cert-manager.io/issuer": "le", "cert-manager.io/ignore-tls-listeners": "skip" }))
    expect(derived.certificates).toEqual([])
    expect(derived.problems.map((problem) => problem.path)).toEqual(["spec.listeners[0].hostname", "spec.listeners[1].tls.certificateRefs[0]"])
    expect(derived.halted).toBe(false)
    expect(derived.secretNames).toEqual(["a", "b", "c"])
  })
})
