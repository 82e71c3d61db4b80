/**
 * Live rates on the architecture graph: the text an edge carries (queries/s, error share) and the colour a node takes
 * from its metrics (SERVFAIL+REFUSED share: > 1 % amber, > 5 % red; an upstream failing its health checks is red),
 * combined with readiness by taking the worse. Pure.
 */
import type { EdgeRate, EdgeTraffic } from "@/server/prometheus/types";
import type { Health } from "./mermaid-text";

const RANK: Record<Health, number> = { unknown: -1, healthy: 0, degraded: 1, down: 2 };
export const worse = (a: Health, b: Health): Health => (RANK[b] > RANK[a] ? b : a);

export function rateText(r: EdgeRate | null | undefined): string {
  if (!r) return "";
  const q = r.qps >= 10 ? r.qps.toFixed(0) : r.qps.toFixed(1);
  return `${q} q/s${r.errorShare > 0.0005 ? `, ${(r.errorShare * 100).toFixed(1)}% err` : ""}`;
}

export function metricHealth(r: EdgeRate | null | undefined): Health {
  if (!r) return "unknown";
  return r.errorShare > 0.05 ? "down" : r.errorShare > 0.01 ? "degraded" : "healthy";
}

/** Sum the forwards whose target matches. */
export function sumRates(fwd: Record<string, EdgeRate>, match: (to: string) => boolean): EdgeRate | null {
  let qps = 0;
  let err = 0;
  for (const [to, r] of Object.entries(fwd)) {
    if (!match(to)) continue;
    qps += r.qps;
    err += r.qps * r.errorShare;
  }
  return qps > 0 ? { qps, errorShare: err / qps } : null;
}

export function upstreamHealth(t: EdgeTraffic | null, ips: string[]): Health {
  if (!t) return "unknown";
  const targets = ips.map((ip) => `${ip}:53`);
  if (t.failingUpstreams.some((to) => targets.includes(to))) return "down";
  return worse("healthy", metricHealth(sumRates(t.coreDnsForwards, (to) => targets.includes(to))));
}
