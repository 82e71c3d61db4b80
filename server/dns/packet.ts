/**
 * DNS messages for dnsdeck's client, on the `dns-packet` library (well-tested, already a dependency): a query with
 * optional EDNS (payload size, Client Subnet), and a response decoded into dnsdeck's presentation form — names
 * lower-cased without the trailing dot, A/AAAA addresses, SOA `mname rname serial refresh retry expire minimum`,
 * MX `pref exchange`, SRV `prio weight port target`, TXT/HINFO quoted strings, other types RFC 3597 `\# len hex`,
 * and the extended RCODE of the OPT record (BADVERS). Pure: no I/O.
 */
import * as dnsPacket from "dns-packet";
import { parseCidr } from "@/k8s/net";

const KNOWN_TYPES = ["A", "NS", "CNAME", "SOA", "PTR", "HINFO", "MX", "TXT", "AAAA", "SRV", "OPT", "AXFR", "ANY", "CAA", "DS", "DNSKEY", "NAPTR", "TLSA", "HTTPS", "SVCB"];

export const RCODE_NAMES = ["NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED", "YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE"] as const;
/** RCODE 16 (needs the OPT record's extended bits) is BADVERS; anything else unnamed is `RCODE<n>`. */
export type Rcode = (typeof RCODE_NAMES)[number] | "BADVERS" | `RCODE${number}`;

export class DnsCodecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DnsCodecError";
  }
}

export interface DnsRecord {
  /** Owner name, lower-case, without the trailing dot ("" is the root). */
  name: string;
  type: string;
  ttl: number;
  /** Presentation form: "1.2.3.4", "target.example", "mname rname serial refresh retry expire minimum", … */
  data: string;
}

export interface DnsMessage {
  id: number;
  rcode: Rcode;
  flags: { qr: boolean; aa: boolean; tc: boolean; rd: boolean; ra: boolean; ad: boolean; cd: boolean };
  questions: { name: string; type: string }[];
  answers: DnsRecord[];
  authority: DnsRecord[];
  additional: DnsRecord[];
  /** Present when the message carried an OPT record. */
  edns?: { udpSize: number; version: number; dnssecOk: boolean; ecs?: { address: string; sourcePrefix: number; scopePrefix: number } };
}

/** Lower-cased, trailing dot removed; "." and "" both mean the root. Throws on labels > 63 or names > 253. */
export function normalizeName(name: string): string {
  const n = name.trim().replace(/\.$/, "").toLowerCase();
  if (n === "") return "";
  for (const l of n.split(".")) {
    if (l.length === 0) throw new DnsCodecError(`"${name}" has an empty label`);
    if (Buffer.byteLength(l) > 63) throw new DnsCodecError(`"${name}" has a label longer than 63 characters`);
  }
  if (n.length > 253) throw new DnsCodecError(`"${name}" is longer than 253 characters`);
  return n;
}

/** Accepts the types dnsdeck asks for and RFC 3597 `TYPEnnn`; throws otherwise. */
export function checkType(type: string): string {
  const t = type.toUpperCase();
  if (KNOWN_TYPES.includes(t)) return t;
  const m = /^TYPE(\d{1,5})$/.exec(t);
  if (m && Number(m[1]) < 65536) return t;
  throw new DnsCodecError(`unknown record type "${type}"`);
}

function ecsOption(ecs: string) {
  const c = parseCidr(ecs);
  if (!c) throw new DnsCodecError(`client subnet "${ecs}" is not an IP address or CIDR`);
  const [ip, prefix] = c;
  // RFC 7871 §6: address bits beyond the prefix must be zero
  const bytes = ip.toByteArray();
  for (let i = 0; i < bytes.length; i++) bytes[i] &= (0xff << (8 - Math.max(0, Math.min(8, prefix - i * 8)))) & 0xff;
  const v4 = ip.kind() === "ipv4";
  const text = v4 ? bytes.join(".") : (bytes.map((b) => b.toString(16).padStart(2, "0")).join("").match(/.{4}/g) ?? []).join(":");
  return { code: 8, family: v4 ? 1 : 2, sourcePrefixLength: prefix, scopePrefixLength: 0, ip: text };
}

