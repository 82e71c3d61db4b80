/**
 * A small RFC 1035 message codec (plus RFC 3596 AAAA, RFC 2782 SRV, RFC 6891 OPT and RFC 7871 Client Subnet).
 * Written for dnsdeck's DNS client; deliberately independent of the `dns-packet` package the twin uses, so the twin
 * checks this codec rather than mirroring it. Pure: no I/O, no `server-only`, usable by the CLI.
 */

import { parseIp } from "@/k8s/net";

export const TYPE_CODES: Record<string, number> = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  PTR: 12,
  HINFO: 13,
  MX: 15,
  TXT: 16,
  AAAA: 28,
  SRV: 33,
  OPT: 41,
  AXFR: 252,
  ANY: 255,
};
const TYPE_NAMES = new Map(Object.entries(TYPE_CODES).map(([k, v]) => [v, k]));

export const RCODE_NAMES = [
  "NOERROR",
  "FORMERR",
  "SERVFAIL",
  "NXDOMAIN",
  "NOTIMP",
  "REFUSED",
  "YXDOMAIN",
  "YXRRSET",
  "NXRRSET",
  "NOTAUTH",
  "NOTZONE",
] as const;
export type Rcode = (typeof RCODE_NAMES)[number] | `RCODE${number}`;

export function typeName(code: number): string {
  return TYPE_NAMES.get(code) ?? `TYPE${code}`;
}

export function typeCode(name: string): number {
  const upper = name.toUpperCase();
  if (upper in TYPE_CODES) return TYPE_CODES[upper];
  const m = /^TYPE(\d{1,5})$/.exec(upper);
  if (m && Number(m[1]) < 65536) return Number(m[1]);
  throw new DnsCodecError(`unknown record type "${name}"`);
}

export function rcodeName(code: number): Rcode {
  return (RCODE_NAMES[code] ?? `RCODE${code}`) as Rcode;
}

export class DnsCodecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DnsCodecError";
  }
}

export interface DnsRecord {
  /** Owner name, lower-case as received, without the trailing dot ("" is the root). */
  name: string;
  type: string;
  ttl: number;
  /** Presentation form: "1.2.3.4", "target.example", "mname rname serial refresh retry expire minimum", … */
  data: string;
}

export interface DnsFlags {
  qr: boolean;
  aa: boolean;
  tc: boolean;
  rd: boolean;
  ra: boolean;
  ad: boolean;
  cd: boolean;
}

export interface DnsMessage {
  id: number;
  opcode: number;
  rcode: Rcode;
  flags: DnsFlags;
  questions: { name: string; type: string; class: number }[];
  answers: DnsRecord[];
  authority: DnsRecord[];
  additional: DnsRecord[];
  /** Present when the message carried an OPT record. */
  edns?: { udpSize: number; ecs?: { address: string; sourcePrefix: number; scopePrefix: number } };
}

export interface QueryInput {
  id: number;
  name: string;
  type: string;
  recursionDesired?: boolean;
  /** EDNS Client Subnet, e.g. "192.168.1.0/24". Adds an OPT record. */
  ecs?: string;
  /** Advertised EDNS UDP payload size; an OPT record is only sent when this or ecs is given. */
  udpSize?: number;
}

// ---------------------------------------------------------------- names

/** Lower-cased, trailing dot removed; "." and "" both mean the root. Throws on labels > 63 or names > 253. */
export function normalizeName(name: string): string {
  const n = name.trim().replace(/\.$/, "").toLowerCase();
  if (n === "") return "";
  const labels = n.split(".");
  for (const l of labels) {
    if (l.length === 0) throw new DnsCodecError(`"${name}" has an empty label`);
    if (l.length > 63) throw new DnsCodecError(`"${name}" has a label longer than 63 characters`);
  }
  if (n.length > 253) throw new DnsCodecError(`"${name}" is longer than 253 characters`);
  return n;
}

function encodeName(name: string, out: number[]): void {
  const n = normalizeName(name);
  if (n !== "") {
    for (const label of n.split(".")) {
      const bytes = Buffer.from(label, "utf8");
      if (bytes.length > 63) throw new DnsCodecError(`label "${label}" is longer than 63 bytes`);
      out.push(bytes.length, ...bytes);
    }
  }
  out.push(0);
}

