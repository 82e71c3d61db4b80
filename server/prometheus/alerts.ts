import "server-only";
import { activeAlerts, alertingRules, PROMETHEUS_NOT_CONFIGURED, PrometheusError, prometheusTarget } from "./client";
import type { AlertRuleState, AlertsResponse } from "./types";

/**
 * Every alerting rule Prometheus evaluates, with its state (inactive / pending / firing), since when, its value, and
 * the dnsdeck page that fixes it. Rules come from /api/v1/rules; the active instances (with expanded annotations)
 * from /api/v1/alerts. DNS rules first, firing before pending before inactive.
 */
const FIX: Record<string, { href: string; label: string }> = {
  CoreDNSErrors: { href: "/health", label: "Health: where SERVFAILs come from" },
  CoreDNSForwardFailureRate: { href: "/coredns", label: "CoreDNS: forward upstreams" },
  TechnitiumDNSDown: { href: "/architecture", label: "Architecture: Technitium pods" },
  TechnitiumZoneSyncFailed: { href: "/technitium", label: "Technitium: sync zones" },
  TechnitiumZoneSyncStale: { href: "/technitium", label: "Technitium: CronJobs, run zone sync now" },
  TechnitiumZoneCountMismatch: { href: "/technitium", label: "Technitium: sync zones" },
  DNSQuerySpike: { href: "/query-logs", label: "Query logs: who is asking" },
  DNSQueryRateDropped: { href: "/health", label: "Health: which tier lost traffic" },
  DNSHighErrorRate: { href: "/query-logs?rcode=ServerFailure", label: "Query logs: failed answers" },
};
const ORDER = { firing: 0, pending: 1, inactive: 2, unknown: 3 } as const;

export async function listAlerts(target = prometheusTarget()): Promise<AlertsResponse> {
  if (!target) return { configured: false, rules: [], error: { kind: "not_configured", message: PROMETHEUS_NOT_CONFIGURED } };
  try {
    const [groups, active] = await Promise.all([alertingRules(target), activeAlerts(target)]);
    const rules: AlertRuleState[] = [];
    for (const g of groups) {
      for (const r of g.rules) {
        if (r.type !== "alerting") continue;
        const mine = active.filter((a) => a.labels.alertname === r.name);
        const since = mine.map((a) => a.activeAt).sort()[0] ?? null;
        const state = (r.state ?? (mine.some((a) => a.state === "firing") ? "firing" : mine.length ? "pending" : "inactive")) as AlertRuleState["state"];
        rules.push({
          name: r.name,
          group: g.name,
          state,
          severity: r.labels?.severity ?? null,
          // annotations are templates until an alert is active; only the expanded text is shown
          summary: mine[0]?.annotations.summary ?? null,
          since,
          value: mine[0]?.value ?? null,
          instances: mine.map((a) => ({ labels: withoutName(a.labels), state: a.state, activeAt: a.activeAt ?? null, value: a.value, summary: a.annotations.summary ?? null })),
          health: r.health,
          lastError: r.lastError ?? null,
          fix: FIX[r.name] ?? { href: "/health", label: "Health" },
        });
      }
    }
    rules.sort((a, b) => ORDER[a.state] - ORDER[b.state] || Number(!(a.name in FIX)) - Number(!(b.name in FIX)) || a.name.localeCompare(b.name));
    return { configured: true, rules, error: null };
  } catch (err) {
    if (err instanceof PrometheusError) return { configured: true, rules: [], error: { kind: err.kind, message: err.message } };
    throw err;
  }
}

function withoutName(labels: Record<string, string>): Record<string, string> {
  const { alertname: _drop, ...rest } = labels;
  return rest;
}
