import "server-only";
import { technitiumDashboard, type DashboardNumbers } from "@/server/technitium/dashboard";
import { listAlerts } from "./alerts";
import { PrometheusError, prometheusTarget, queryInstant } from "./client";
import type { AlertsResponse } from "./types";

/**
 * Overview's Health summary: right-now queries/s and SERVFAIL share per tier (two instant queries), the alerts that
 * are firing or pending, and Technitium's own dashboard numbers per instance. Each part fails alone.
 */
export interface HealthSummary {
  tiers: { tier: "nodelocal" | "coredns"; qps: number; servfail: number | null }[] | null;
  tiersError: string | null;
  alerts: AlertsResponse;
  technitium: DashboardNumbers[];
}

const JOB_TIER = { "node-local-dns": "nodelocal", coredns: "coredns" } as const;

async function tiersNow(): Promise<HealthSummary["tiers"]> {
  const sel = `job=~"coredns|node-local-dns"`;
  const [qps, sf] = await Promise.all([
    queryInstant(`sum by (job) (rate(coredns_dns_requests_total{${sel}}[2m]))`),
    // no SERVFAIL series at all means 0 %, not "unknown"
    queryInstant(`(sum by (job) (rate(coredns_dns_responses_total{${sel},rcode="SERVFAIL"}[2m])) or 0 * sum by (job) (rate(coredns_dns_responses_total{${sel}}[2m]))) / sum by (job) (rate(coredns_dns_responses_total{${sel}}[2m]))`),
  ]);
  return (["coredns", "node-local-dns"] as const)
    .map((job) => ({ job, q: qps.find((s) => s.metric.job === job), s: sf.find((x) => x.metric.job === job) }))
    .filter((x) => x.q)
    .map((x) => ({ tier: JOB_TIER[x.job], qps: Number(x.q!.value[1]), servfail: x.s ? Number(x.s.value[1]) : null }));
}

export async function healthSummary(): Promise<HealthSummary> {
  const [tiers, alerts, technitium] = await Promise.all([
    prometheusTarget()
      ? tiersNow().then(
          (t) => ({ t, e: null }),
          (e: unknown) => ({ t: null, e: e instanceof PrometheusError ? e.message : String(e) }),
        )
      : Promise.resolve({ t: null, e: null }),
    listAlerts(),
    technitiumDashboard(),
  ]);
  return { tiers: tiers.t, tiersError: tiers.e, alerts, technitium };
}