class Reader {
  constructor(
    readonly buf: Buffer,
    public pos = 0,
  ) {}
  need(n: number): void {
    if (this.pos + n > this.buf.length) throw new DnsCodecError("message is truncated");
  }
  u8(): number {
    this.need(1);
    return this.buf[this.pos++];
  }
  u16(): number {
    this.need(2);
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }
  u32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  bytes(n: number): Buffer {
    this.need(n);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
  name(): string {
    const labels: string[] = [];
    let pos = this.pos;
    let jumped = false;
    let hops = 0;
    let total = 0;
    for (;;) {
      if (pos >= this.buf.length) throw new DnsCodecError("name runs past the end of the message");
      const len = this.buf[pos];
      if ((len & 0xc0) === 0xc0) {
        if (pos + 1 >= this.buf.length) throw new DnsCodecError("truncated compression pointer");
        const target = ((len & 0x3f) << 8) | this.buf[pos + 1];
        if (!jumped) this.pos = pos + 2;
        jumped = true;
        if (++hops > 64) throw new DnsCodecError("compression pointer loop");
        pos = target;
        continue;
      }
      if ((len & 0xc0) !== 0) throw new DnsCodecError("unsupported label type");
      if (len === 0) {
        if (!jumped) this.pos = pos + 1;
        break;
      }
      if (pos + 1 + len > this.buf.length) throw new DnsCodecError("label runs past the end of the message");
      labels.push(escapeLabel(this.buf.subarray(pos + 1, pos + 1 + len)));
      total += len + 1;
      if (total > 255) throw new DnsCodecError("name longer than 255 octets");
      pos += 1 + len;
    }
    return labels.join(".").toLowerCase();
  }
}

function escapeLabel(b: Buffer): string {
  let s = "";
  for (const c of b) {
    if (c === 0x2e || c === 0x5c) s += "\\" + String.fromCharCode(c);
    else if (c > 0x20 && c < 0x7f) s += String.fromCharCode(c);
    else s += "\\" + String(c).padStart(3, "0");
  }
  return s;
}

// ---------------------------------------------------------------- addresses

// Parsing goes through ipaddr.js (k8s/net.ts), the one IP parser across dnsdeck.
export function parseIPv4(s: string): number[] | null {
  const ip = parseIp(s);
  return ip && ip.kind() === "ipv4" ? ip.toByteArray() : null;
}

export function parseIPv6(s: string): number[] | null {
  const ip = parseIp(s);
  return ip && ip.kind() === "ipv6" ? ip.toByteArray() : null;
}

export function formatIPv6(b: Uint8Array): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((b[i] << 8) | b[i + 1]);
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(":");
  return hex.slice(0, bestStart).join(":") + "::" + hex.slice(bestStart + bestLen).join(":");
}

// ---------------------------------------------------------------- encode

export function encodeQuery(q: QueryInput): Buffer {
  const out: number[] = [];
  const flags = q.recursionDesired === false ? 0 : 0x0100;
  const withOpt = q.ecs !== undefined || q.udpSize !== undefined;
  out.push(q.id >> 8, q.id & 0xff, flags >> 8, flags & 0xff, 0, 1, 0, 0, 0, 0, 0, withOpt ? 1 : 0);
  encodeName(q.name, out);
  const t = typeCode(q.type);
  out.push(t >> 8, t & 0xff, 0, 1);
  if (withOpt) {
    const size = q.udpSize ?? 1232;
    const rdata: number[] = [];
    if (q.ecs !== undefined) rdata.push(...encodeEcs(q.ecs));
    out.push(0, 0, 41, size >> 8, size & 0xff, 0, 0, 0, 0, rdata.length >> 8, rdata.length & 0xff, ...rdata);
  }
  return Buffer.from(out);
}

function encodeEcs(ecs: string): number[] {
  const [addr, prefixText] = ecs.split("/");
  const v4 = parseIPv4(addr);
  const v6 = v4 ? null : parseIPv6(addr);
  if (!v4 && !v6) throw new DnsCodecError(`client subnet "${ecs}" is not an IP address or CIDR`);
  const bits = v4 ? 32 : 128;
  const prefix = prefixText === undefined ? bits : Number(prefixText);
  if (!/^\d{1,3}$/.test(prefixText ?? String(bits)) || prefix > bits) throw new DnsCodecError(`client subnet "${ecs}" has a bad prefix length`);
  const bytes = (v4 ?? v6)!.slice(0, Math.ceil(prefix / 8));
  if (bytes.length && prefix % 8) bytes[bytes.length - 1] &= (0xff << (8 - (prefix % 8))) & 0xff;
  const family = v4 ? 1 : 2;
  const len = 4 + bytes.length;
  return [0, 8, len >> 8, len & 0xff, 0, family, prefix, 0, ...bytes];
}

// ---------------------------------------------------------------- decode

