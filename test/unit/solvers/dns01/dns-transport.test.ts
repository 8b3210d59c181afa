// The UDP/TCP transport against little servers on loopback: resending after
// silence, skipping strays, falling back to TCP for a truncated answer.
import { createSocket, type Socket } from "node:dgram"
import { createServer, type Server } from "node:net"
import * as dnsPacket from "dns-packet"
import { Effect } from "effect"
import { afterEach, describe, expect, it } from "vitest"
import { makeDnsTransport } from "../../../../src/solvers/dns01/dns-transport.ts"
import { encodeQuery } from "../../../../src/solvers/dns01/message.ts"

const transport = makeDnsTransport({ timeout: "200 millis", retries: 2 })

const answer = (request: Buffer, options: { id?: number; truncated?: boolean; text?: string } = {}) =>
  dnsPacket.encode({
    type: "response",
    id: options.id ?? request.readUInt16BE(0),
    flags: options.truncated === true ? dnsPacket.TRUNCATED_RESPONSE : 0,
    questions: dnsPacket.decode(request).questions ?? [],
    answers: options.truncated === true ? [] : [{ type: "TXT", name: "x.test", data: options.text ?? "over udp" }],
  })

const closers: Array<() => void> = []
afterEach(() => {
  for (const close of closers.splice(0)) close()
})

/** A UDP server on a free port; reply decides what (if anything) each request gets. */
const udpServer = (reply: (request: Buffer, count: number, send: (message: Buffer) => void) => void) =>
  new Promise<{ socket: Socket; port: number }>((resolve) => {
    const socket = createSocket("udp4")
    let count = 0
    socket.on("message", (request, from) => reply(request, ++count, (message) => socket.send(message, from.port, from.address)))
    socket.bind(0, "127.0.0.1", () => resolve({ socket, port: socket.address().port }))
    closers.push(() => socket.close())
  })

const tcpServer = (port: number, text: string) =>
  new Promise<Server>((resolve) => {
    const server = createServer((connection) => {
      connection.once("data", (data) => {
        const message = answer(data.subarray(2), { text })
        const length = Buffer.alloc(2)
        length.writeUInt16BE(message.length)
        connection.end(Buffer.concat([length, message]))
      })
    })
    server.listen(port, "127.0.0.1", () => resolve(server))
    closers.push(() => server.close())
  })

const query = encodeQuery(0x1234, "x.test", "TXT")
const textOf = (message: Buffer) => (dnsPacket.decode(message).answers?.[0] as dnsPacket.TxtAnswer | undefined)?.data?.toString()

describe("DNS transport", () => {
  it("sends again after silence", async () => {
    const { port } = await udpServer((request, count, send) => {
      if (count === 2) send(answer(request))
    })
    const response = await Effect.runPromise(transport.exchange({ host: "127.0.0.1", port }, query))
    expect(textOf(response)).toBe("over udp")
  })

  it("skips an answer with another message ID", async () => {
    const { port } = await udpServer((request, _count, send) => {
      send(answer(request, { id: request.readUInt16BE(0) ^ 1, text: "stray" }))
      send(answer(request))
    })
    const response = await Effect.runPromise(transport.exchange({ host: "127.0.0.1", port }, query))
    expect(textOf(response)).toBe("over udp")
  })

  it("asks again over TCP when the UDP answer is truncated", async () => {
    const { port } = await udpServer((request, _count, send) => send(answer(request, { truncated: true })))
    await tcpServer(port, "over tcp")
    const response = await Effect.runPromise(transport.exchange({ host: "127.0.0.1", port }, query))
    expect(textOf(response)).toBe("over tcp")
  })

  it("fails with the server and the reason after the last try", async () => {
    const { port } = await udpServer(() => undefined)
    const error = await Effect.runPromise(Effect.flip(transport.exchange({ host: "127.0.0.1", port }, query)))
    expect(error).toMatchObject({ _tag: "DnsTransportError", server: `127.0.0.1:${port}`, detail: "no answer over UDP within 200ms" })
  })
})
