/**
 * DNS_ADDRESS_MAP: where a DNS query for a given destination is actually sent. In production the map is empty and every
 * query goes to the real address. Against the twin (or through a tunnel) each stack address is rewritten to a
 * reachable one. Pure; shared by the app, the CLI and the twin.
 *
 * Entries are `from=to`, comma-separated in the env variable:
 *   from: `ip` | `ip:port` | `ip@node` | `ip:port@node` | `a.b.c.d/len` (IPv4 CIDR) | `[v6]` | `[v6]:port`
 *   to:   `ip:port` | `ip` (keeps the port) | for a CIDR key also `a.b.c.d/len:port` (same prefix length; host bits are
 *         kept, so `10.0.0.0/8=127.0.0.0/8:5353` sends 10.96.0.53:53 to 127.96.0.53:5353)
 * `ip@node` is a per-node address (the NodeLocal cache 169.254.20.10 on node X) and only applies when the caller says
 * which node the query is sent from. Precedence: `ip:port@node`, `ip@node`, `ip:port`, `ip`, then the longest CIDR.
 * No entry: the real address.
 */

import { parseIp } from "@/k8s/net";
import { K8S_NAME } from "@/k8s/schemas";

export class AddressMapError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AddressMapError";
  }
}

interface CidrRule {
  key: string;
  base: number;
  prefix: number;
  to: { base: number; prefix: number; port?: number } | { host: string; port?: number };
}

export interface AddressMap {
  /** exact keys: "ip", "ip:port", "ip@node", "ip:port@node" (IPv6 written without brackets) */
  exact: Map<string, { host: string; port?: number; key: string }>;
  cidrs: CidrRule[];
  /** The entries as given, for display. */
  entries: [string, string][];
}

export interface Destination {
  address: string;
  port?: number;
  /** The node the query is sent from (selects `ip@node` entries). */
  via?: string;
}

export interface MappedDestination {
  host: string;
  port: number;
  /** The map entry that applied, or undefined when the real address is used. */
  rule?: string;
}

// Addresses are parsed by ipaddr.js (k8s/net.ts), the one IP parser across dnsdeck.
function ipv4ToInt(s: string): number | null {
  const ip = parseIp(s);
  if (!ip || ip.kind() !== "ipv4") return null;
  const b = ip.toByteArray();
  return ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0;
}

function intToIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff].join(".");
}

function mask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

function parsePort(text: string, where: string): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) < 1 || Number(text) > 65535) throw new AddressMapError(`${where}: "${text}" is not a port (1-65535)`);
  return Number(text);
}

function isIPv6(s: string): boolean {
  return parseIp(s)?.kind() === "ipv6";
}

/** Splits `host[:port]` / `[v6][:port]` / bare v6. */
function splitHostPort(text: string, where: string): { host: string; port?: number } {
  const br = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (br) {
    if (!isIPv6(br[1])) throw new AddressMapError(`${where}: "${br[1]}" is not an IPv6 address`);
    return { host: br[1].toLowerCase(), port: br[2] ? parsePort(br[2], where) : undefined };
  }
  if (isIPv6(text)) return { host: text.toLowerCase() };
  const i = text.lastIndexOf(":");
  const host = i >= 0 ? text.slice(0, i) : text;
  const port = i >= 0 ? parsePort(text.slice(i + 1), where) : undefined;
  return { host, port };
}

function parseCidr(text: string, where: string): { base: number; prefix: number } | null {
  const m = /^([\d.]+)\/(\d{1,2})$/.exec(text);
  if (!m) return null;
  const ip = ipv4ToInt(m[1]);
  const prefix = Number(m[2]);
  if (ip === null || prefix > 32) throw new AddressMapError(`${where}: "${text}" is not an IPv4 CIDR`);
  return { base: (ip & mask(prefix)) >>> 0, prefix };
}

function checkHost(host: string, where: string): void {
  if (ipv4ToInt(host) === null && !isIPv6(host)) throw new AddressMapError(`${where}: "${host}" is not an IP address`);
}

