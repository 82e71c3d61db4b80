/**
 * DNS on the wire for the twin (dns-packet based, deliberately not the production codec): a UDP+TCP server with
 * per-server faults, and a small forwarding client. Shared by the Technitium twin and the DNS chain twin.
 */
import dgram from "node:dgram";
import net from "node:net";
import { randomInt } from "node:crypto";
import * as dnsPacket from "dns-packet";
import type { Packet, Answer, Question } from "dns-packet";

export type { Packet, Answer, Question };

export const RCODE: Record<string, number> = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 };

export interface Fault {
  /** Never answer (the client times out). */
  drop?: boolean;
  /** Answer this many ms late. */
  delayMs?: number;
}

export interface RequestContext {
  transport: "udp" | "tcp";
  /** Source address of the packet. */
  remote: string;
  /** EDNS Client Subnet of the request as "a.b.c.d/len", when present. */
  ecs?: string;
}

export type Handler = (req: Packet, ctx: RequestContext) => Promise<Packet | null> | Packet | null;

export interface DnsServerHandle {
  host: string;
  port: number;
  fault: Fault;
  setFault(f: Fault | null): void;
  /** Stop listening (connection refused / ICMP unreachable) until reopen(). */
  close(): Promise<void>;
  reopen(): Promise<void>;
  readonly listening: boolean;
}

/** The client network of a request: the ECS option when present (twin convention: every test packet comes from 127.0.0.1). */
export function ecsOf(req: Packet): string | undefined {
  for (const a of req.additionals ?? []) {
    if (a.type !== "OPT") continue;
    for (const o of (a as unknown as { options?: { code: number; ip?: string; sourcePrefixLength?: number }[] }).options ?? []) {
      if (o.code === 8 && o.ip) return `${o.ip}/${o.sourcePrefixLength ?? 32}`;
    }
  }
  return undefined;
}

function udpLimit(req: Packet): number {
  const opt = (req.additionals ?? []).find((a) => a.type === "OPT") as { udpPayloadSize?: number } | undefined;
  return Math.max(512, opt?.udpPayloadSize ?? 512);
}

/** Build a response to `req`: copies id, question, RD; sets AA/RA/rcode as given. */
/** Records in dns-packet's shape; loosely typed so callers can keep their own record type. */
type AnyRecord = { name: string; type: string; ttl?: number; data?: unknown };

export function reply(req: Packet, o: { rcode?: string; aa?: boolean; ra?: boolean; tc?: boolean; answers?: AnyRecord[]; authorities?: AnyRecord[]; additionals?: AnyRecord[] }): Packet {
  let flags = (req.flags ?? 0) & dnsPacket.RECURSION_DESIRED;
  if (o.aa) flags |= dnsPacket.AUTHORITATIVE_ANSWER;
  if (o.ra) flags |= dnsPacket.RECURSION_AVAILABLE;
  if (o.tc) flags |= dnsPacket.TRUNCATED_RESPONSE;
  flags |= RCODE[o.rcode ?? "NOERROR"] ?? 2;
  const hadOpt = (req.additionals ?? []).some((a) => a.type === "OPT");
  const additionals = [...((o.additionals ?? []) as Answer[])];
  if (hadOpt) additionals.push({ type: "OPT", name: ".", udpPayloadSize: 1232, flags: 0 } as unknown as Answer);
  return { id: req.id, type: "response", flags, questions: req.questions ?? [], answers: (o.answers ?? []) as Answer[], authorities: (o.authorities ?? []) as Answer[], additionals };
}

export function rcodeOf(p: Packet): string {
  return (p as unknown as { rcode?: string }).rcode ?? "NOERROR";
}

