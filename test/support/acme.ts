// Test helpers around pebble: its roots, and chain verification.
import { X509Certificate } from "node:crypto"
import { Agent, request } from "node:https"
import type { AcmeServer } from "../env/pebble.ts"

/** An HTTPS agent that trusts pebble's own TLS certificate. */
export const pebbleAgent = (acme: AcmeServer): Agent => new Agent({ ca: acme.tlsCaPem, keepAlive: true })

const get = (url: string, ca: string): Promise<string> =>
  new Promise((resolve, reject) => {
    request(url, { ca }, (response) => {
      let body = ""
      response.setEncoding("utf8")
      response.on("data", (chunk: string) => (body += chunk))
      response.on("end", () =>
        response.statusCode === 200 ? resolve(body) : reject(new Error(`GET ${url}: ${response.statusCode} ${body}`)),
      )
    })
      .on("error", reject)
      .end()
  })

/** The root pebble issues under (random per pebble run). */
export const pebbleRoot = async (acme: AcmeServer): Promise<X509Certificate> =>
  new X509Certificate(await get(`${acme.managementUrl}/roots/0`, acme.tlsCaPem))

export const splitPemChain = (pem: string): ReadonlyArray<X509Certificate> =>
  (pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map((block) => new X509Certificate(block))

/** True when each certificate is signed by the next and the last by `root`. */
export const chainVerifies = (chain: ReadonlyArray<X509Certificate>, root: X509Certificate): boolean =>
  chain.length > 0 &&
  chain.every((certificate, index) => {
    const issuer = chain[index + 1] ?? root
    return certificate.checkIssued(issuer) && certificate.verify(issuer.publicKey)
  })

export const dnsNamesOf = (certificate: X509Certificate): ReadonlyArray<string> =>
  (certificate.subjectAltName ?? "")
    .split(", ")
    .filter((entry) => entry.startsWith("DNS:"))
    .map((entry) => entry.slice(4))
    .sort()
