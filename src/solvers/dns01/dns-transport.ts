// Sending one DNS message to one server and getting its answer: over UDP,
// sent again after a timeout, then over TCP when the answer came back
// truncated (RFC 7766); or POSTed to a DNS-over-HTTPS endpoint (RFC 8484).
// The thin adapter around node:dgram, node:net and fetch; everything above it
// works on encoded messages.
import { createSocket } from "node:dgram"
import { connect, isIP } from "node:net"
import { Context, Duration, Effect, Layer, Schedule, Schema } from "effect"
import { formatQueryServer, isDoh, type DohEndpoint, type Nameserver, type QueryServer } from "../../rules/nameserver.ts"
import { u16 } from "./wire.ts"

export class DnsTransportError extends Schema.TaggedError<DnsTransportError>()("DnsTransportError", {
  server: Schema.String,
  detail: Schema.String,
}) {
  override get message() {
    return `${this.server}: ${this.detail}`
  }
}

export interface DnsTransportOptions {
  /** How long to wait for each UDP answer, and for a whole TCP exchange. */
  readonly timeout: Duration.Input
  /** How many more times to send over UDP after a timeout or a network error. */
  readonly retries: number
}

/** miekg/dns's 2 s read timeout, three tries in all. */
export const defaultDnsTransportOptions: DnsTransportOptions = { timeout: "2 seconds", retries: 2 }

export class DnsTransport extends Context.Service<
  DnsTransport,
  {
    /** The answer to request (an encoded message) from server: same message ID, QR set. */
    readonly exchange: (server: QueryServer, request: Buffer) => Effect.Effect<Buffer, DnsTransportError>
  }
>()("certops/solvers/dns01/DnsTransport") {}

const TRUNCATED = 0x0200

const isAnswerTo = (request: Buffer, message: Buffer) =>
  message.length >= 12 && message.readUInt16BE(0) === request.readUInt16BE(0) && (message[2]! & 0x80) !== 0

const failure = (server: QueryServer, detail: string) => new DnsTransportError({ server: formatQueryServer(server), detail })

const withTimeout = (server: QueryServer, timeout: Duration.Input, protocol: string) =>
  Effect.timeoutOrElse({
    duration: timeout,
    orElse: () => Effect.fail(failure(server, `no answer over ${protocol} within ${Duration.format(Duration.fromInputUnsafe(timeout))}`)),
  })

const overUdp = (server: Nameserver, request: Buffer, timeout: Duration.Input): Effect.Effect<Buffer, DnsTransportError> =>
  Effect.acquireUseRelease(
    Effect.sync(() => createSocket(isIP(server.host) === 6 ? "udp6" : "udp4")),
    (socket) =>
      Effect.callback<Buffer, DnsTransportError>((resume) => {
        // Strays (late answers to an earlier try, anything not ours) are skipped, not failed on.
        socket.on("message", (message) => {
          if (isAnswerTo(request, message)) resume(Effect.succeed(message))
        })
        socket.on("error", (error) => resume(Effect.fail(failure(server, error.message))))
        // A connected socket hears only the server, and hears an ICMP refusal as
        // an error at once. (Without a connect callback, a failed lookup of the
        // host comes as an "error" event too.)
        socket.once("connect", () => socket.send(request))
        socket.connect(server.port, server.host)
      }).pipe(withTimeout(server, timeout, "UDP")),
    (socket) =>
      Effect.sync(() => {
        // close() throws when the socket already failed to open; there is nothing left to release then.
        try {
          socket.close()
        } catch {}
      }),
  )

const overTcp = (server: Nameserver, request: Buffer, timeout: Duration.Input): Effect.Effect<Buffer, DnsTransportError> =>
  Effect.acquireUseRelease(
    Effect.sync(() => connect({ host: server.host, port: server.port })),
    (socket) =>
      Effect.callback<Buffer, DnsTransportError>((resume) => {
        let received = Buffer.alloc(0)
        socket.on("connect", () => socket.write(Buffer.concat([u16(request.length), request])))
        // Over TCP every message is preceded by its length (RFC 1035 §4.2.2).
        socket.on("data", (chunk) => {
          received = Buffer.concat([received, chunk])
          if (received.length < 2 || received.length < 2 + received.readUInt16BE(0)) return
          const message = received.subarray(2, 2 + received.readUInt16BE(0))
          resume(isAnswerTo(request, message) ? Effect.succeed(message) : Effect.fail(failure(server, "the answer over TCP is not for this request")))
        })
        socket.on("error", (error) => resume(Effect.fail(failure(server, error.message))))
        socket.on("close", () => resume(Effect.fail(failure(server, "the server closed the TCP connection before answering"))))
      }).pipe(withTimeout(server, timeout, "TCP")),
    (socket) => Effect.sync(() => socket.destroy()),
  )

const DNS_MESSAGE = "application/dns-message"

const overHttps = (server: DohEndpoint, request: Buffer, timeout: Duration.Input): Effect.Effect<Buffer, DnsTransportError> =>
  Effect.tryPromise({
    try: async (signal) => {
      const response = await fetch(server.url, {
        method: "POST",
        headers: { "content-type": DNS_MESSAGE, accept: DNS_MESSAGE },
        body: new Uint8Array(request),
        signal,
      })
      if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText}`.trim())
      return Buffer.from(await response.arrayBuffer())
    },
    catch: (error) => failure(server, error instanceof Error ? (error.cause instanceof Error ? `${error.message}: ${error.cause.message}` : error.message) : String(error)),
  }).pipe(
    Effect.flatMap((answer) => (isAnswerTo(request, answer) ? Effect.succeed(answer) : Effect.fail(failure(server, "the answer over HTTPS is not for this request")))),
    withTimeout(server, timeout, "HTTPS"),
  )

export const makeDnsTransport = (options: DnsTransportOptions = defaultDnsTransportOptions): DnsTransport["Service"] => {
  // A short pause before each resend: after a timeout the real wait is behind
  // us; after a refusal it gives a restarting server a moment.
  const resend = Schedule.max([Schedule.recurs(options.retries), Schedule.exponential("100 millis")])
  return DnsTransport.of({
    exchange: (server, request) =>
      isDoh(server)
        ? overHttps(server, request, options.timeout)
        : overUdp(server, request, options.timeout).pipe(
            Effect.retry(resend),
            Effect.flatMap((answer) =>
              (answer.readUInt16BE(2) & TRUNCATED) !== 0 ? overTcp(server, request, options.timeout) : Effect.succeed(answer),
            ),
          ),
  })
}

export const dnsTransportLayer = (options: DnsTransportOptions = defaultDnsTransportOptions): Layer.Layer<DnsTransport> =>
  Layer.succeed(DnsTransport, makeDnsTransport(options))
