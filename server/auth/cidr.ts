import { isIP } from "node:net";

/** Does `address` (IPv4, IPv6 or IPv4-mapped IPv6) fall in any of the CIDRs? Exact addresses count as /32 or /128. */
export function inCidrs(address: string, cidrs: string[]): boolean {
  const addr = normalise(address);
  if (!addr) return false;
  return cidrs.some((cidr) => {
    const [net, prefixText] = cidr.split("/");
    const base = normalise(net);
    if (!base || base.family !== addr.family) return false;
    const bits = base.family === 4 ? 32 : 128;
    const prefix = prefixText === undefined ? bits : Number(prefixText);
    const shift = BigInt(bits - prefix);
    return addr.value >> shift === base.value >> shift;
  });
}

function normalise(address: string): { family: 4 | 6; value: bigint } | null {
  let a = address.trim();
  if (a.startsWith("::ffff:") && isIP(a.slice(7)) === 4) a = a.slice(7);
  const family = isIP(a);
  if (family === 4) {
    const value = a.split(".").reduce((acc, o) => (acc << 8n) + BigInt(Number(o)), 0n);
    return { family: 4, value };
  }
  if (family === 6) return { family: 6, value: ipv6ToBigInt(a) };
  return null;
}

function ipv6ToBigInt(a: string): bigint {
  const [head, tail = ""] = a.split("::");
  const h = head ? head.split(":") : [];
  const t = a.includes("::") ? (tail ? tail.split(":") : []) : [];
  const groups = a.includes("::") ? [...h, ...Array(8 - h.length - t.length).fill("0"), ...t] : h;
  return groups.reduce((acc, g) => (acc << 16n) + BigInt(parseInt(g || "0", 16)), 0n);
}
