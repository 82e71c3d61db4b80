/**
 * What a client at a given address gets from one Technitium instance, computed from that instance's live app configs:
 * the Split Horizon AddressTranslation post-processor (appPreference 40) then DNS Rebinding Protection, as their
 * sources do it (reference technitium.md §3.2, §3.4, §6.10). Both match the packet's **source address** — never EDNS
 * Client Subnet — so from inside the cluster dnsdeck cannot ask "as a LAN client"; it computes the answer instead.
 * Pure; addresses parsed by k8s/net (ipaddr.js), the one IP parser.
 */
import { parseCidr, parseIp } from "@/k8s/net";

export interface SplitHorizonApp {
  enableAddressTranslation?: boolean;
  domainGroupMap?: Record<string, string>;
  networkGroupMap?: Record<string, string>;
  groups?: { name: string; enabled?: boolean; externalToInternalTranslation?: Record<string, string> }[];
}

export interface RebindingApp {
  enableProtection?: boolean;
  bypassNetworks?: string[];
  privateNetworks?: string[];
  privateDomains?: string[];
}

export interface ViewRecord {
  type: string;
  data: string;
}

export interface ClientViewInput {
  qname: string;
  qtype: string;
  rcode: string;
  /** The untranslated answer (what the instance's zones or the upstream give). */
  answers: ViewRecord[];
  /** The answer is authoritative on this instance (rebinding protection skips those). */
  authoritative: boolean;
  client: string;
  splitHorizon: SplitHorizonApp | null;
  rebinding: RebindingApp | null;
}

const under = (name: string, zone: string) => {
  const n = name.toLowerCase().replace(/\.$/, "");
  const z = zone.toLowerCase().replace(/\.$/, "");
  return n === z || n.endsWith(`.${z}`);
};

function cidr(text: string): { addr: string; prefix: number; family: "ipv4" | "ipv6" } | null {
  const c = parseCidr(text);
  return c ? { addr: c[0].toString(), prefix: c[1], family: c[0].kind() } : null;
}

function contains(network: string, ip: string): boolean {
  const c = parseCidr(network);
  const a = parseIp(ip);
  return !!c && !!a && a.kind() === c[0].kind() && a.match(c as never);
}

const v4 = (ip: string) => ip.split(".").reduce((n, o) => n * 256 + Number(o), 0);
const v4s = (n: number) => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join(".");

/** The group a client falls in: the longest domainGroupMap match wins for every client, else the longest network. */
function groupFor(cfg: SplitHorizonApp, qname: string, client: string): string | undefined {
  const domains = Object.entries(cfg.domainGroupMap ?? {}).filter(([d]) => under(qname, d)).sort((a, b) => b[0].length - a[0].length);
  if (domains.length) return domains[0][1];
  const nets = Object.entries(cfg.networkGroupMap ?? {}).filter(([n]) => contains(n, client)).sort((a, b) => (cidr(b[0])?.prefix ?? 0) - (cidr(a[0])?.prefix ?? 0));
  return nets[0]?.[1];
}

function translate(map: Record<string, string>, ip: string): string {
  const entries = Object.entries(map);
  const exact = entries.find(([ext]) => { const c = cidr(ext); return c && c.prefix === (c.family === "ipv4" ? 32 : 128) && c.addr === parseIp(ip)?.toString(); });
  if (exact) return exact[1].split("/")[0];
  for (const [ext, int] of entries) {
    const e = cidr(ext);
    const i = cidr(int);
    if (!e || !i || !contains(ext, ip)) continue;
    if (e.family !== "ipv4" || parseIp(ip)?.kind() !== "ipv4") return i.addr; // IPv6 host bits: not used in this homelab
    const host = e.prefix === 32 ? 0 : v4(ip) % 2 ** (32 - e.prefix);
    return v4s(v4(i.addr) - (v4(i.addr) % 2 ** (32 - i.prefix)) + host);
  }
  return ip;
}

export interface ClientView {
  rcode: string;
  answers: ViewRecord[];
  /** What happened, in order: "Split Horizon group lan: 176.12.22.76 → 10.0.20.200", "rebinding protection removed …". */
  steps: string[];
}

export function clientView(i: ClientViewInput): ClientView {
  let answers = i.answers.map((a) => ({ ...a }));
  const steps: string[] = [];
  const sh = i.splitHorizon;
  if (sh?.enableAddressTranslation && i.rcode === "NOERROR" && (i.qtype === "A" || i.qtype === "AAAA") && answers.length) {
    const name = groupFor(sh, i.qname, i.client);
    const group = sh.groups?.find((g) => g.name === name);
    if (group?.enabled) {
      answers = answers.map((a) => {
        if (a.type !== "A" && a.type !== "AAAA") return a;
        const to = translate(group.externalToInternalTranslation ?? {}, a.data);
        if (to !== a.data) steps.push(`Split Horizon group ${group.name}: ${a.data} → ${to}`);
        return { ...a, data: to };
      });
    } else steps.push(name ? `Split Horizon group ${name} is missing or disabled` : `no Split Horizon group for ${i.client}`);
  } else if (!sh?.enableAddressTranslation) steps.push("Split Horizon address translation is off");
  const rb = i.rebinding;
  if (rb && rb.enableProtection !== false && !i.authoritative && !(rb.bypassNetworks ?? []).some((n) => contains(n, i.client))) {
    const kept = answers.filter((a) => a.type !== "A" || (rb.privateDomains ?? []).some((d) => under(i.qname, d)) || !(rb.privateNetworks ?? []).some((n) => contains(n, a.data)));
    for (const a of answers) if (!kept.includes(a)) steps.push(`rebinding protection removed A ${a.data} (private address; ${i.qname} is not in privateDomains)`);
    answers = kept;
  }
  return { rcode: i.rcode, answers, steps };
}
