/**
 * Source addresses in the twin. Every hop listens on a loopback address standing in for its stack address
 * (10.a.b.c → 127.a.b.c, the destination rule of DNS_ADDRESS_MAP); packets the chain sends leave from the loopback
 * address of the hop that sends them, so a receiver can tell who asked — as Technitium's Split Horizon and query log
 * do with the socket's source address (reference §6.10). This module maps a loopback source back to the stack address
 * it stands for:
 * - 127.168.x.y → 192.168.x.y: LAN clients (a test or a person runs `dig -b 127.168.1.10 …`);
 * - 127.203.0.x → 203.0.113.x: a public client (TEST-NET-3), e.g. for recursion ACLs;
 * - 127.0.0.1 → itself: the host (dnsdeck, tests that set no source) — not a cluster or LAN address;
 * - any other 127.a.b.c → 10.a.b.c: pod IPs (CoreDNS), node IPs (NodeLocal on the host network), pfSense 10.0.20.1.
 * EDNS Client Subnet never changes who the client is.
 */
export function stackSource(remote: string): string {
  const ip = remote.replace(/^::ffff:/, "");
  const m = /^127\.(\d+)\.(\d+)\.(\d+)$/.exec(ip);
  if (!m || ip === "127.0.0.1") return ip;
  if (m[1] === "168") return `192.168.${m[2]}.${m[3]}`;
  if (m[1] === "203" && m[2] === "0") return `203.0.113.${m[3]}`;
  return `10.${m[1]}.${m[2]}.${m[3]}`;
}

/** The loopback address a stack address sends from in the twin (inverse of stackSource), or undefined. */
export function loopbackSource(stackAddress: string): string | undefined {
  let m = /^192\.168\.(\d+)\.(\d+)$/.exec(stackAddress);
  if (m) return `127.168.${m[1]}.${m[2]}`;
  m = /^203\.0\.113\.(\d+)$/.exec(stackAddress);
  if (m) return `127.203.0.${m[1]}`;
  m = /^10\.(\d+)\.(\d+)\.(\d+)$/.exec(stackAddress);
  if (m && m[1] !== "168" && m[1] !== "203") return `127.${m[1]}.${m[2]}.${m[3]}`;
  return undefined;
}
