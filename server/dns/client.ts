/**
 * dnsdeck's DNS client: one question, real packets. UDP first, TCP when the answer is truncated (or when asked),
 * a bounded wait, and DNS_ADDRESS_MAP applied to every destination. No `server-only`: the CLI uses it too.
 */
import { isIp } from "@/k8s/net";
import dgram from "node:dgram";
import net from "node:net";
import { randomInt } from "node:crypto";
import { checkType, decodeMessage, encodeQuery, normalizeName, DnsCodecError, type DnsRecord, type Rcode } from "./packet";
import { addressMapFromEnv, mapDestination, type AddressMap } from "./address-map";

export interface QueryOptions {
  name: string;
  type: string;
  /** The stack address to ask, e.g. "10.96.0.10" or "169.254.20.10" (with `via`). */
  server: string;
  port?: number;
  /** The node the query is sent from (for per-node addresses such as NodeLocal's 169.254.20.10). */
  via?: string;
  timeoutMs?: number;
  /** EDNS Client Subnet, e.g. "192.168.1.0/24" (the twin also treats it as the client's network). */
  ecs?: string;
  recursionDesired?: boolean;
  /** Start over TCP instead of UDP. */
  transport?: "udp" | "tcp";
  /** Overrides DNS_ADDRESS_MAP (tests). */
  addressMap?: AddressMap;
  /** Local address to send from (the twin's tests stand a LAN client in with 127.168.1.x); default: the system's. */
  localAddress?: string;
}

export interface QueryResult {
  rcode: Rcode;
  answers: DnsRecord[];
  authority: DnsRecord[];
  additional: DnsRecord[];
  flags: { aa: boolean; tc: boolean; rd: boolean; ra: boolean };
  latencyMs: number;
  transport: "udp" | "tcp";
  /** The stack address asked ("10.96.0.10:53", with "@node" when sent via a node). */
  server: string;
  /** Where the packets really went after DNS_ADDRESS_MAP ("127.96.0.10:5353"); equals `server` without a map entry. */
  sentTo: string;
}

export type DnsErrorKind = "timeout" | "unreachable" | "bad-response" | "bad-input";

export class DnsQueryError extends Error {
  constructor(
    readonly kind: DnsErrorKind,
    readonly server: string,
    message: string,
  ) {
    super(message);
    this.name = "DnsQueryError";
  }
}

export class DnsTimeoutError extends DnsQueryError {
  constructor(
    server: string,
    readonly timeoutMs: number,
  ) {
    super("timeout", server, `${server} did not answer within ${timeoutMs} ms`);
    this.name = "DnsTimeoutError";
  }
}

const DEFAULT_TIMEOUT_MS = 2000;

