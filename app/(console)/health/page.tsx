import { pageContext } from "@/server/auth/page-context";
import { readHealthPage } from "@/server/prometheus/verbs";
import { RANGE_NAMES } from "./format";
import { HealthConsole } from "./health-console";

export const dynamic = "force-dynamic";

export default async function HealthPage({ searchParams }: { searchParams: Promise<Record<string, string | undefined>> }) {
  const ctx = await pageContext("/health");
  const sp = await searchParams;
  const range = (RANGE_NAMES as readonly string[]).includes(sp.range ?? "") ? (sp.range as (typeof RANGE_NAMES)[number]) : "1h";
  const { metrics, alerts, timeline } = await readHealthPage(ctx, { range });
  return (
    <>
      <h1>Health</h1>
      <p className="lede">
        How the whole DNS path is doing right now: every tier's rates, the cache funnel, the upstreams and the homelab's alerts — with what changed drawn on the
        charts. Click a marker to open its run.
      </p>
      <HealthConsole range={range} metrics={metrics} alerts={alerts} timeline={timeline} />
    </>
  );
}
