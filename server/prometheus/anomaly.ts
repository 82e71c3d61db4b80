/**
 * The numbers the homelab's dns-anomaly-monitor CronJob pushes, computed from the query-log rollups: queries Technitium
 * logged in the last window, and how many failed (SERVFAIL). Pushed (PUT, replacing the group) to
 * `<PUSHGATEWAY_URL>/metrics/job/dns-anomaly-monitor`, where DNSQuerySpike / DNSQueryRateDropped compare the value
 * with `avg_over_time(dns_anomaly_total_queries[1h] offset 15m)` and DNSHighErrorRate divides the two. Pure apart from
 * pushAnomaly().
 */
export const ANOMALY_JOB = "dns-anomaly-monitor";

export interface AnomalyMetrics {
  totalQueries: number;
  errorQueries: number;
  nxdomainQueries: number;
  windowSeconds: number;
  lastRunUnixSeconds: number;
}

export function renderAnomalyMetrics(m: AnomalyMetrics): string {
  const g = (name: string, help: string, v: number) => [`# HELP ${name} ${help}`, `# TYPE ${name} gauge`, `${name} ${v}`];
  return [
    ...g("dns_anomaly_total_queries", "Queries Technitium logged in the last window (all instances)", m.totalQueries),
    ...g("dns_anomaly_error_queries", "Queries answered SERVFAIL in the last window", m.errorQueries),
    ...g("dns_anomaly_nxdomain_queries", "Queries answered NXDOMAIN in the last window", m.nxdomainQueries),
    ...g("dns_anomaly_window_seconds", "Length of the window the counts cover", m.windowSeconds),
    ...g("dns_anomaly_last_run", "Unix time of the last anomaly-monitor run", Math.floor(m.lastRunUnixSeconds)),
  ].join("\n") + "\n";
}

export function anomalyPushUrl(base: string): string {
  return `${base.replace(/\/+$/, "")}/metrics/job/${ANOMALY_JOB}`;
}

export async function pushAnomaly(base: string, m: AnomalyMetrics, timeoutMs = 5000): Promise<void> {
  const res = await fetch(anomalyPushUrl(base), {
    method: "PUT",
    headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8" },
    body: renderAnomalyMetrics(m),
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (!res.ok) throw new Error(`Pushgateway answered HTTP ${res.status}: ${(await res.text()).slice(0, 200)}`);
}
