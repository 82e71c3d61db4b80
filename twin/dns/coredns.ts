/**
 * A CoreDNS-like server for the twin: answers from a parsed Corefile. Plugin order as compiled in (cache before
 * template before kubernetes before forward); caches count TTLs down, clamp them to the configured min/max, keep
 * negative answers for the denial TTLs, and serve stale answers (TTL 0) when every upstream fails.
 */
import type { Packet } from "dns-packet";
import { badVersion, inZone, rcodeOf, reply, withEdns } from "./wire";
import type { ServerBlock, ForwardCfg, CacheCfg } from "./corefile";
import type { CorednsObserver } from "./observer";
import { UpstreamHealth } from "./forward-health";

export interface CorednsContext {
  /** Send a query to a forward target ("10.0.20.1", "10.96.0.53:53", "/etc/resolv.conf"). Rejects on timeout/refusal. */
  send(target: string, req: Packet, o: { tcp: boolean }): Promise<Packet>;
  /** Services for the kubernetes plugin. */
  services(): { name: string; namespace: string; clusterIP?: string }[];
  /** Metrics hooks (twin/metrics): what this hop really served. */
  observer?: CorednsObserver;
}

/** Per-query notes for the observer: which plugin wrote the reply. */
interface Trace {
  plugin: string;
}

type R = { name: string; type: string; ttl: number; data: unknown };

interface Entry {
  storedAt: number;
  ttl: number;
  rcode: string;
  answers: R[];
  authorities: R[];
}

export class CorednsServer {
  private caches = new Map<ServerBlock, Map<string, Entry>>();
  private refreshing = new Set<string>();
  private rr = 0;
  private readonly health: UpstreamHealth;

  readonly blocks: ServerBlock[];

  constructor(
    blocks: ServerBlock[],
    private readonly ctx: CorednsContext,
  ) {
    // Every hop stands for a port-53 listener; blocks on other ports are not reachable through it.
    this.blocks = blocks.filter((b) => b.port === 53);
    for (const b of this.blocks) if (b.cache) this.caches.set(b, new Map());
    this.health = new UpstreamHealth((t, r) => this.ctx.send(t, r, { tcp: false }), ctx.observer, upstreamLabel);
  }

  /** Stop the health-check probes (the hop's config was replaced). */
  close(): void {
    this.health.stop();
  }

  /** Which server block a name goes to (longest matching zone). */
  blockFor(name: string): ServerBlock | undefined {
    let best: ServerBlock | undefined;
    let bestLen = -1;
    for (const b of this.blocks) {
      for (const z of b.zones) {
        if (inZone(name, z) && z.length > bestLen) {
          best = b;
          bestLen = z.length;
        }
      }
    }
    return best;
  }

  /** Answer one query, its OPT record written as CoreDNS writes it; `server` is the listener it came in on (the metrics' `server` label). */
  async handle(req: Packet, o: { proto?: "udp" | "tcp"; server?: string } = {}): Promise<Packet> {
    const t0 = performance.now();
    const trace: Trace = { plugin: "" };
    const res = withEdns(req, await this.answer(req, trace, o.server ?? "dns://:53"), "coredns");
    const q = req.questions?.[0];
    const qname = q?.name.toLowerCase().replace(/\.$/, "") ?? "";
    const block = q ? this.blockFor(qname) : undefined;
    if (block && this.ctx.observer) {
      const opt = (req.additionals ?? []).find((a) => a.type === "OPT") as { udpPayloadSize?: number; flags?: number } | undefined;
      this.ctx.observer.served({
        block, server: o.server ?? "dns://:53", qname, qtype: q!.type, proto: o.proto ?? "udp", rcode: rcodeOf(res), plugin: trace.plugin,
        seconds: (performance.now() - t0) / 1000, dnssecOk: ((opt?.flags ?? 0) & 0x8000) !== 0, requestBytes: opt?.udpPayloadSize ?? 512, responseBytes: approxSize(res),
      });
    }
    return res;
  }

