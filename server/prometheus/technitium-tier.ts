import "server-only";
import { filterSchema } from "@/server/querylogs/filters";
import { logStats } from "@/server/querylogs/service";
import { BUCKETS } from "@/server/querylogs/stats";
import type { Point, TierSeries } from "./types";

/**
 * Technitium per instance from the query-log rollups (Technitium 14.x exports no Prometheus metrics): queries per
 * second, cache hit ratio (Cached of Cached + Recursive), rcode shares, and recursive-answer RTT p50/p99 (seconds).
 * Also the range's answer types, which split Technitium's part of the funnel.
 */
export async function technitiumTiers(from: Date, to: Date): Promise<{ tiers: TierSeries[]; byType: Record<string, number> }> {
  const overall = await logStats({ filter: filterSchema.parse({ from: from.toISOString(), to: to.toISOString() }), parts: ["series", "rtt"] });
  const sec = BUCKETS[overall.bucket];
  const byType: Record<string, number> = {};
  for (const p of overall.series) for (const [k, v] of Object.entries(p.byType)) byType[k] = (byType[k] ?? 0) + v;
  const tiers = await Promise.all(
    overall.servers.map(async (server): Promise<TierSeries> => {
      const s = await logStats({ filter: filterSchema.parse({ from: from.toISOString(), to: to.toISOString(), server }), bucket: overall.bucket, parts: ["series"] });
      const t = (iso: string) => Math.floor(Date.parse(iso) / 1000);
      const share = (n: number, d: number) => (d > 0 ? n / d : 0);
      const rtt = overall.rtt.filter((r) => r.server === server);
      return {
        tier: "technitium",
        member: server,
        qps: s.series.map((p): Point => [t(p.t), p.total / sec]),
        cacheHitRatio: s.series.map((p): Point => [t(p.t), share(p.byType.Cached ?? 0, (p.byType.Cached ?? 0) + (p.byType.Recursive ?? 0))]),
        rcodes: {
          NXDOMAIN: s.series.map((p): Point => [t(p.t), share(p.nxDomain, p.total)]),
          SERVFAIL: s.series.map((p): Point => [t(p.t), share(p.serverFailure, p.total)]),
        },
        latencyP50: rtt.filter((r) => r.p50 !== null).map((r): Point => [t(r.t), r.p50! / 1000]),
        latencyP99: rtt.filter((r) => r.p99 !== null).map((r): Point => [t(r.t), r.p99! / 1000]),
      };
    }),
  );
  return { tiers, byType };
}
