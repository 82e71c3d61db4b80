/**
 * `dnsdeck anomaly-push [--window 15m] [--json]`: what the dns-anomaly-monitor CronJob runs in dnsdeck's image. Counts
 * the last window's logged queries from the query-log rollups (QUERYLOG_DATABASE_URL) and pushes them to
 * PUSHGATEWAY_URL. Exit codes: 0 pushed, 2 failed (no database, no gateway, push refused), 64 usage. Audited.
 */
import type { AnomalyMetrics } from "./anomaly";

const WINDOW = /^(\d{1,3})(m|h)$/;

export async function anomalyPush(args: string[], out: (s: string) => void, err: (s: string) => void, user: string): Promise<number> {
  let window = "15m";
  let json = false;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--json") json = true;
    else if (args[i] === "--window" && WINDOW.test(args[i + 1] ?? "")) window = args[++i];
    else {
      err(`anomaly-push: unexpected "${args[i]}" (usage: anomaly-push [--window 15m|1h] [--json])`);
      return 64;
    }
  }
  const [, n, unit] = WINDOW.exec(window)!;
  const windowSeconds = Number(n) * (unit === "h" ? 3600 : 60);
  if (windowSeconds < 60 || windowSeconds > 6 * 3600) {
    err("anomaly-push: --window must be between 1m and 6h");
    return 64;
  }
  const { env } = await import("@/server/env");
  const { recordAudit } = await import("@/server/audit/record");
  const started = performance.now();
  const e = env();
  let metrics: AnomalyMetrics | undefined;
  let failure: string | undefined;
  try {
    if (!e.PUSHGATEWAY_URL) throw new Error("PUSHGATEWAY_URL is not set: nothing to push to");
    if (!e.QUERYLOG_DATABASE_URL) throw new Error("QUERYLOG_DATABASE_URL is not set: the counts come from Technitium's query logs");
    const { filterSchema } = await import("@/server/querylogs/filters");
    const { logStats } = await import("@/server/querylogs/service");
    const { pushAnomaly } = await import("./anomaly");
    const now = new Date();
    const from = new Date(now.getTime() - windowSeconds * 1000);
    const s = await logStats({ filter: filterSchema.parse({ from: from.toISOString(), to: now.toISOString() }), parts: ["series"] });
    metrics = {
      totalQueries: s.series.reduce((a, p) => a + p.total, 0),
      errorQueries: s.series.reduce((a, p) => a + p.serverFailure, 0),
      nxdomainQueries: s.series.reduce((a, p) => a + p.nxDomain, 0),
      windowSeconds,
      lastRunUnixSeconds: now.getTime() / 1000,
    };
    await pushAnomaly(e.PUSHGATEWAY_URL, metrics);
  } catch (x) {
    failure = x instanceof Error ? x.message : String(x);
  }
  await recordAudit({ user, role: null, action: "anomaly.push", target: "pushgateway dns-anomaly-monitor", input: { window }, result: failure ? "failed" : "ok", durationMs: performance.now() - started, error: failure ?? null, via: "cli" }).catch(() => {});
  if (failure) {
    err(`anomaly-push: ${failure}`);
    return 2;
  }
  if (json) out(JSON.stringify(metrics));
  else out(`pushed dns_anomaly_total_queries=${metrics!.totalQueries} dns_anomaly_error_queries=${metrics!.errorQueries} (last ${window}) to ${e.PUSHGATEWAY_URL}`);
  return 0;
}