  private async answer(req: Packet, trace: Trace, server: string): Promise<Packet> {
    const q = req.questions?.[0];
    if (!q) return reply(req, { rcode: "FORMERR" });
    // core/dnsserver: a class other than IN is refused unless the chaos plugin is loaded; EDNS > 0 → BADVERS
    if ((q.class ?? "IN") !== "IN" && !this.blocks.some((b) => b.plugins.includes("chaos"))) return reply(req, { rcode: "REFUSED" });
    const bad = badVersion(req, "coredns");
    if (bad) return bad;
    const qname = q.name.toLowerCase().replace(/\.$/, "");
    const block = this.blockFor(qname);
    if (!block) return reply(req, { rcode: "REFUSED" });
    const cache = this.caches.get(block);
    const key = `${qname}|${q.type}|${(req.flags ?? 0) & 0x100 ? 1 : 0}`;
    const now = Date.now();
    const hit = cache?.get(key);
    const fresh = !!hit && now < hit.storedAt + hit.ttl * 1000;
    if (cache) this.ctx.observer?.cache({ block, server, hit: fresh, stale: false, denial: !!hit && hit.rcode !== "NOERROR", entries: cache.size });
    if (hit && fresh) {
      trace.plugin = "cache";
      return this.fromCache(req, hit, now);
    }
    const cfg = block.cache;
    const stale = !!hit && !!cfg && cfg.serveStale > 0 && now - (hit.storedAt + hit.ttl * 1000) < cfg.serveStale * 1000;
    const serveStale = () => {
      this.ctx.observer?.cache({ block, server, hit: true, stale: true, denial: hit!.rcode !== "NOERROR", entries: cache!.size });
      trace.plugin = "cache";
      return this.staleReply(req, hit!);
    };
    if (stale && cfg!.serveStaleMode === "immediate") {
      // serve_stale without `verify` (the default): the stale answer at once with TTL 0, a refresh in the background
      this.refreshInBackground(req, block, qname, q.type, key);
      return serveStale();
    }

    let res: Packet | undefined;
    try {
      res = await this.resolve(req, block, qname, q.type, trace);
    } catch {
      res = undefined;
      trace.plugin = "";
    }
    const failed = !res || rcodeOf(res) === "SERVFAIL" || rcodeOf(res) === "REFUSED";
    // serve_stale … verify: the upstream is asked first; only when it fails is the stale answer served
    if (failed && stale) return serveStale();
    if (!res) return reply(req, { ra: true, rcode: "SERVFAIL" });
    if (cache && cfg && !failed) return this.store(cache, cfg, key, res, now);
    return res;
  }

  private staleReply(req: Packet, hit: Entry): Packet {
    // stale answers carry TTL 0 in CoreDNS 1.10/1.11; like every cached reply they are marked authoritative
    return reply(req, { aa: true, ra: true, rcode: hit.rcode, answers: hit.answers.map((r) => ({ ...r, ttl: 0 })), authorities: hit.authorities.map((r) => ({ ...r, ttl: 0 })) });
  }

  private refreshInBackground(req: Packet, block: ServerBlock, qname: string, qtype: string, key: string) {
    if (this.refreshing.has(key)) return;
    this.refreshing.add(key);
    void this.resolve(req, block, qname, qtype, { plugin: "" })
      .then((res) => {
        const cache = this.caches.get(block);
        if (cache && block.cache && rcodeOf(res) !== "SERVFAIL" && rcodeOf(res) !== "REFUSED") this.store(cache, block.cache, key, res, Date.now());
      })
      .catch(() => {})
      .finally(() => this.refreshing.delete(key));
  }

  private fromCache(req: Packet, e: Entry, now: number): Packet {
    const elapsed = Math.floor((now - e.storedAt) / 1000);
    const left = Math.max(0, e.ttl - elapsed);
    const dec = (r: R) => ({ ...r, ttl: left });
    // plugin/cache item.toMsg sets Authoritative on every reply built from the cache ("some clients discard
    // non-authoritative answers"), so a cached answer keeps AA
    return reply(req, { aa: true, ra: true, rcode: e.rcode, answers: e.answers.map(dec), authorities: e.authorities.map(dec) });
  }

  private store(cache: Map<string, Entry>, cfg: CacheCfg, key: string, res: Packet, now: number): Packet {
    const rcode = rcodeOf(res);
    const answers = (res.answers ?? []) as R[];
    const authorities = (res.authorities ?? []) as R[];
    let ttl: number;
    if (rcode === "NOERROR" && answers.length) {
      ttl = Math.min(...answers.map((r) => r.ttl ?? 0));
      ttl = Math.max(cfg.successMin, Math.min(cfg.successMax, ttl));
    } else if (rcode === "NXDOMAIN" || (rcode === "NOERROR" && !answers.length)) {
      const soa = authorities.find((r) => r.type === "SOA");
      const soaTtl = soa ? Math.min(soa.ttl ?? 0, (soa.data as { minimum?: number }).minimum ?? 0) : cfg.denialMin;
      ttl = Math.max(cfg.denialMin, Math.min(cfg.denialMax, soaTtl));
    } else return res;
    if (ttl <= 0) return res;
    // Like CoreDNS, the reply that fills the cache already carries the cache TTL on every record.
    const cap = (r: R) => ({ ...r, ttl });
    if (cache.size > 9984) cache.delete(cache.keys().next().value!);
    const entry = { storedAt: now, ttl, rcode, answers: answers.map(cap), authorities: authorities.map(cap) };
    cache.set(key, entry);
    return { ...res, answers: entry.answers as Packet["answers"], authorities: entry.authorities as Packet["authorities"] };
  }