function hasFlag(p: Packet, flag: number): boolean {
  return ((p.flags ?? 0) & flag) !== 0;
}
export const isTruncated = (p: Packet) => hasFlag(p, dnsPacket.TRUNCATED_RESPONSE);
export const isAuthoritative = (p: Packet) => hasFlag(p, dnsPacket.AUTHORITATIVE_ANSWER);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * How a server treats packets before it looks at the question — the parts of miekg/dns (under CoreDNS) and of
 * Technitium's DnsServer.cs (v14.3.0) that decide between dropping, FORMERR and NOTIMP:
 * - both drop a datagram shorter than a header and any packet with QR=1 (a response; "avoid loops");
 * - "coredns" (miekg DefaultMsgAcceptFunc): opcode other than QUERY/NOTIFY → NOTIMP, QDCOUNT≠1, ANCOUNT>1,
 *   NSCOUNT>1 or ARCOUNT>2 → FORMERR with a bare header, an undecodable body → FORMERR;
 * - "technitium": an undecodable body is dropped (EndOfStreamException is ignored), QDCOUNT≠1 → FORMERR echoing
 *   the question section (ProcessQueryAsync; the handler does that part).
 * Without a personality (the chain's Services and the public upstream twin) undecodable packets are dropped.
 */
export type Personality = "coredns" | "technitium";

/** A header-only response: id, opcode and RD/CD copied, QR set, the given rcode (miekg SetRcodeFormatError). */
function bareReply(buf: Buffer, rcode: number): Buffer {
  const out = Buffer.alloc(12);
  buf.copy(out, 0, 0, 2);
  const flags = buf.readUInt16BE(2);
  out.writeUInt16BE(0x8000 | (flags & 0x7800) | (flags & 0x0100) | (flags & 0x0010) | (rcode & 0xf), 2);
  return out;
}

/** Checks on the raw header; a Buffer is the reply to send as is, null = drop, undefined = go on and decode. */
function screen(buf: Buffer, personality: Personality | undefined): Buffer | null | undefined {
  if (buf.length < 12) return null;
  const flags = buf.readUInt16BE(2);
  if (flags & 0x8000) return null;
  if (personality !== "coredns") return undefined;
  const opcode = (flags >> 11) & 0xf;
  if (opcode !== 0 && opcode !== 4) return bareReply(buf, RCODE.NOTIMP);
  const [qd, an, ns, ar] = [4, 6, 8, 10].map((o) => buf.readUInt16BE(o));
  if (qd !== 1 || an > 1 || ns > 1 || ar > 2) return bareReply(buf, RCODE.FORMERR);
  return undefined;
}

/** The hook every answered query passes through (one call per query, after the handler): for metrics and logs. */
export type QueryObserver = (e: { label: string; host: string; transport: "udp" | "tcp"; remote: string; question?: Question; rcode?: string; dropped: boolean; ms: number }) => void;
const observers = new Set<QueryObserver>();
/** Register a per-query hook for every twin DNS server in this process; returns the unregister function. */
export function observeQueries(fn: QueryObserver): () => void {
  observers.add(fn);
  return () => observers.delete(fn);
}

export async function startDnsServer(o: { host: string; port: number; handler: Handler; label?: string; personality?: Personality }): Promise<DnsServerHandle> {
  const fault: Fault = {};
  let udp: dgram.Socket | undefined;
  let tcp: net.Server | undefined;
  const sockets = new Set<net.Socket>();
  let port = o.port;

  const answer = async (buf: Buffer, ctx: Omit<RequestContext, "ecs">): Promise<Packet | Buffer | null> => {
    const t0 = performance.now();
    const res = await answerInner(buf, ctx);
    if (observers.size) {
      const q = safeDecode(buf)?.questions?.[0];
      const rcode = res === null ? undefined : Buffer.isBuffer(res) ? Object.keys(RCODE).find((k) => RCODE[k] === (res.readUInt16BE(2) & 0xf)) : rcodeOf(res);
      for (const fn of observers) fn({ label: o.label ?? o.host, host: o.host, transport: ctx.transport, remote: ctx.remote, question: q, rcode, dropped: res === null, ms: performance.now() - t0 });
    }
    return res;
  };
  const answerInner = async (buf: Buffer, ctx: Omit<RequestContext, "ecs">): Promise<Packet | Buffer | null> => {
    const early = screen(buf, o.personality);
    if (early !== undefined) return early;
    let req: Packet;
    try {
      req = dnsPacket.decode(buf);
    } catch {
      return o.personality === "coredns" ? bareReply(buf, RCODE.FORMERR) : null;
    }
    if (fault.drop) return null;
    if (fault.delayMs) await sleep(fault.delayMs);
    if (fault.drop) return null;
    try {
      return await o.handler(req, { ...ctx, ecs: ecsOf(req) });
    } catch (err) {
      if (process.env.TWIN_DNS_DEBUG) console.error(`[twin dns ${o.label ?? o.host}]`, err);
      return reply(req, { rcode: "SERVFAIL", ra: true });
    }
  };

  const listen = async () => {
    for (let attempt = 0; ; attempt++) {
      try {
        const t = net.createServer((sock) => {
          sockets.add(sock);
          sock.on("close", () => sockets.delete(sock));
          sock.on("error", () => {});
          let acc = Buffer.alloc(0);
          sock.on("data", async (chunk) => {
            acc = Buffer.concat([acc, chunk]);
            while (acc.length >= 2 && acc.length >= 2 + acc.readUInt16BE(0)) {
              const msg = acc.subarray(2, 2 + acc.readUInt16BE(0));
              acc = acc.subarray(2 + msg.length);
              const res = await answer(Buffer.from(msg), { transport: "tcp", remote: sock.remoteAddress ?? "" });
              if (res && !sock.destroyed) {
                const out = Buffer.isBuffer(res) ? res : dnsPacket.encode(res);
                const len = Buffer.alloc(2);
                len.writeUInt16BE(out.length);
                sock.write(Buffer.concat([len, out]));
              }
            }
          });
        });
        await new Promise<void>((resolve, reject) => {
          t.once("error", reject);
          t.listen({ host: o.host, port, exclusive: true }, () => resolve());
        });
        port = (t.address() as net.AddressInfo).port;
        const u = dgram.createSocket({ type: net.isIPv6(o.host) ? "udp6" : "udp4" });
        try {
          await new Promise<void>((resolve, reject) => {
            u.once("error", reject);
            u.bind({ address: o.host, port, exclusive: true }, () => resolve());
          });
        } catch (err) {
          t.close();
          throw err;
        }
        u.on("error", () => {});
        u.on("message", async (buf, rinfo) => {
          const res = await answer(buf, { transport: "udp", remote: rinfo.address });
          if (!res) return;
          if (Buffer.isBuffer(res)) return void u.send(res, rinfo.port, rinfo.address);
          let out = dnsPacket.encode(res);
          const req = safeDecode(buf);
          if (req && out.length > udpLimit(req)) {
            out = dnsPacket.encode({ ...res, flags: (res.flags ?? 0) | dnsPacket.TRUNCATED_RESPONSE, answers: [], authorities: [], additionals: res.additionals?.filter((a) => a.type === "OPT") });
          }
          u.send(out, rinfo.port, rinfo.address);
        });
        udp = u;
        tcp = t;
        return;
      } catch (err) {
        // An ephemeral TCP port may already be taken for UDP: try another one.
        if (o.port === 0 && (err as NodeJS.ErrnoException).code === "EADDRINUSE" && attempt < 20) {
          port = 0;
          continue;
        }
        throw err;
      }
    }
  };

  await listen();
  const handle: DnsServerHandle = {
    host: o.host,
    get port() {
      return port;
    },
    fault,
    setFault(f) {
      fault.drop = f?.drop;
      fault.delayMs = f?.delayMs;
    },
    async close() {
      const u = udp;
      const t = tcp;
      udp = undefined;
      tcp = undefined;
      for (const s of sockets) s.destroy();
      if (u) await new Promise<void>((r) => u.close(() => r()));
      if (t) await new Promise<void>((r) => t.close(() => r()));
    },
    async reopen() {
      if (!udp) await listen();
    },
    get listening() {
      return !!udp;
    },
  };
  return handle;
}

function safeDecode(buf: Buffer): Packet | null {
  try {
    return dnsPacket.decode(buf);
  } catch {
    return null;
  }
}

export class ExchangeTimeout extends Error {}

/**
 * Send `req` (its id is replaced) to host:port and return the decoded response. UDP first and TCP on truncation,
 * or TCP only when `tcp` is set. Rejects on timeout or a refused connection.
 */
export async function exchange(req: Packet, o: { host: string; port: number; tcp?: boolean; timeoutMs?: number; localAddress?: string }): Promise<Packet> {
  const timeoutMs = o.timeoutMs ?? 2000;
  const id = randomInt(0, 65536);
  const packet = dnsPacket.encode({ ...req, id, type: "query" });
  // The chain sends from the address of the hop that sends (a CoreDNS pod, a node, pfSense) or keeps the client's
  // address where the real network does (kube-proxy, MetalLB with ETP Local): see twin/dns/sources.ts.
  const local = o.localAddress && /^127\./.test(o.localAddress) && /^127\./.test(o.host) ? o.localAddress : undefined;
  if (!o.tcp) {
    const res = await udpOnce(packet, id, o.host, o.port, timeoutMs, local);
    if (!isTruncated(res)) return { ...res, id: req.id };
  }
  const res = await tcpOnce(packet, o.host, o.port, timeoutMs, local);
  return { ...res, id: req.id };
}

function udpOnce(packet: Buffer, id: number, host: string, port: number, timeoutMs: number, localAddress?: string): Promise<Packet> {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket(net.isIPv6(host) ? "udp6" : "udp4");
    let done = false;
    const finish = (err: Error | null, p?: Packet) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      s.close();
      if (err) reject(err);
      else resolve(p!);
    };
    const timer = setTimeout(() => finish(new ExchangeTimeout(`${host}:${port} timed out`)), timeoutMs);
    s.on("error", (e) => finish(e));
    s.on("message", (buf) => {
      const p = safeDecode(buf);
      if (p && p.id === id) finish(null, p);
    });
    const go = () => s.connect(port, host, () => s.send(packet, (e) => e && finish(e)));
    if (localAddress) s.bind({ address: localAddress, port: 0 }, go);
    else go();
  });
}

