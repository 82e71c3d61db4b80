/**
 * The metric families one CoreDNS process exports, as the versions the homelab runs define them (reference
 * prometheus.md §1–§2, checked against coredns/coredns plugin/metrics/vars, plugin/cache/metrics.go, plugin/forward and
 * plugin/pkg/proxy, and kubernetes/dns cmd/node-cache/app/metrics.go):
 * - kubeadm CoreDNS 1.11.3: forward upstreams as `coredns_proxy_*{proxy_name="forward"}`;
 * - k8s-dns-node-cache 1.23.1 = CoreDNS 1.10.0: the older `coredns_forward_*` set, plus
 *   `coredns_nodecache_setup_errors_total{errortype}` created at 0 for its five values.
 * Counts only what the twin's hop really serves (it implements the hop's CorednsObserver).
 */
import { createHash } from "node:crypto";
import type { ServerBlock } from "../dns/corefile";
import type { CorednsObserver, ServedQuery } from "../dns/observer";
import { Registry } from "./registry";

export type CorednsFlavour = "coredns-1.11.3" | "node-cache-1.23.1";

/** plugin.TimeBuckets: 0.00025 × 2^n up to 8.192 s. */
const TIME_BUCKETS = Array.from({ length: 16 }, (_, i) => 0.00025 * 2 ** i);
const SIZE_BUCKETS = [0, 100, 200, 300, 400, 511, 1023, 2047, 4095, 8291, 16e3, 32e3, 48e3, 64e3];
const KNOWN_TYPES = new Set(["A", "AAAA", "CNAME", "DNSKEY", "DS", "MX", "NSEC3", "NSEC", "NS", "PTR", "RRSIG", "SOA", "SRV", "TXT", "HTTPS", "IXFR", "AXFR", "ANY"]);

const dotted = (z: string) => (z === "" ? "." : `${z}.`);

export class CorednsMetrics implements CorednsObserver {
  readonly registry = new Registry();
  private readonly modern: boolean;
  private r = this.registry;
  private requests = this.r.counter("coredns_dns_requests_total", "Counter of DNS requests made per zone, protocol and family.", ["server", "zone", "view", "proto", "family", "type"]);
  private responses = this.r.counter("coredns_dns_responses_total", "Counter of response status codes.", ["server", "zone", "view", "rcode", "plugin"]);
  private duration = this.r.histogram("coredns_dns_request_duration_seconds", "Histogram of the time (in seconds) each request took per zone.", ["server", "zone", "view"], TIME_BUCKETS);
  private reqSize = this.r.histogram("coredns_dns_request_size_bytes", "Size of the EDNS0 UDP buffer in bytes (64K for TCP) per zone and protocol.", ["server", "zone", "view", "proto"], SIZE_BUCKETS);
  private resSize = this.r.histogram("coredns_dns_response_size_bytes", "Size of the returned response in bytes.", ["server", "zone", "view", "proto"], SIZE_BUCKETS);
  private doRequests = this.r.counter("coredns_dns_do_requests_total", "Counter of DNS requests with DO bit set per zone.", ["server", "zone", "view"]);
  private cacheRequests = this.r.counter("coredns_cache_requests_total", "The count of cache requests.", ["server", "zones", "view"]);
  private cacheHits = this.r.counter("coredns_cache_hits_total", "The count of cache hits.", ["server", "type", "zones", "view"]);
  private cacheMisses = this.r.counter("coredns_cache_misses_total", "The count of cache misses. Deprecated, derive misses from cache hits/requests counters.", ["server", "zones", "view"]);
  private cacheStale = this.r.counter("coredns_cache_served_stale_total", "The number of requests served from stale cache entries.", ["server", "zones", "view"]);
  private cacheEntries = this.r.gauge("coredns_cache_entries", "The number of elements in the cache.", ["server", "type", "zones", "view"]);
  private reloadFailed = this.r.counter("coredns_reload_failed_total", "Counter of the number of failed reload attempts.");
  private reloadInfo = this.r.gauge("coredns_reload_version_info", "A metric with a constant '1' value labeled by hash, and value which type of hash generated.", ["hash", "value"]);
  private pluginEnabled = this.r.gauge("coredns_plugin_enabled", "A metric that indicates whether a plugin is enabled on per server and zone basis.", ["server", "zone", "view", "name"]);
  private panics = this.r.counter("coredns_panics_total", "A metrics that counts the number of panics.");
  private broken: ReturnType<Registry["counter"]>;
  private rejects: ReturnType<Registry["counter"]>;
  private fwdDuration: ReturnType<Registry["histogram"]>;
  private fwdHcFailures: ReturnType<Registry["counter"]>;
  private fwdRequests?: ReturnType<Registry["counter"]>;
  private fwdResponses?: ReturnType<Registry["counter"]>;

