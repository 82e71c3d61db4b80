/**
 * Pods asking DNS, for the demo: a steady stream of real queries from every worker node to the cluster DNS address
 * (10.96.0.10 on that node — NodeLocal when it runs there, else kube-proxy → CoreDNS), shaped by a diurnal curve
 * (quiet before dawn, busiest late afternoon, 4× apart). Names are what pods look up: Services, ndots:5 search-list
 * expansions (NXDOMAIN), viktorbarzin.lan hosts through Technitium, public names through the upstreams. Like a pod's
 * resolver, a query that times out is retried once. In-flight queries are capped so a dropping hop cannot pile up.
 */
import { mapDestination, parseAddressMap } from "../../server/dns/address-map";
import { exchange, makeQuery } from "../dns/wire";

export interface TrafficOptions {
  addressMap: string;
  nodes: string[];
  /** Average queries per second over the day (all nodes). */
  perSecond: number;
  /** Per-attempt timeout of a pod's resolver (glibc: 5 s; shorter in the twin). */
  timeoutMs?: number;
  /** Clock for the diurnal curve (tests pin it). */
  now?: () => Date;
}

const SEARCH = ["default.svc.cluster.local", "svc.cluster.local", "cluster.local"];
const NAMES: [string, number][] = [
  ["kubernetes.default.svc.cluster.local", 14],
  ["technitium-web.technitium.svc.cluster.local", 6],
  ["kube-dns.kube-system.svc.cluster.local", 3],
  ["postgresql.dbaas.svc.cluster.local", 8],
  ["idrac.viktorbarzin.lan", 3],
  ["proxmox.viktorbarzin.lan", 4],
  ["grafana.viktorbarzin.lan", 2],
  ["github.com", 8],
  ["api.github.com", 4],
  ["immich.viktorbarzin.me", 3],
  ["blog.viktorbarzin.me", 2],
  ["registry-1.docker.io", 3],
  ["nonexistent-service.default.svc.cluster.local", 1],
];
const TOTAL = NAMES.reduce((a, [, w]) => a + w, 0);

/** 0.4 … 1.6 over the day (mean 1): lowest at 05:00, highest at 17:00 local time. */
export function diurnal(d: Date): number {
  const h = d.getHours() + d.getMinutes() / 60;
  return 1 - 0.6 * Math.cos((2 * Math.PI * (h - 5)) / 24);
}

function pick(): string {
  let r = Math.random() * TOTAL;
  for (const [n, w] of NAMES) if ((r -= w) < 0) return n;
  return NAMES[0][0];
}

/** What a pod with ndots:5 sends for `name`: search-list expansions first for names with fewer than 5 dots. */
export function podQueries(name: string): string[] {
  if (name.endsWith(".cluster.local") || name.split(".").length > 5) return [name];
  return [...SEARCH.map((s) => `${name}.${s}`), name];
}

export function startTraffic(o: TrafficOptions): { stop(): void; sent(): number } {
  const map = parseAddressMap(o.addressMap);
  const now = o.now ?? (() => new Date());
  const timeoutMs = o.timeoutMs ?? 2000;
  const workers = o.nodes.filter((n) => n !== "k8s-master");
  let carry = 0;
  let inFlight = 0;
  let sent = 0;
  const ask = async (node: string, name: string, type: string) => {
    const d = mapDestination(map, { address: "10.96.0.10", port: 53, via: node });
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        sent++;
        return await exchange(makeQuery(name, type), { host: d.host, port: d.port, timeoutMs });
      } catch {
        /* retried once, like a pod's resolver */
      }
    }
    return null;
  };
  const lookup = async (node: string) => {
    inFlight++;
    try {
      const name = pick();
      const type = Math.random() < 0.3 ? "AAAA" : "A";
      for (const q of podQueries(name)) {
        const res = await ask(node, q, type);
        if (res && (res as unknown as { rcode?: string }).rcode !== "NXDOMAIN") break;
      }
    } finally {
      inFlight--;
    }
  };
  const tick = 250;
  const timer = setInterval(() => {
    carry += (o.perSecond * diurnal(now()) * tick) / 1000;
    while (carry >= 1) {
      carry -= 1;
      if (inFlight >= 100) continue; // a dropping hop must not pile up sockets
      void lookup(workers[Math.floor(Math.random() * workers.length)]);
    }
  }, tick);
  timer.unref?.();
  return { stop: () => clearInterval(timer), sent: () => sent };
}
