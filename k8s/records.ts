import { type Ip, parseIp } from "./net";

/**
 * DNS records as dnsdeck shows and accepts them (pure; the Records form validates with it in the browser, the verbs on
 * the server): names relative to their zone (`@` is the apex), values in zone-file presentation (`192.168.1.250`,
 * `traefik.viktorbarzin.lan.`, `10 mail.viktorbarzin.me.`, `"v=spf1 -all"`), and the typed data Technitium's record
 * API takes (`RecordData`, the parameter names of reference technitium.md §6.3).
 */

export const RECORD_TYPES = ["A", "AAAA", "CNAME", "PTR", "TXT", "MX", "SRV", "NS"] as const;
export type RecordType = (typeof RECORD_TYPES)[number];

export type RecordData =
  | { type: "A" | "AAAA"; ipAddress: string }
  | { type: "CNAME"; cname: string }
  | { type: "PTR"; ptrName: string }
  | { type: "NS"; nameServer: string }
  | { type: "TXT"; strings: string[] }
  | { type: "MX"; preference: number; exchange: string }
  | { type: "SRV"; priority: number; weight: number; port: number; target: string };

/** TTL bounds: at least 1 s, at most Technitium's SOA EXPIRE for zones it makes (604800 s, reference §6.3). */
export const TTL_MIN = 1;
export const TTL_MAX = 604_800;
/** A TXT character-string is at most 255 bytes (RFC 1035 §3.3); dnsdeck keeps a record to 16 of them. */
const TXT_STRING_MAX = 255;
const TXT_STRINGS_MAX = 16;

const LABEL = /^(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)$/;

/** Lower-cased, without a trailing dot. */
export const bare = (name: string) => name.trim().toLowerCase().replace(/\.$/, "");

/** A host name (absolute, trailing dot optional): labels of letters, digits, '-' and '_' (1–63), at most 253. */
export function isHostName(text: string): boolean {
  const n = bare(text);
  return n.length > 0 && n.length <= 253 && n.split(".").every((l) => LABEL.test(l));
}

/** A zone name (the root excluded). */
export const isZoneName = isHostName;

/**
 * A record name relative to its zone: `@` for the apex, or labels (a leading `*` label makes a wildcard). The full
 * name must fit 253 characters.
 */
export function relativeNameProblem(name: string, zone: string): string | null {
  const n = name.trim();
  if (n === "" ) return "type a name relative to the zone, or @ for the zone itself";
  if (n === "@") return null;
  if (n.endsWith(".")) return `give the name relative to ${zone} (without a trailing dot), e.g. "idrac" for idrac.${zone}`;
  const labels = n.toLowerCase().split(".");
  for (const [i, l] of labels.entries()) {
    if (l === "*" && i === 0) continue;
    if (!LABEL.test(l)) return `"${l}" is not a valid label: use letters, digits, '-' or '_' (1–63 characters, not starting or ending with '-')`;
  }
  if (fqdn(n, zone).length > 253) return "the full name is longer than 253 characters";
  return null;
}

/** The full name of a relative name in a zone (no trailing dot). */
export function fqdn(relative: string, zone: string): string {
  const z = bare(zone);
  const r = relative.trim().toLowerCase();
  return r === "@" || r === "" ? z : `${r}.${z}`;
}

/** The relative name of a full name in a zone (`@` for the apex). */
export function relativeName(full: string, zone: string): string {
  const f = bare(full);
  const z = bare(zone);
  if (f === z) return "@";
  return f.endsWith(`.${z}`) ? f.slice(0, -(z.length + 1)) : f;
}

const hostOut = (h: string) => `${bare(h)}.`;

/** `value` in zone-file presentation → RecordData, or a message saying what is wrong with it. */
export function parseValue(type: RecordType, value: string): { ok: true; data: RecordData } | { ok: false; error: string } {
  const v = value.trim();
  const fail = (error: string) => ({ ok: false as const, error });
  if (!v) return fail("type a value");
  switch (type) {
    case "A":
    case "AAAA": {
      const ip = parseIp(v);
      const want = type === "A" ? "ipv4" : "ipv6";
      if (!ip || ip.kind() !== want) return fail(type === "A" ? "must be an IPv4 address like 192.168.1.250" : "must be an IPv6 address like 2001:db8::25");
      return { ok: true, data: { type, ipAddress: ip.toString() } };
    }
    case "CNAME":
    case "PTR":
    case "NS": {
      if (!isHostName(v)) return fail("must be a host name like traefik.viktorbarzin.lan.");
      const h = hostOut(v);
      return { ok: true, data: type === "CNAME" ? { type, cname: h } : type === "PTR" ? { type, ptrName: h } : { type, nameServer: h } };
    }
    case "MX": {
      const m = /^(\d{1,5})\s+(\S+)$/.exec(v);
      if (!m || Number(m[1]) > 65535 || !isHostName(m[2])) return fail('must be "<preference 0–65535> <mail host>", e.g. 10 mail.viktorbarzin.me.');
      return { ok: true, data: { type, preference: Number(m[1]), exchange: hostOut(m[2]) } };
    }
    case "SRV": {
      const m = /^(\d{1,5})\s+(\d{1,5})\s+(\d{1,5})\s+(\S+)$/.exec(v);
      if (!m || [m[1], m[2], m[3]].some((x) => Number(x) > 65535) || !isHostName(m[4]))
        return fail('must be "<priority> <weight> <port> <target>" (numbers 0–65535), e.g. 10 5 5060 sip.viktorbarzin.lan.');
      return { ok: true, data: { type, priority: Number(m[1]), weight: Number(m[2]), port: Number(m[3]), target: hostOut(m[4]) } };
    }
    case "TXT": {
      const strings = parseTxt(v);
      if (typeof strings === "string") return fail(strings);
      return { ok: true, data: { type, strings } };
    }
  }
}

