import { type Ip, parseCidr, parseIp, unmap } from "@/k8s/net";

/** Trust decisions on addresses: is a peer in the trusted ranges, do ranges admit everyone. Parsing: k8s/net.ts. */
export { type Ip, isCidr, isIp, parseCidr, parseIp } from "@/k8s/net";

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