function tcpOnce(packet: Buffer, host: string, port: number, timeoutMs: number, localAddress?: string): Promise<Packet> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host, port, ...(localAddress ? { localAddress } : {}) });
    let acc = Buffer.alloc(0);
    let done = false;
    const finish = (err: Error | null, p?: Packet) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      s.destroy();
      if (err) reject(err);
      else resolve(p!);
    };
    const timer = setTimeout(() => finish(new ExchangeTimeout(`${host}:${port} (tcp) timed out`)), timeoutMs);
    s.on("error", (e) => finish(e));
    s.on("connect", () => {
      const len = Buffer.alloc(2);
      len.writeUInt16BE(packet.length);
      s.write(Buffer.concat([len, packet]));
    });
    s.on("data", (c) => {
      acc = Buffer.concat([acc, c]);
      if (acc.length >= 2 && acc.length >= 2 + acc.readUInt16BE(0)) {
        const p = safeDecode(acc.subarray(2, 2 + acc.readUInt16BE(0)));
        finish(p ? null : new Error("bad reply"), p ?? undefined);
      }
    });
    s.on("end", () => finish(new Error(`${host}:${port} closed the connection`)));
  });
}

/** A query packet (for tests and probes). */
export function makeQuery(name: string, type: string, o: { rd?: boolean; ecs?: string } = {}): Packet {
  const additionals: Answer[] = [];
  if (o.ecs) {
    const [ip, len] = o.ecs.split("/");
    additionals.push({ type: "OPT", name: ".", udpPayloadSize: 1232, flags: 0, options: [{ code: 8, ip, sourcePrefixLength: Number(len ?? 32), scopePrefixLength: 0 }] } as unknown as Answer);
  }
  return {
    id: randomInt(0, 65536),
    type: "query",
    flags: o.rd === false ? 0 : dnsPacket.RECURSION_DESIRED,
    questions: [{ name, type: type as Question["type"], class: "IN" }],
    additionals,
  };
}