  private async resolve(req: Packet, block: ServerBlock, qname: string, qtype: string, trace: Trace): Promise<Packet> {
    // template
    for (const t of block.templates) {
      if (t.cls !== "IN" && t.cls !== "ANY") continue;
      if (t.type !== "ANY" && t.type !== qtype) continue;
      if (!t.zones.some((z) => inZone(qname, z))) continue;
      const fq = qname + ".";
      const matched = t.match.some((re) => re.test(fq));
      if (!matched) {
        if (t.fallthrough) continue;
        return reply(req, { ra: true, rcode: "SERVFAIL" });
      }
      const answers = t.answers.map((a) => parseRr(a.replace(/\{\{\s*\.Name\s*\}\}/g, fq))).filter((r): r is R => !!r);
      trace.plugin = "template";
      return reply(req, { aa: true, ra: true, rcode: t.rcode, answers });
    }
    // kubernetes
    const k = block.kubernetes;
    if (k && k.zones.some((z) => inZone(qname, z))) {
      const zone = k.zones.find((z) => inZone(qname, z))!;
      const through = k.fallthrough === "all" || (Array.isArray(k.fallthrough) && k.fallthrough.some((z) => inZone(qname, z)));
      const soa: R = { name: zone, type: "SOA", ttl: k.ttl, data: { mname: "ns.dns." + zone, rname: "hostmaster." + zone, serial: 1700000000, refresh: 7200, retry: 1800, expire: 86400, minimum: k.ttl } };
      trace.plugin = block.cache ? "cache" : "kubernetes"; // cache wraps the writer of the plugins after it
      const m = /^([^.]+)\.([^.]+)\.svc\.(.+)$/.exec(qname);
      if (m && inZone(m[3], zone)) {
        const svc = this.ctx.services().find((s) => s.name === m[1] && s.namespace === m[2]);
        if (svc?.clusterIP && svc.clusterIP !== "None") {
          if (qtype === "A") return reply(req, { aa: true, ra: true, answers: [{ name: qname, type: "A", ttl: k.ttl, data: svc.clusterIP }] });
          return reply(req, { aa: true, ra: true, authorities: [soa] });
        }
      }
      if (!through) return reply(req, { aa: true, ra: true, rcode: "NXDOMAIN", authorities: [soa] });
    }
    // forward (Corefile order; the first whose FROM matches and whose except does not)
    for (const f of block.forward) {
      if (!inZone(qname, f.from)) continue;
      if (f.except.some((e) => inZone(qname, e))) continue;
      // the cache plugin wraps the writer of the plugins after it, so forwarded answers read "cache" when it is on
      trace.plugin = block.cache ? "cache" : "forward";
      return this.forward(req, f);
    }
    return reply(req, { ra: true, rcode: "SERVFAIL" });
  }

  private async forward(req: Packet, f: ForwardCfg): Promise<Packet> {
    let order = [...f.to];
    if (f.policy === "random") order = order.sort(() => Math.random() - 0.5);
    else if (f.policy === "round_robin") {
      const s = this.rr++ % order.length;
      order = [...order.slice(s), ...order.slice(0, s)];
    }
    // upstreams marked down by their health checks are skipped; when all are down, a random one is tried
    const up = order.filter((t) => !this.health.isDown(t, f));
    if (!up.length) {
      this.ctx.observer?.healthcheckBroken();
      order = [order[Math.floor(Math.random() * order.length)]];
    } else order = up;
    let lastErr: unknown;
    for (const target of order) {
      const t0 = performance.now();
      try {
        const res = await this.ctx.send(target, req, { tcp: f.forceTcp }); // passed through as received (AA included)
        this.ctx.observer?.forward({ to: upstreamLabel(target), rcode: rcodeOf(res), seconds: (performance.now() - t0) / 1000, proto: f.forceTcp ? "tcp" : "udp" });
        return res;
      } catch (err) {
        lastErr = err;
        this.ctx.observer?.forward({ to: upstreamLabel(target), rcode: null, seconds: (performance.now() - t0) / 1000, proto: f.forceTcp ? "tcp" : "udp" });
        this.health.failed(target, f);
      }
    }
    throw lastErr ?? new Error("no forward target answered");
  }
}

/** "name TTL IN A 1.2.3.4" → record (A, AAAA, CNAME, TXT only; enough for template answers). */
function parseRr(text: string): R | null {
  const m = /^(\S+)\s+(\d+)\s+IN\s+(A|AAAA|CNAME|TXT)\s+(.+)$/i.exec(text.trim());
  if (!m) return null;
  const type = m[3].toUpperCase();
  const data = type === "TXT" ? [m[4].replace(/^"|"$/g, "")] : m[4].trim().replace(/\.$/, "");
  return { name: m[1].replace(/\.$/, ""), type, ttl: Number(m[2]), data };
}

/** The `to` label: "IP:port" ("/etc/resolv.conf" → the node resolver pfSense). */
export function upstreamLabel(target: string): string {
  if (target.startsWith("/")) return "10.0.20.1:53";
  const t = target.replace(/^dns:\/\//, "");
  return /:\d+$/.test(t) ? t : `${t}:53`;
}

/** Wire size estimate of a reply for the response-size histogram (header + question + records). */
function approxSize(p: Packet): number {
  const rr = (p.answers?.length ?? 0) + (p.authorities?.length ?? 0) + (p.additionals?.length ?? 0);
  return 12 + (p.questions?.[0]?.name.length ?? 0) + 6 + rr * 28;
}