/** Parse the map; throws AddressMapError naming the bad entry. Accepts the env string or the env.ts Map. */
export function parseAddressMap(input: string | Map<string, string> | Iterable<[string, string]> | undefined): AddressMap {
  const pairs: [string, string][] = [];
  if (input === undefined) {
    // empty
  } else if (typeof input === "string") {
    for (const part of input.split(",").map((x) => x.trim()).filter(Boolean)) {
      const m = /^([^=\s]+)=([^=\s]+)$/.exec(part);
      if (!m) throw new AddressMapError(`"${part}" is not from=to`);
      pairs.push([m[1], m[2]]);
    }
  } else {
    for (const [k, v] of input) pairs.push([k, v]);
  }
  const map: AddressMap = { exact: new Map(), cidrs: [], entries: pairs };
  for (const [from, to] of pairs) {
    const where = `DNS_ADDRESS_MAP entry "${from}=${to}"`;
    const cidr = parseCidr(from, where);
    if (cidr) {
      const toCidr = /^([\d.]+\/\d{1,2})(?::(\d+))?$/.exec(to);
      if (toCidr) {
        const target = parseCidr(toCidr[1], where)!;
        if (target.prefix !== cidr.prefix)
          throw new AddressMapError(`${where}: both sides must have the same prefix length to keep the host bits`);
        map.cidrs.push({ key: from, ...cidr, to: { ...target, port: toCidr[2] ? parsePort(toCidr[2], where) : undefined } });
      } else {
        const t = splitHostPort(to, where);
        checkHost(t.host, where);
        map.cidrs.push({ key: from, ...cidr, to: t });
      }
      continue;
    }
    const [addrPart, node, ...extra] = from.split("@");
    if (extra.length || node === "") throw new AddressMapError(`${where}: at most one "@node" suffix`);
    if (node !== undefined && !K8S_NAME.test(node.toLowerCase())) throw new AddressMapError(`${where}: "${node}" is not a node name`);
    const f = splitHostPort(addrPart, where);
    checkHost(f.host, where);
    if (/\//.test(to)) throw new AddressMapError(`${where}: a single address cannot map to a CIDR`);
    const t = splitHostPort(to, where);
    checkHost(t.host, where);
    const key = exactKey(f.host, f.port, node);
    if (map.exact.has(key)) throw new AddressMapError(`${where}: "${from}" is mapped twice`);
    map.exact.set(key, { ...t, key: from });
  }
  map.cidrs.sort((a, b) => b.prefix - a.prefix);
  return map;
}

function exactKey(host: string, port: number | undefined, node: string | undefined): string {
  return `${host.toLowerCase()}${port !== undefined ? `:${port}` : ""}${node ? `@${node.toLowerCase()}` : ""}`;
}

/**
 * Where a TCP connection (HTTP) to a cluster address is really made: only an exact `ip:port` entry applies, because the
 * CIDR and bare-`ip` entries carry DNS ports. No entry: the address itself.
 */
export function mapConnection(map: AddressMap, address: string, port: number): { host: string; port: number } {
  const hit = map.exact.get(exactKey(address, port, undefined));
  return hit ? { host: hit.host, port: hit.port ?? port } : { host: address, port };
}

/** Where a query for `dest` is really sent. */
export function mapDestination(map: AddressMap, dest: Destination): MappedDestination {
  const port = dest.port ?? 53;
  const host = dest.address.replace(/^\[|\]$/g, "").toLowerCase();
  const keys = [
    ...(dest.via ? [exactKey(host, port, dest.via), exactKey(host, undefined, dest.via)] : []),
    exactKey(host, port, undefined),
    exactKey(host, undefined, undefined),
  ];
  for (const k of keys) {
    const hit = map.exact.get(k);
    if (hit) return { host: hit.host, port: hit.port ?? port, rule: `${hit.key}=${hit.host}${hit.port ? `:${hit.port}` : ""}` };
  }
  const ip = ipv4ToInt(host);
  if (ip !== null) {
    for (const rule of map.cidrs) {
      if (((ip & mask(rule.prefix)) >>> 0) !== rule.base) continue;
      const to = rule.to;
      if ("base" in to) {
        const mapped = (to.base | (ip & ~mask(rule.prefix) & 0xffffffff)) >>> 0;
        return { host: intToIpv4(mapped), port: to.port ?? port, rule: `${rule.key}=${intToIpv4(to.base)}/${to.prefix}${to.port ? `:${to.port}` : ""}` };
      }
      return { host: to.host, port: to.port ?? port, rule: `${rule.key}=${to.host}${to.port ? `:${to.port}` : ""}` };
    }
  }
  return { host, port };
}

let fromEnv: { raw: string | undefined; map: AddressMap } | undefined;

/** The map from `process.env.DNS_ADDRESS_MAP` (server/env.ts validates the same text at start). */
export function addressMapFromEnv(): AddressMap {
  const raw = process.env.DNS_ADDRESS_MAP;
  if (!fromEnv || fromEnv.raw !== raw) fromEnv = { raw, map: parseAddressMap(raw ?? "") };
  return fromEnv.map;
}