// ---------------------------------------------------------------- small IPv4 helpers

export function ipToInt(s: string): number | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return null;
  const p = m.slice(1).map(Number);
  if (p.some((x) => x > 255)) return null;
  return ((p[0] << 24) | (p[1] << 16) | (p[2] << 8) | p[3]) >>> 0;
}

export function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff].join(".");
}

export function parseCidr(s: string): { base: number; prefix: number } | null {
  const [a, p] = s.split("/");
  const ip = ipToInt(a);
  const prefix = p === undefined ? 32 : Number(p);
  if (ip === null || !/^\d{1,2}$/.test(p ?? "32") || prefix > 32) return null;
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return { base: (ip & mask) >>> 0, prefix };
}

export function inCidr(ip: string, cidr: string): boolean {
  const c = parseCidr(cidr);
  const i = ipToInt(ip);
  if (!c || i === null) return false;
  const mask = c.prefix === 0 ? 0 : (0xffffffff << (32 - c.prefix)) >>> 0;
  return ((i & mask) >>> 0) === c.base;
}

/** Is `name` equal to or under `zone` (both without trailing dots, case-insensitive)? */
export function inZone(name: string, zone: string): boolean {
  const n = name.toLowerCase().replace(/\.$/, "");
  const z = zone.toLowerCase().replace(/\.$/, "");
  return z === "" || n === z || n.endsWith("." + z);
}

