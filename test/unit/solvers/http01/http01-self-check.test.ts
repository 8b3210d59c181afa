// The HTTP-01 self check against a web server on loopback: what passes, and
// the cert-manager texts for what does not.
import { createServer, type IncomingHttpHeaders, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { Effect, Layer } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { Challenge } from "../../../../src/api/acme-challenge.ts"
import { challengeUrl, checkHttp01 } from "../../../../src/solvers/http01/http01-self-check.ts"
import type { DnsTransport } from "../../../../src/solvers/dns01/dns-transport.ts"
import { challenge } from "../challenges.ts"
import { fakeNameserver } from "../dns01/fake-nameserver.ts"

/** What the site answers at each path; anything else is a 404. */
const site = new Map<string, string>()
const seenHosts: Array<IncomingHttpHeaders["host"]> = []
let server: Server
let port: number

beforeAll(async () => {
  server = createServer((request, response) => {
    seenHosts.push(request.headers.host)
    const body = site.get(request.url ?? "")
    response.writeHead(body === undefined ? 404 : 200).end(body ?? "not here")
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  port = (server.address() as AddressInfo).port
})

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

const http01 = (dnsName: string, key = "token.thumbprint") =>
  challenge({ type: "HTTP-01", solver: { http01: { ingress: {} } }, dnsName, key, token: `token-${Math.random().toString(36).slice(2)}` })

const serve = (subject: Challenge, body = subject.spec.key) => site.set(`/.well-known/acme-challenge/${subject.spec.token}`, body)

const nameserver = fakeNameserver({ zone: "example.test", addresses: { "www.example.test": "127.0.0.1" } })

const check = (subject: Challenge, options: { port?: number; nameservers?: ReadonlyArray<string>; dns?: Layer.Layer<DnsTransport> } = {}) =>
  Effect.runPromise(
    checkHttp01(subject, { port: options.port ?? port, nameservers: options.nameservers ?? [] }).pipe(Effect.provide(options.dns ?? nameserver.layer)),
  )

describe("HTTP-01 self check", () => {
  it("passes when the body is the key authorization", async () => {
    const subject = http01("127.0.0.1")
    serve(subject)
    expect(await check(subject)).toEqual({ ok: true })
  })

  it("resolves the name at the self-check nameservers and sends it as the Host", async () => {
    const subject = http01("www.example.test")
    serve(subject)
    seenHosts.length = 0
    expect(await check(subject, { nameservers: ["10.0.0.53"] })).toEqual({ ok: true })
    expect(seenHosts).toEqual([`www.example.test:${port}`])
    expect(nameserver.questions).toContain("10.0.0.53:53 A www.example.test")
  })

  it("reports a wrong status code", async () => {
    expect(await check(http01("127.0.0.1"))).toEqual({ ok: false, detail: "wrong status code '404', expected '200'" })
  })

  it("reports a wrong body, cut to 24 characters", async () => {
    const subject = http01("127.0.0.1")
    serve(subject, "<html><body>Hello, world! This is not the key</body></html>")
    expect(await check(subject)).toEqual({
      ok: false,
      detail: `did not get expected response when querying endpoint, expected "token.thumbprint" but got: <html><body>Hello, world... (truncated)`,
    })
  })

  it("reports a refused connection with the URL", async () => {
    const closed = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, "127.0.0.1", () => {
        const free = (probe.address() as AddressInfo).port
        probe.close(() => resolve(free))
      })
    })
    const subject = http01("127.0.0.1")
    const url = `http://127.0.0.1:${closed}/.well-known/acme-challenge/${subject.spec.token}`
    expect(await check(subject, { port: closed })).toEqual({
      ok: false,
      detail: `failed to perform self check GET request '${url}': Get "${url}": connect ECONNREFUSED 127.0.0.1:${closed}`,
    })
  })

  it("reports a name the self-check nameservers do not know", async () => {
    const subject = http01("nowhere.example.test")
    const url = `http://nowhere.example.test:${port}/.well-known/acme-challenge/${subject.spec.token}`
    expect(await check(subject, { nameservers: ["10.0.0.53"] })).toEqual({
      ok: false,
      detail: `failed to perform self check GET request '${url}': Get "${url}": dial tcp: lookup nowhere.example.test on 10.0.0.53:53: no such host`,
    })
  })

  it("builds the URL as cert-manager does: no port for 80, IPv6 in brackets", () => {
    const subject = http01("www.example.test")
    const path = `/.well-known/acme-challenge/${subject.spec.token}`
    expect(challengeUrl(subject, 80)).toBe(`http://www.example.test${path}`)
    expect(challengeUrl(subject, 8080)).toBe(`http://www.example.test:8080${path}`)
    expect(challengeUrl({ ...subject, spec: { ...subject.spec, dnsName: "2001:db8::1" } }, 80)).toBe(`http://[2001:db8::1]${path}`)
  })
})
