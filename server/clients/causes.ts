import "server-only";
import { z } from "zod";
import { CAUSE_LABEL, CAUSES, type Cause, classify } from "@/k8s/causes";
import { type ClientKind, KIND_LABEL } from "@/k8s/clients";
import { safeText } from "@/k8s/schemas";
import { queryLogStats } from "@/server/querylogs/service";
import { verb } from "@/server/verb";

/**
 * Why queries fail (issue 12): NXDOMAIN and SERVFAIL answers over a range, their names classified (k8s/causes.ts),
 * their clients named by kind (the client directory). Every number comes from the query-log explorer's rollups
 * (the same top lists and series the Query logs page shows), so 90 days cost what one chart costs.
 *
 * Honest limits: the explorer keeps the top 20 names and clients per filter, so cause shares are shares of the top
 * names, with `coverage` saying how much of all failures those names hold; totals and the series are exact.
 */
export const causesSchema = z.object({
  from: safeText(40).optional(),
  to: safeText(40).optional(),
  server: safeText(100).optional(),
});

interface CauseRow {
  cause: Cause;
  label: string;
  count: number;
  share: number;
  fix: string;
  actionable: boolean;
  names: { name: string; count: number; suffix?: string; rcode: "NxDomain" | "ServerFailure" }[];
}

export const readCauses = verb({ name: "querylogs.causes", role: "viewer", input: causesSchema }, async (ctx, input) => {
  const base = { ...(input.from ? { from: input.from } : {}), ...(input.to ? { to: input.to } : {}), ...(input.server ? { server: input.server } : {}) };
  const [nx, sf] = await Promise.all([
    queryLogStats(ctx, { ...base, rcode: "NxDomain", parts: "series,top" }),
    queryLogStats(ctx, { ...base, rcode: "ServerFailure", parts: "series,top" }),
  ]);
  const total = { nxDomain: nx.series.reduce((s, p) => s + p.total, 0), serverFailure: sf.series.reduce((s, p) => s + p.total, 0) };
  const all = total.nxDomain + total.serverFailure;

  const byCause = new Map<Cause, CauseRow>();
  let covered = 0;
  for (const [stats, rcode, code] of [[nx, "NxDomain", 3], [sf, "ServerFailure", 2]] as const) {
    for (const e of stats.top.names) {
      const c = classify({ name: e.key, rcode: code });
      if (!c) continue;
      covered += e.count;
      const row = byCause.get(c.cause) ?? { cause: c.cause, label: CAUSE_LABEL[c.cause], count: 0, share: 0, fix: c.fix, actionable: c.actionable, names: [] };
      row.count += e.count;
      row.names.push({ name: e.key, count: e.count, suffix: c.suffix, rcode });
      if (c.cause === "search-expansion" || c.cause === "upstream-failure") row.fix = c.fix; // same fix for every name of the cause
      byCause.set(c.cause, row);
    }
  }
  const causes = [...byCause.values()].map((r) => ({ ...r, share: covered ? r.count / covered : 0 })).sort((a, b) => b.count - a.count || CAUSES.indexOf(a.cause) - CAUSES.indexOf(b.cause));

  // the stats verb has named each top client already (by what its address was at the range's end)
  const clientEntries = [...nx.top.clients.map((e) => ({ ...e, rcode: "NxDomain" as const })), ...sf.top.clients.map((e) => ({ ...e, rcode: "ServerFailure" as const }))];
  const names = clientEntries.some((e) => e.client === null) ? null : clientEntries.map((e) => e.client);
  const byKind = new Map<ClientKind, { kind: ClientKind; label: string; count: number; clients: { ip: string; name: string | null; count: number; rcode: string }[] }>();
  clientEntries.forEach((e, i) => {
    const id = names?.[i];
    const kind = id?.kind ?? "unknown";
    const row = byKind.get(kind) ?? { kind, label: KIND_LABEL[kind], count: 0, clients: [] };
    row.count += e.count;
    row.clients.push({ ip: e.key, name: id?.name ?? null, count: e.count, rcode: e.rcode });
    byKind.set(kind, row);
  });

  return {
    from: nx.from,
    to: nx.to,
    bucket: nx.bucket,
    total,
    coverage: all ? covered / all : 1,
    approximate: String(nx.source) === "estimate" || String(sf.source) === "estimate" || nx.top.approximate || sf.top.approximate,
    causes,
    byKind: [...byKind.values()].sort((a, b) => b.count - a.count),
    series: nx.series.map((p, i) => ({ t: p.t, nxDomain: p.total, serverFailure: sf.series[i]?.total ?? 0 })),
    namesFailed: names === null,
  };
});
