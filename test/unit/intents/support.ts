// Builders for intent tests: files from YAML text, and the manifests most
// tests start from.
import { stringify } from "yaml"
import type { SourceFile } from "../../../src/manifests/source-file.ts"

const encoder = new TextEncoder()

export const file = (path: string, text: string, symlink = false): SourceFile =>
  symlink ? { path, bytes: encoder.encode(text), symlink } : { path, bytes: encoder.encode(text) }

/** One file holding `documents` as a YAML stream. */
export const manifests = (path: string, ...documents: ReadonlyArray<unknown>): SourceFile =>
  file(path, documents.map((document) => `---\n${stringify(document)}`).join(""))

export const certificate = (name: string, spec: Record<string, unknown> = {}, metadata: Record<string, unknown> = {}) => ({
  apiVersion: "cert-manager.io/v1",
  kind: "Certificate",
  metadata: { name, ...metadata },
  spec: {
    secretName: `${name}-tls`,
    dnsNames: [`${name}.example.com`],
    issuerRef: { name: "selfsigned", kind: "ClusterIssuer" },
    ...spec,
  },
})

export const clusterIssuer = (name: string, spec: Record<string, unknown> = { selfSigned: {} }) => ({
  apiVersion: "cert-manager.io/v1",
  kind: "ClusterIssuer",
  metadata: { name },
  spec,
})

export const issuer = (name: string, namespace?: string, spec: Record<string, unknown> = { selfSigned: {} }) => ({
  apiVersion: "cert-manager.io/v1",
  kind: "Issuer",
  metadata: namespace === undefined ? { name } : { name, namespace },
  spec,
})

export const acme = (solvers: ReadonlyArray<unknown>) => ({
  acme: { server: "https://acme.example.com/directory", privateKeySecretRef: { name: "account" }, solvers },
})

export const http01 = { http01: { ingress: { ingressClassName: "nginx" } } }
export const dns01 = { dns01: { rfc2136: { nameserver: "192.0.2.53:53" } } }

/** The self-signed ClusterIssuer `certificate()` points at, so that tests only see the problem they make. */
export const selfSigned = manifests("issuers.yaml", clusterIssuer("selfsigned"))
