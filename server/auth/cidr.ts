import ipaddr from "ipaddr.js";

/**
 * IP addresses and CIDRs, parsed by ipaddr.js (the one parser for server, client and k8s/ code). Strict: four
 * decimal octets for IPv4 (no octal/hex/short forms), at most eight groups for IPv6, prefixes in range.
 */
export type Ip = ipaddr.IPv4 | ipaddr.IPv6;

/** A strictly written IPv4 or IPv6 address, or null. IPv4-mapped IPv6 stays IPv6 (see `unmap`). */
export function parseIp(text: string): Ip | null {
  const s = text.trim();
  if (s.includes("%")) return null; // zone ids are not addresses
  if (ipaddr.IPv4.isValidFourPartDecimal(s)) return ipaddr.IPv4.parse(s);
  if (s.includes(":") && ipaddr.IPv6.isValid(s)) return ipaddr.IPv6.parse(s);
  return null;
}

export const isIp = (text: string) => parseIp(text) !== null;
export const isIPv4 = (text: string) => parseIp(text)?.kind() === "ipv4";
export const isIPv6 = (text: string) => parseIp(text)?.kind() === "ipv6";

/** `addr/len`, or a plain address as a host route (/32, /128). */
export function parseCidr(text: string): [Ip, number] | null {
  const [addr, prefix, ...rest] = text.trim().split("/");
  if (rest.length) return null;
  const ip = parseIp(addr);
  if (!ip) return null;
  const bits = ip.kind() === "ipv4" ? 32 : 128;
  if (prefix === undefined) return [ip, bits];
  if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > bits) return null;
  return [ip, Number(prefix)];
}

export const isCidr = (text: string) => parseCidr(text) !== null;

/** ::ffff:a.b.c.d → a.b.c.d; anything else unchanged. */
export function unmap(ip: Ip): Ip {
  return ip.kind() === "ipv6" && (ip as ipaddr.IPv6).isIPv4MappedAddress() ? (ip as ipaddr.IPv6).toIPv4Address() : ip;
}

/** A range in the family its addresses are compared in: an IPv4-mapped IPv6 range counts as the IPv4 range. */
function normalRange(text: string): [Ip, number] | null {
  const range = parseCidr(text);
  if (!range) return null;
  const [net, len] = range;
  const v4 = unmap(net);
  if (v4 !== net) return len >= 96 ? [v4, len - 96] : null;
  return [net, len];
}

/** Does `address` (IPv4, IPv6 or IPv4-mapped IPv6) fall in any of the CIDRs? */
export function inCidrs(address: string, cidrs: string[]): boolean {
  const parsed = parseIp(address);
  if (!parsed) return false;
  const ip = unmap(parsed);
  return cidrs.some((c) => {
    const range = normalRange(c);
    return !!range && range[0].kind() === ip.kind() && ip.match(range[0], range[1]);
  });
}

const toBig = (ip: Ip) => ip.toByteArray().reduce((acc, b) => (acc << 8n) + BigInt(b), 0n);

/**
 * Do the ranges together admit every address of a family (0.0.0.0/0, ::/0, 0.0.0.0/1 + 128.0.0.0/1, ::ffff:0:0/96…)?
 * Returns the family they open completely, or null.
 */
export function admitsEveryone(cidrs: string[]): "IPv4" | "IPv6" | null {
  for (const family of ["ipv4", "ipv6"] as const) {
    const bits = family === "ipv4" ? 32n : 128n;
    const spans: [bigint, bigint][] = [];
    for (const c of cidrs) {
      const range = normalRange(c);
      if (!range || range[0].kind() !== family) continue;
      const size = 1n << (bits - BigInt(range[1]));
      const start = (toBig(range[0]) / size) * size;
      spans.push([start, start + size - 1n]);
    }
    spans.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    let next = 0n;
    for (const [a, b] of spans) {
      if (a > next) break;
      if (b + 1n > next) next = b + 1n;
    }
    if (next >= 1n << bits) return family === "ipv4" ? "IPv4" : "IPv6";
  }
  return null;
}

/** Canonical text of an address (lower-case, shortest IPv6). */
export function formatIp(ip: Ip): string {
  return ip.toString();
}