  constructor(readonly flavour: CorednsFlavour) {
    this.modern = flavour === "coredns-1.11.3";
    const version = this.modern ? "1.11.3" : "1.10.0";
    this.r.gauge("coredns_build_info", "A metric with a constant '1' value labeled by version, revision, and goversion from which CoreDNS was built.", ["version", "revision", "goversion"]).set({ version, revision: "", goversion: "" }, 1); // the twin does not claim a build
    this.r.gauge("process_start_time_seconds", "Start time of the process since unix epoch in seconds.").set({}, Math.floor(Date.now() / 1000));
    this.panics.touch();
    this.reloadFailed.touch();
    this.broken = this.r.counter("coredns_forward_healthcheck_broken_total", "Counter of the number of complete failures of the healthchecks.");
    this.rejects = this.r.counter("coredns_forward_max_concurrent_rejects_total", "Counter of the number of queries rejected because the concurrent queries were at maximum.");
    this.broken.touch();
    this.rejects.touch();
    if (this.modern) {
      this.fwdDuration = this.r.histogram("coredns_proxy_request_duration_seconds", "Histogram of the time each request took.", ["proxy_name", "to", "rcode"], TIME_BUCKETS);
      this.fwdHcFailures = this.r.counter("coredns_proxy_healthcheck_failures_total", "Counter of the number of failed healthchecks.", ["proxy_name", "to"]);
    } else {
      this.fwdRequests = this.r.counter("coredns_forward_requests_total", "Counter of requests made per upstream.", ["to"]);
      this.fwdResponses = this.r.counter("coredns_forward_responses_total", "Counter of responses received per upstream.", ["rcode", "to"]);
      this.fwdDuration = this.r.histogram("coredns_forward_request_duration_seconds", "Histogram of the time each request took.", ["to", "rcode"], TIME_BUCKETS);
      this.fwdHcFailures = this.r.counter("coredns_forward_healthcheck_failures_total", "Counter of the number of failed healthchecks.", ["to"]);
      const setup = this.r.counter("coredns_nodecache_setup_errors_total", "The number of errors during periodic network setup for node-cache", ["errortype"]);
      for (const t of ["iptables", "iptables_lock", "interface_add", "interface_check", "configmap"]) setup.touch({ errortype: t });
    }
  }

  /** A Corefile was loaded: reload hash and the enabled plugins per server block (bind/reload never listed). */
  configLoaded(text: string, blocks: ServerBlock[], servers: (b: ServerBlock) => string[]): void {
    this.reloadInfo.set({ hash: "sha512", value: createHash("sha512").update(text).digest("hex") }, 1);
    for (const b of blocks) {
      for (const server of servers(b)) {
        for (const z of b.zones) for (const name of new Set(b.plugins)) if (name !== "bind" && name !== "reload") this.pluginEnabled.set({ server, zone: dotted(z), view: "", name }, 1);
      }
    }
  }

  /** A changed Corefile did not load; the old one keeps serving. */
  reloadFailure(): void {
    this.reloadFailed.inc();
  }

  served(q: ServedQuery): void {
    if (!q.block.plugins.includes("prometheus")) return; // only blocks with `prometheus` are counted
    const zone = dotted(longestZone(q.block, q.qname));
    const base = { server: q.server, zone, view: "" };
    this.requests.inc({ ...base, proto: q.proto, family: "1", type: KNOWN_TYPES.has(q.qtype) ? q.qtype : "other" });
    this.responses.inc({ ...base, rcode: q.rcode, plugin: q.plugin });
    this.duration.observe(base, q.seconds);
    this.reqSize.observe({ ...base, proto: q.proto }, q.proto === "tcp" ? 64e3 : q.requestBytes);
    this.resSize.observe({ ...base, proto: q.proto }, q.responseBytes);
    if (q.dnssecOk) this.doRequests.inc(base);
  }

  cache(e: { block: ServerBlock; server: string; hit: boolean; stale: boolean; denial: boolean; entries: number }): void {
    if (!e.block.plugins.includes("prometheus")) return;
    const zones = e.block.zones.map(dotted).join(",");
    const l = { server: e.server, zones, view: "" };
    this.cacheRequests.inc(l);
    if (e.hit) this.cacheHits.inc({ ...l, type: e.denial ? "denial" : "success" });
    else this.cacheMisses.inc(l);
    if (e.stale) this.cacheStale.inc(l);
    this.cacheEntries.set({ ...l, type: "success" }, e.entries);
  }

  forward(e: { to: string; rcode: string | null; seconds: number; proto: "udp" | "tcp" }): void {
    if (e.rcode === null) return; // only a reply read moves these (timeouts leave no trace)
    if (this.modern) this.fwdDuration.observe({ proxy_name: "forward", to: e.to, rcode: e.rcode }, e.seconds);
    else {
      this.fwdRequests!.inc({ to: e.to });
      this.fwdResponses!.inc({ rcode: e.rcode, to: e.to });
      this.fwdDuration.observe({ to: e.to, rcode: e.rcode }, e.seconds);
    }
  }

  healthcheckFailure(to: string): void {
    this.fwdHcFailures.inc(this.modern ? { proxy_name: "forward", to } : { to });
  }

  healthcheckBroken(): void {
    this.broken.inc();
  }

  render(): string {
    return this.registry.render();
  }
}

function longestZone(b: ServerBlock, qname: string): string {
  let best = "";
  for (const z of b.zones) if ((z === "" || qname === z || qname.endsWith(`.${z}`)) && z.length >= best.length) best = z;
  return best;
}