export async function query(opts: QueryOptions): Promise<QueryResult> {
  const port = opts.port ?? 53;
  const label = `${opts.server}:${port}${opts.via ? `@${opts.via}` : ""}`;
  const timeoutMs = Math.max(1, opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  let name: string;
  try {
    name = normalizeName(opts.name);
    checkType(opts.type);
  } catch (err) {
    throw new DnsQueryError("bad-input", label, (err as Error).message);
  }
  if (!isIp(opts.server.replace(/^\[|\]$/g, ""))) throw new DnsQueryError("bad-input", label, `server "${opts.server}" is not an IP address`);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new DnsQueryError("bad-input", label, `port ${port} is not 1-65535`);
  const dest = mapDestination(opts.addressMap ?? addressMapFromEnv(), { address: opts.server, port, via: opts.via });
  const sentTo = `${dest.host.includes(":") ? `[${dest.host}]` : dest.host}:${dest.port}`;
  const id = randomInt(0, 65536);
  let packet: Buffer;
  try {
    packet = encodeQuery({ id, name, type: opts.type, recursionDesired: opts.recursionDesired ?? true, ecs: opts.ecs, udpSize: 1232 });
  } catch (err) {
    throw new DnsQueryError("bad-input", label, (err as Error).message);
  }
  const started = performance.now();
  const deadline = started + timeoutMs;
  let transport: "udp" | "tcp" = opts.transport ?? "udp";
  let raw: Buffer;
  if (transport === "udp") {
    raw = await udpExchange(dest.host, dest.port, packet, id, deadline, label, timeoutMs, opts.localAddress);
    const first = decodeOrThrow(raw, label);
    if (first.flags.tc) {
      transport = "tcp";
      raw = await tcpExchange(dest.host, dest.port, packet, deadline, label, timeoutMs, opts.localAddress);
    }
  } else {
    raw = await tcpExchange(dest.host, dest.port, packet, deadline, label, timeoutMs, opts.localAddress);
  }
  const msg = decodeOrThrow(raw, label);
  if (msg.id !== id) throw new DnsQueryError("bad-response", label, `${label} answered with a different query id`);
  const q = msg.questions[0];
  if (q && (q.name !== name || q.type.toUpperCase() !== opts.type.toUpperCase()))
    throw new DnsQueryError("bad-response", label, `${label} answered a different question (${q.name} ${q.type})`);
  return {
    rcode: msg.rcode,
    answers: msg.answers,
    authority: msg.authority,
    additional: msg.additional,
    flags: { aa: msg.flags.aa, tc: msg.flags.tc, rd: msg.flags.rd, ra: msg.flags.ra },
    latencyMs: Math.round((performance.now() - started) * 10) / 10,
    transport,
    server: label,
    sentTo,
  };
}

function decodeOrThrow(raw: Buffer, label: string) {
  try {
    const msg = decodeMessage(raw);
    if (!msg.flags.qr) throw new DnsCodecError("the reply is not a response (QR bit clear)");
    return msg;
  } catch (err) {
    throw new DnsQueryError("bad-response", label, `${label} sent a malformed reply: ${(err as Error).message}`);
  }
}

function udpExchange(host: string, port: number, packet: Buffer, id: number, deadline: number, label: string, timeoutMs: number, localAddress?: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const sock = dgram.createSocket(net.isIPv6(host) ? "udp6" : "udp4");
    let done = false;
    const finish = (err: Error | null, buf?: Buffer) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.close();
      if (err) reject(err);
      else resolve(buf!);
    };
    const timer = setTimeout(() => finish(new DnsTimeoutError(label, timeoutMs)), Math.max(0, deadline - performance.now()));
    sock.on("error", (err: NodeJS.ErrnoException) => finish(new DnsQueryError("unreachable", label, `${label}: ${err.code ?? err.message}`)));
    sock.on("message", (buf) => {
      // Ignore stray datagrams that are not the reply to this query.
      if (buf.length >= 2 && buf.readUInt16BE(0) === id) finish(null, buf);
    });
    const go = () =>
      sock.connect(port, host, () => {
        sock.send(packet, (err) => {
          if (err) finish(new DnsQueryError("unreachable", label, `${label}: ${(err as NodeJS.ErrnoException).code ?? err.message}`));
        });
      });
    if (localAddress) sock.bind({ address: localAddress, port: 0 }, go);
    else go();
  });
}

function tcpExchange(host: string, port: number, packet: Buffer, deadline: number, label: string, timeoutMs: number, localAddress?: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host, port, ...(localAddress ? { localAddress } : {}) });
    let done = false;
    let acc = Buffer.alloc(0);
    const finish = (err: Error | null, buf?: Buffer) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      if (err) reject(err);
      else resolve(buf!);
    };
    const timer = setTimeout(() => finish(new DnsTimeoutError(label, timeoutMs)), Math.max(0, deadline - performance.now()));
    sock.on("error", (err: NodeJS.ErrnoException) => finish(new DnsQueryError("unreachable", label, `${label} (tcp): ${err.code ?? err.message}`)));
    sock.on("connect", () => {
      const len = Buffer.alloc(2);
      len.writeUInt16BE(packet.length);
      sock.write(Buffer.concat([len, packet]));
    });
    sock.on("data", (chunk) => {
      acc = Buffer.concat([acc, chunk]);
      if (acc.length >= 2) {
        const len = acc.readUInt16BE(0);
        if (acc.length >= 2 + len) finish(null, acc.subarray(2, 2 + len));
      }
    });
    sock.on("end", () => finish(new DnsQueryError("bad-response", label, `${label} closed the TCP connection without a full reply`)));
  });
}
