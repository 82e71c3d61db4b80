import ipaddr from "ipaddr.js";

/**
 * IP addresses and CIDRs, parsed by ipaddr.js — the one parser for server, browser and k8s/ code. Strict: four
 * decimal octets for IPv4 (no octal/hex/short forms), at most eight groups for IPv6, no zone ids, prefixes in range.
 * Pure.
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

/** `addr/len` with an explicit prefix (not a bare address). */
export const isNetwork = (text: string) => text.includes("/") && isCidr(text);

/** ::ffff:a.b.c.d → a.b.c.d; anything else unchanged. */
export function unmap(ip: Ip): Ip {
  return ip.kind() === "ipv6" && (ip as ipaddr.IPv6).isIPv4MappedAddress() ? (ip as ipaddr.IPv6).toIPv4Address() : ip;
}