// ---------------------------------------------------------------- EDNS as each server writes it

type OptRecord = { type: "OPT"; name: string; udpPayloadSize?: number; extendedRcode?: number; ednsVersion?: number; flags?: number; options?: { code: number; [k: string]: unknown }[] };

export function optOf(p: Packet): OptRecord | undefined {
  return (p.additionals ?? []).find((a) => a.type === "OPT") as unknown as OptRecord | undefined;
}

/**
 * Replace the response's OPT record the way the server writes it: none when the request had none; otherwise
 * version 0, the DO bit echoed, and
 * - "technitium" (DnsServer.PostProcessQueryAsync): its own UDP payload size (1232) and the request's Client Subnet
 *   echoed with SCOPE PREFIX-LENGTH 0 (it never tailors answers to ECS);
 * - "coredns" (request.SizeAndDo): the request's UDP size, the upstream's options when the reply came from one,
 *   else none of the request's (ECS is not among the options CoreDNS reflects).
 */
export function withEdns(req: Packet, res: Packet, personality: Personality, extendedRcode = 0): Packet {
  const reqOpt = optOf(req);
  const rest = (res.additionals ?? []).filter((a) => a.type !== "OPT");
  if (!reqOpt) return { ...res, additionals: rest };
  const doBit = ((reqOpt.flags ?? 0) & dnsPacket.DNSSEC_OK) !== 0 ? dnsPacket.DNSSEC_OK : 0;
  let options: OptRecord["options"] = [];
  if (personality === "technitium") {
    const ecs = (reqOpt.options ?? []).find((o) => o.code === 8);
    if (ecs) options = [{ code: 8, family: ecs.family ?? 1, sourcePrefixLength: ecs.sourcePrefixLength, scopePrefixLength: 0, ip: ecs.ip }];
  } else options = (optOf(res)?.options ?? []).filter((o) => o.code !== 8);
  const udpPayloadSize = personality === "technitium" ? 1232 : Math.max(512, reqOpt.udpPayloadSize ?? 512);
  // an extended RCODE already set on the reply (BADVERS) survives the rewrite
  const ext = extendedRcode || optOf(res)?.extendedRcode || 0;
  const opt = { type: "OPT", name: ".", udpPayloadSize, extendedRcode: ext, ednsVersion: 0, flags: doBit, options } as unknown as Answer;
  return { ...res, additionals: [...rest, opt] };
}

/** EDNS version other than 0 → BADVERS (extended RCODE 16: header RCODE 0, OPT extended 1), question echoed. */
export function badVersion(req: Packet, personality: Personality): Packet | undefined {
  const opt = optOf(req);
  if (!opt || (opt.ednsVersion ?? 0) === 0) return undefined;
  return withEdns(req, reply(req, { ra: personality === "technitium" }), personality, 1);
}