/** One or more `"quoted"` strings (with \" and \\ escapes), or bare text taken as one string. */
function parseTxt(v: string): string[] | string {
  if (!v.startsWith('"')) return checkTxt([v]);
  const out: string[] = [];
  let i = 0;
  while (i < v.length) {
    while (v[i] === " " || v[i] === "\t") i++;
    if (i >= v.length) break;
    if (v[i] !== '"') return 'quote each string, e.g. "v=spf1 include:mailgun.org -all"';
    let s = "";
    i++;
    for (;;) {
      if (i >= v.length) return "a quoted string is not closed";
      const c = v[i++];
      if (c === "\\" && i < v.length) s += v[i++];
      else if (c === '"') break;
      else s += c;
    }
    out.push(s);
  }
  return checkTxt(out);
}

function checkTxt(strings: string[]): string[] | string {
  if (strings.length === 0) return "type the text";
  if (strings.length > TXT_STRINGS_MAX) return `at most ${TXT_STRINGS_MAX} strings`;
  for (const s of strings) if (new TextEncoder().encode(s).length > TXT_STRING_MAX) return `each string is at most ${TXT_STRING_MAX} bytes; split longer text into several "quoted" strings`;
  return strings;
}

/** RecordData → zone-file presentation (the one form dnsdeck compares and shows). */
export function presentValue(d: RecordData): string {
  switch (d.type) {
    case "A":
    case "AAAA":
      return d.ipAddress;
    case "CNAME":
      return hostOut(d.cname);
    case "PTR":
      return hostOut(d.ptrName);
    case "NS":
      return hostOut(d.nameServer);
    case "MX":
      return `${d.preference} ${hostOut(d.exchange)}`;
    case "SRV":
      return `${d.priority} ${d.weight} ${d.port} ${hostOut(d.target)}`;
    case "TXT":
      return d.strings.map((s) => `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`).join(" ");
  }
}

/** The canonical presentation of a value typed by a person (so "10.0.20.5" and " 10.0.20.5 " compare equal). */
export function canonicalValue(type: RecordType, value: string): string | null {
  const p = parseValue(type, value);
  return p.ok ? presentValue(p.data) : null;
}

/** The reverse-lookup name of an address: 250.20.0.10.in-addr.arpa, or the ip6.arpa nibbles. */
export function reverseName(address: string | Ip): string | null {
  const ip = typeof address === "string" ? parseIp(address) : address;
  if (!ip) return null;
  if (ip.kind() === "ipv4") return `${ip.toByteArray().reverse().join(".")}.in-addr.arpa`;
  const nibbles = ip
    .toByteArray()
    .flatMap((b) => [b >> 4, b & 15])
    .map((n) => n.toString(16));
  return `${nibbles.reverse().join(".")}.ip6.arpa`;
}

/** The address a reverse-lookup name stands for, or null. */
export function addressOfReverseName(name: string): string | null {
  const n = bare(name);
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.in-addr\.arpa$/.exec(n);
  if (v4) {
    const ip = parseIp([v4[4], v4[3], v4[2], v4[1]].join("."));
    return ip ? ip.toString() : null;
  }
  const v6 = /^((?:[0-9a-f]\.){32})ip6\.arpa$/.exec(n);
  if (v6) {
    const hex = v6[1].split(".").filter(Boolean).reverse().join("");
    const ip = parseIp(hex.match(/.{4}/g)!.join(":"));
    return ip ? ip.toString() : null;
  }
  return null;
}

/** Is `name` the zone or below it? */
export function inZone(name: string, zone: string): boolean {
  const n = bare(name);
  const z = bare(zone);
  return n === z || n.endsWith(`.${z}`);
}

/** The longest zone of `zones` that holds `name`. */
export function closestZone(name: string, zones: readonly string[]): string | undefined {
  let best: string | undefined;
  for (const z of zones) if (inZone(name, z) && (!best || bare(z).length > bare(best).length)) best = z;
  return best;
}