export function encodeQuery(q: { id: number; name: string; type: string; recursionDesired?: boolean; ecs?: string; udpSize?: number }): Buffer {
  const withOpt = q.ecs !== undefined || q.udpSize !== undefined;
  const additionals = withOpt ? [{ type: "OPT", name: ".", udpPayloadSize: q.udpSize ?? 1232, flags: 0, options: q.ecs !== undefined ? [ecsOption(q.ecs)] : [] }] : [];
  return dnsPacket.encode({
    id: q.id,
    type: "query",
    flags: q.recursionDesired === false ? 0 : dnsPacket.RECURSION_DESIRED,
    questions: [{ name: normalizeName(q.name), type: checkType(q.type) as dnsPacket.RecordType, class: "IN" }],
    additionals: additionals as unknown as dnsPacket.Answer[],
  });
}

const quote = (s: string) => `"${s.replace(/[\\"]/g, (c) => "\\" + c)}"`;
const str = (b: unknown) => (Buffer.isBuffer(b) ? b.toString("latin1") : String(b));
const lname = (n: unknown) => String(n ?? "").replace(/\.$/, "").toLowerCase();

function presentation(r: dnsPacket.Answer): string {
  const d = (r as { data?: unknown }).data as any;
  switch (r.type) {
    case "A":
    case "AAAA":
      return String(d);
    case "NS":
    case "CNAME":
    case "PTR":
      return lname(d);
    case "SOA":
      return [lname(d.mname), lname(d.rname), d.serial, d.refresh, d.retry, d.expire, d.minimum].join(" ");
    case "MX":
      return `${d.preference} ${lname(d.exchange)}`;
    case "SRV":
      return `${d.priority} ${d.weight} ${d.port} ${lname(d.target)}`;
    case "TXT":
      return (Array.isArray(d) ? d : [d]).map((x) => quote(str(x))).join(" ");
    case "HINFO":
      return `${quote(String(d.cpu))} ${quote(String(d.os))}`;
    default: {
      const b: Buffer = Buffer.isBuffer(d) ? d : Buffer.alloc(0);
      return `\\# ${b.length}${b.length ? " " + b.toString("hex") : ""}`;
    }
  }
}

export function decodeMessage(buf: Buffer): DnsMessage {
  let p: dnsPacket.DecodedPacket;
  try {
    p = dnsPacket.decode(buf);
  } catch (err) {
    throw new DnsCodecError(`cannot decode the message: ${(err as Error).message}`);
  }
  const f = p.flags ?? 0;
  const opt = (p.additionals ?? []).find((a) => a.type === "OPT") as unknown as { udpPayloadSize: number; extendedRcode?: number; ednsVersion?: number; flags?: number; options?: { code: number; ip?: string; sourcePrefixLength?: number; scopePrefixLength?: number }[] } | undefined;
  const code = ((opt?.extendedRcode ?? 0) << 4) | (f & 0xf);
  const rcode: Rcode = code === 16 ? "BADVERS" : ((RCODE_NAMES[code] ?? `RCODE${code}`) as Rcode);
  const rec = (list: dnsPacket.Answer[] | undefined) =>
    (list ?? []).filter((r) => r.type !== "OPT").map((r) => ({ name: lname(r.name), type: String(r.type), ttl: (r as { ttl?: number }).ttl ?? 0, data: presentation(r) }));
  const ecs = opt?.options?.find((o) => o.code === 8);
  return {
    id: p.id ?? 0,
    rcode,
    flags: { qr: p.type === "response", aa: !!(f & 0x0400), tc: !!(f & 0x0200), rd: !!(f & 0x0100), ra: !!(f & 0x0080), ad: !!(f & 0x0020), cd: !!(f & 0x0010) },
    questions: (p.questions ?? []).map((q) => ({ name: lname(q.name), type: String(q.type) })),
    answers: rec(p.answers),
    authority: rec(p.authorities),
    additional: rec(p.additionals),
    edns: opt ? { udpSize: opt.udpPayloadSize, version: opt.ednsVersion ?? 0, dnssecOk: ((opt.flags ?? 0) & 0x8000) !== 0, ecs: ecs?.ip ? { address: ecs.ip, sourcePrefix: ecs.sourcePrefixLength ?? 0, scopePrefix: ecs.scopePrefixLength ?? 0 } : undefined } : undefined,
  };
}

/** The SOA serial in an SOA record's presentation data. */
export function soaSerial(data: string): number | undefined {
  const parts = data.split(" ");
  return parts.length === 7 ? Number(parts[2]) : undefined;
}
