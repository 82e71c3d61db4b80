/**
 * The PromQL behind the Health page, per tier, for the metric names each version exports (reference prometheus.md
 * §1.4, §5): kubeadm CoreDNS 1.11 (job "coredns", member = pod, upstreams as coredns_proxy_*{proxy_name="forward"})
 * and NodeLocal DNSCache node-cache 1.23.1 (job "node-local-dns", member = node, the older coredns_forward_*). Pure.
 */
export type Tier = "nodelocal" | "coredns";
export const JOBS: Record<Tier, { job: string; by: string }> = {
  nodelocal: { job: "node-local-dns", by: "node" },
  coredns: { job: "coredns", by: "pod" },
};
export const RCODES = ["NOERROR", "NXDOMAIN", "SERVFAIL", "REFUSED"] as const;

export function tierQueries(tier: Tier, w: string): Record<string, string> {
  const { job, by } = JOBS[tier];
  const sel = `job="${job}"`;
  const q: Record<string, string> = {
    qps: `sum by (${by}) (rate(coredns_dns_requests_total{${sel}}[${w}]))`,
    cacheHitRatio: `sum by (${by}) (rate(coredns_cache_hits_total{${sel}}[${w}])) / sum by (${by}) (rate(coredns_cache_requests_total{${sel}}[${w}]))`,
    rcodes: `sum by (${by}, rcode) (rate(coredns_dns_responses_total{${sel},rcode=~"${RCODES.join("|")}"}[${w}])) / ignoring (rcode) group_left sum by (${by}) (rate(coredns_dns_responses_total{${sel}}[${w}]))`,
    latencyP50: `histogram_quantile(0.5, sum by (${by}, le) (rate(coredns_dns_request_duration_seconds_bucket{${sel}}[${w}])))`,
    latencyP99: `histogram_quantile(0.99, sum by (${by}, le) (rate(coredns_dns_request_duration_seconds_bucket{${sel}}[${w}])))`,
  };
  if (tier === "coredns") {
    q.servedStale = `sum by (${by}) (rate(coredns_cache_served_stale_total{${sel}}[${w}]))`;
    q.panics = `sum by (${by}) (increase(coredns_panics_total{${sel}}[${w}]))`;
    q.reloadErrors = `sum by (${by}) (increase(coredns_reload_failed_total{${sel}}[${w}]))`;
  }
  return q;
}

export function upstreamQueries(w: string): Record<string, string> {
  const fwd = `job="coredns",proxy_name="forward"`;
  return {
    rate: `sum by (to) (rate(coredns_proxy_request_duration_seconds_count{${fwd}}[${w}]))`,
    errors: `sum by (to) (rate(coredns_proxy_request_duration_seconds_count{${fwd},rcode=~"SERVFAIL|REFUSED"}[${w}]))`,
    healthcheckFailures: `sum by (to) (rate(coredns_proxy_healthcheck_failures_total{${fwd}}[${w}]))`,
  };
}

/** Totals over the whole range, for the funnel (instant queries at the end of the range). */
export function funnelQueries(range: string): Record<string, string> {
  const inc = (m: string, sel: string, by = "") => `sum${by ? ` by (${by})` : ""} (increase(${m}{${sel}}[${range}]))`;
  return {
    nodeRequests: inc("coredns_dns_requests_total", `job="node-local-dns"`, "node"),
    nodeHits: inc("coredns_cache_hits_total", `job="node-local-dns"`, "node"),
    nodeForwards: inc("coredns_forward_requests_total", `job="node-local-dns"`, "to"),
    corednsRequests: inc("coredns_dns_requests_total", `job="coredns"`),
    corednsHits: inc("coredns_cache_hits_total", `job="coredns"`),
    corednsForwards: inc("coredns_proxy_request_duration_seconds_count", `job="coredns",proxy_name="forward"`, "to"),
  };
}

/** The cluster address of Technitium (technitium-dns-internal); other forward targets are upstream resolvers. */
export const TECHNITIUM_TARGETS = ["10.96.0.53:53"];
