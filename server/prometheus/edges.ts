import "server-only";
import { queryInstant, type Sample } from "./client";
import type { EdgeRate, EdgeTraffic } from "./types";

/**
 * Live traffic for the architecture graph's edges and the metric side of its node colours: queries/s and error share
 * (SERVFAIL + REFUSED) per hop-to-hop edge over the last 2 minutes, and the upstreams whose health checks fail.
 */
const ERR = new Set(["SERVFAIL", "REFUSED"]);

function byKey(samples: Sample[], key: string): Record<string, EdgeRate> {
  const out: Record<string, { total: number; err: number }> = {};
  for (const s of samples) {
    const k = s.metric[key] ?? "";
    const v = Number(s.value[1]) || 0;
    const o = (out[k] ??= { total: 0, err: 0 });
    o.total += v;
    if (ERR.has(s.metric.rcode ?? "")) o.err += v;
  }
  return Object.fromEntries(Object.entries(out).map(([k, o]) => [k, { qps: o.total, errorShare: o.total > 0 ? o.err / o.total : 0 }]));
}

export async function edgeTraffic(): Promise<EdgeTraffic> {
  const w = "2m";
  const [resp, cFwd, nFwd, hc] = await Promise.all([
    queryInstant(`sum by (job, rcode) (rate(coredns_dns_responses_total{job=~"coredns|node-local-dns"}[${w}]))`),
    queryInstant(`sum by (to, rcode) (rate(coredns_proxy_request_duration_seconds_count{job="coredns",proxy_name="forward"}[${w}]))`),
    queryInstant(`sum by (to, rcode) (rate(coredns_forward_responses_total{job="node-local-dns"}[${w}]))`),
    queryInstant(`sum by (to) (rate(coredns_proxy_healthcheck_failures_total{job="coredns"}[${w}])) > 0`),
  ]);
  const jobs = byKey(resp, "job");
  return {
    nodeLocal: jobs["node-local-dns"] ?? null,
    coreDns: jobs.coredns ?? null,
    nodeLocalForwards: byKey(nFwd, "to"),
    coreDnsForwards: byKey(cFwd, "to"),
    failingUpstreams: hc.map((s) => s.metric.to).filter(Boolean),
  };
}