export function decodeMessage(buf: Buffer): DnsMessage {
  const r = new Reader(buf);
  const id = r.u16();
  const f = r.u16();
  const qd = r.u16();
  const an = r.u16();
  const ns = r.u16();
  const ar = r.u16();
  const msg: DnsMessage = {
    id,
    opcode: (f >> 11) & 0xf,
    rcode: rcodeName(f & 0xf),
    flags: {
      qr: !!(f & 0x8000),
      aa: !!(f & 0x0400),
      tc: !!(f & 0x0200),
      rd: !!(f & 0x0100),
      ra: !!(f & 0x0080),
      ad: !!(f & 0x0020),
      cd: !!(f & 0x0010),
    },
    questions: [],
    answers: [],
    authority: [],
    additional: [],
  };
  for (let i = 0; i < qd; i++) {
    const name = r.name();
    const type = typeName(r.u16());
    const cls = r.u16();
    msg.questions.push({ name, type, class: cls });
  }
  const section = (n: number, into: DnsRecord[], isAdditional: boolean) => {
    for (let i = 0; i < n; i++) {
      const name = r.name();
      const type = r.u16();
      const cls = r.u16();
      const ttlRaw = r.u32();
      const rdlen = r.u16();
      r.need(rdlen);
      const start = r.pos;
      if (type === 41 && isAdditional) {
        const extRcode = (ttlRaw >>> 24) & 0xff;
        if (extRcode) msg.rcode = rcodeName((extRcode << 4) | (f & 0xf));
        msg.edns = { udpSize: cls, ...decodeOptions(buf.subarray(start, start + rdlen)) };
        r.pos = start + rdlen;
        continue;
      }
      const data = decodeRdata(r, type, rdlen);
      r.pos = start + rdlen;
      into.push({ name, type: typeName(type), ttl: ttlRaw, data });
    }
  };
  section(an, msg.answers, false);
  section(ns, msg.authority, false);
  section(ar, msg.additional, true);
  return msg;
}

function decodeOptions(b: Buffer): { ecs?: { address: string; sourcePrefix: number; scopePrefix: number } } {
  let pos = 0;
  while (pos + 4 <= b.length) {
    const code = b.readUInt16BE(pos);
    const len = b.readUInt16BE(pos + 2);
    const body = b.subarray(pos + 4, pos + 4 + len);
    pos += 4 + len;
    if (code === 8 && body.length >= 4) {
      const family = body.readUInt16BE(0);
      const addr = Buffer.alloc(family === 1 ? 4 : 16);
      body.subarray(4).copy(addr);
      const address = family === 1 ? Array.from(addr).join(".") : formatIPv6(addr);
      return { ecs: { address, sourcePrefix: body[2], scopePrefix: body[3] } };
    }
  }
  return {};
}

function characterStrings(b: Buffer): string[] {
  const out: string[] = [];
  let pos = 0;
  while (pos < b.length) {
    const len = b[pos];
    if (pos + 1 + len > b.length) throw new DnsCodecError("character-string runs past its record");
    out.push(b.subarray(pos + 1, pos + 1 + len).toString("latin1"));
    pos += 1 + len;
  }
  return out;
}

function quote(s: string): string {
  return `"${s.replace(/[\\"]/g, (c) => "\\" + c)}"`;
}

function decodeRdata(r: Reader, type: number, rdlen: number): string {
  const end = r.pos + rdlen;
  switch (type) {
    case 1: {
      if (rdlen !== 4) throw new DnsCodecError("A record with a length other than 4");
      return Array.from(r.bytes(4)).join(".");
    }
    case 28: {
      if (rdlen !== 16) throw new DnsCodecError("AAAA record with a length other than 16");
      return formatIPv6(r.bytes(16));
    }
    case 2:
    case 5:
    case 12:
      return r.name();
    case 6: {
      const mname = r.name();
      const rname = r.name();
      const nums = [r.u32(), r.u32(), r.u32(), r.u32(), r.u32()];
      return [mname, rname, ...nums].join(" ");
    }
    case 15: {
      const pref = r.u16();
      return `${pref} ${r.name()}`;
    }
    case 33: {
      const prio = r.u16();
      const weight = r.u16();
      const port = r.u16();
      return `${prio} ${weight} ${port} ${r.name()}`;
    }
    case 16:
    case 13:
      return characterStrings(r.bytes(rdlen)).map(quote).join(" ");
    default: {
      const b = r.bytes(rdlen);
      r.pos = end;
      return `\\# ${rdlen}${rdlen ? " " + b.toString("hex") : ""}`;
    }
  }
}

/** The SOA serial in an SOA record's presentation data. */
export function soaSerial(data: string): number | undefined {
  const parts = data.split(" ");
  return parts.length === 7 ? Number(parts[2]) : undefined;
}
