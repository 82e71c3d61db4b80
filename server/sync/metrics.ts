/**
 * The metrics today's alerts use (TechnitiumZoneSyncFailed / …Stale / …CountMismatch), in Prometheus text format,
 * pushed (PUT, replacing the group) to `<PUSHGATEWAY_URL>/metrics/job/technitium-zone-sync`. Pure apart from push().
 */
export const PUSH_JOB = "technitium-zone-sync";

export interface ZoneSyncMetrics {
  /** 0 = the run succeeded, 1 = something failed. */
  status: 0 | 1;
  failures: number;
  lastRunUnixSeconds: number;
  zoneCounts: Record<string, number | null>;
}

const escapeLabel = (v: string) => v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');

export function renderZoneSyncMetrics(m: ZoneSyncMetrics): string {
  const lines = [
    "# HELP technitium_zone_sync_status 0 = last zone sync succeeded, 1 = at least one zone failed",
    "# TYPE technitium_zone_sync_status gauge",
    `technitium_zone_sync_status ${m.status}`,
    "# HELP technitium_zone_sync_failures Zones that failed to sync in the last run",
    "# TYPE technitium_zone_sync_failures gauge",
    `technitium_zone_sync_failures ${m.failures}`,
    "# HELP technitium_zone_sync_last_run Unix time of the last zone sync run",
    "# TYPE technitium_zone_sync_last_run gauge",
    `technitium_zone_sync_last_run ${Math.floor(m.lastRunUnixSeconds)}`,
    "# HELP technitium_zone_count Non-internal zones on each Technitium instance",
    "# TYPE technitium_zone_count gauge",
  ];
  for (const [instance, n] of Object.entries(m.zoneCounts)) if (typeof n === "number") lines.push(`technitium_zone_count{instance="${escapeLabel(instance)}"} ${n}`);
  return lines.join("\n") + "\n";
}

export function pushUrl(base: string): string {
  return `${base.replace(/\/+$/, "")}/metrics/job/${PUSH_JOB}`;
}

export async function pushMetrics(base: string, body: string, timeoutMs = 5000): Promise<void> {
  const res = await fetch(pushUrl(base), {
    method: "PUT",
    headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8" },
    body,
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (!res.ok) throw new Error(`Pushgateway answered HTTP ${res.status}: ${(await res.text()).slice(0, 200)}`);
}

/** From a zone-sync run's outcome (status + results) to the metric values. */
export function metricsFromRun(run: { status: string; results: unknown; finishedAt?: string | null }, now = Date.now()): ZoneSyncMetrics {
  const r = (run.results ?? {}) as { results?: { outcome: string }[]; zoneCounts?: Record<string, number | null> };
  const failed = (r.results ?? []).filter((x) => x.outcome === "failed").length;
  return {
    status: run.status === "ok" ? 0 : 1,
    failures: run.status === "failed" ? Math.max(failed, 1) : failed,
    lastRunUnixSeconds: (run.finishedAt ? Date.parse(run.finishedAt) : now) / 1000,
    zoneCounts: r.zoneCounts ?? {},
  };
}
