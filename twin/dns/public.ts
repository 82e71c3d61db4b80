/**
 * The public Internet as the twin's upstream resolvers (1.1.1.1, 1.0.0.1, 8.8.8.8, 8.8.4.4) answer it:
 * viktorbarzin.me from Cloudflare (non-proxied names → A 176.12.22.76, proxied → CNAME to the tunnel), a few
 * well-known names, NXDOMAIN with the right SOA otherwise. Recursive answers (RA set, no AA).
 */
import type { Packet } from "dns-packet";
import { inZone, reply } from "./wire";

export const PUBLIC_IP = "176.12.22.76";
export const TUNNEL = "3f6c1b2e-8d4a-4c7e-9a51-6be0d2f4a913.cfargotunnel.com";
export const NON_PROXIED = ["mail", "headscale", "immich", "vaultwarden", "calibre", "ha-sofia", "wg", "turn", "jellyfin"];
export const PROXIED = ["blog", "hackmd", "homepage", "ntfy", "grafana", "technitium", "dns", "phpipam", "authentik", "nextcloud", "uptime", "status"];

type R = { name: string; type: string; ttl: number; data: unknown };

const ZONES: Record<string, { soa: R; records: R[] }> = {};

function addZone(zone: string, records: [string, string, number, unknown][]): void {
  ZONES[zone] = {
    soa: { name: zone, type: "SOA", ttl: 1800, data: { mname: `ns1.${zone}`, rname: `dns.${zone}`, serial: 2026112401, refresh: 10000, retry: 2400, expire: 604800, minimum: 1800 } },
    records: records.map(([n, type, ttl, data]) => ({ name: n === "@" ? zone : `${n}.${zone}`, type, ttl, data })),
  };
}

addZone("viktorbarzin.me", [
  ...NON_PROXIED.map((n) => [n, "A", 300, PUBLIC_IP] as [string, string, number, unknown]),
  ...NON_PROXIED.map((n) => [n, "AAAA", 300, "2001:470:6e:43d::2"] as [string, string, number, unknown]),
  ...PROXIED.map((n) => [n, "CNAME", 300, TUNNEL] as [string, string, number, unknown]),
  ["@", "MX", 300, { preference: 10, exchange: "mail.viktorbarzin.me" }],
  ["@", "TXT", 300, ["v=spf1 include:mailgun.org -all"]],
  ["_dmarc", "TXT", 300, ["v=DMARC1; p=quarantine; pct=100"]],
  ["keyserver", "A", 300, "130.162.165.220"],
  // a large TXT set that does not fit a 512-byte UDP answer (exercises TC → TCP)
  ["big", "TXT", 300, Array.from({ length: 12 }, (_, i) => `chunk-${i}-${"x".repeat(90)}`)],
]);
addZone("cfargotunnel.com", [[TUNNEL.replace(/\.cfargotunnel\.com$/, ""), "AAAA", 300, "fd10:aec2:5dae::"]]);
addZone("github.com", [
  ["@", "A", 60, "140.82.121.3"],
  ["api", "A", 60, "140.82.121.6"],
]);
addZone("cloudflare.com", [
  ["@", "A", 300, "104.16.132.229"],
  ["www", "CNAME", 300, "www.cloudflare.com.cdn.cloudflare.net"],
]);
addZone("cloudflare.net", [["www.cloudflare.com.cdn", "A", 300, "104.16.124.96"]]);
addZone("google.com", [
  ["@", "A", 300, "142.250.185.78"],
  ["www", "A", 300, "142.250.185.100"],
]);
addZone("example.com", [["@", "A", 3600, "93.184.215.14"]]);
addZone("emrsn.org", [["@", "A", 3600, "165.225.72.37"]]);
addZone("doubleclick.net", [["ad", "A", 60, "142.250.185.70"]]);

/**
 * The ISP hands the homelab a new public IP (the fault panel's "ISP changed the public IP"): every non-proxied A record
 * of viktorbarzin.me follows, as Terraform's next run would write it. `setPublicIp(PUBLIC_IP)` puts it back.
 */
let currentPublicIp = PUBLIC_IP;
export function setPublicIp(ip: string): void {
  for (const r of ZONES["viktorbarzin.me"].records) if (r.type === "A" && r.data === currentPublicIp) r.data = ip;
  currentPublicIp = ip;
}

/** Answer a question as the public DNS would (with CNAME chasing across zones). */
export function publicAnswer(req: Packet): Packet {
  const q = req.questions?.[0];
  if (!q) return reply(req, { rcode: "FORMERR" });
  let name = q.name.toLowerCase().replace(/\.$/, "");
  const answers: R[] = [];
  for (let hop = 0; hop < 8; hop++) {
    const zone = Object.keys(ZONES)
      .filter((z) => inZone(name, z))
      .sort((a, b) => b.length - a.length)[0];
    if (!zone) return reply(req, { ra: true, rcode: answers.length ? "NOERROR" : "NXDOMAIN", answers });
    const z = ZONES[zone];
    const at = [...(name === zone ? [z.soa] : []), ...z.records.filter((r) => r.name === name)];
    const cname = at.find((r) => r.type === "CNAME");
    if (cname && q.type !== "CNAME") {
      answers.push(cname);
      name = String(cname.data);
      continue;
    }
    const hits = at.filter((r) => r.type === q.type || (q.type as string) === "ANY");
    if (hits.length) return reply(req, { ra: true, answers: [...answers, ...hits] });
    const exists = at.length > 0 || z.records.some((r) => r.name.endsWith("." + name));
    return reply(req, { ra: true, rcode: exists || answers.length ? "NOERROR" : "NXDOMAIN", answers, authorities: [{ ...z.soa, ttl: 1800 }] });
  }
  return reply(req, { ra: true, rcode: "SERVFAIL" });
}
