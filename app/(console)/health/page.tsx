import { describeDbError } from "@/server/db/client";
import { listAlerts } from "@/server/prometheus/alerts";
import { dnsMetrics } from "@/server/prometheus/dns-metrics";
import { rangeSchema } from "@/server/prometheus/schemas";
import { timeline } from "@/server/prometheus/timeline";
import { RANGE_NAMES } from "./format";
import { HealthConsole } from "./health-console";

export const dynamic = "force-dynamic";

export default async function HealthPage({ searchParams }: { searchParams: Promise<Record<string, string | undefined>> }) {
  const sp = await searchParams;
  const range = (RANGE_NAMES as readonly string[]).includes(sp.range ?? "") ? (sp.range as (typeof RANGE_NAMES)[number]) : "1h";
  const { from, to } = rangeSchema.parse({ range });
  const [metrics, alerts, tl] = await Promise.all([
    // a slow query-log panel must not hold the first paint: short deadline here, the client fetches it again
    dnsMetrics(from, to, { technitiumMs: 1200 }),
    listAlerts(),
    dnsMetricsTimeline(from, to),
  ]);
  return (
    <>
      <h1>Health</h1>
      <p className="lede">
        How the whole DNS path is doing right now: every tier's rates, the cache funnel, the upstreams and the homelab's alerts — with what changed drawn on the
        charts. Click a marker to open its run.
      </p>
      <HealthConsole range={range} metrics={metrics} alerts={alerts} timeline={tl} />
    </>
  );
}

/** The markers use the metrics' aligned range; a database outage leaves the charts without markers, and says so. */
async function dnsMetricsTimeline(from: Date, to: Date) {
  try {
    return await timeline(from, to);
  } catch (err) {
    return { markers: [], truncated: false, error: describeDbError(err) };
  }
}
