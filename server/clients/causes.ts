import "server-only";
import { z } from "zod";
import { CAUSE_LABEL, CAUSES, type Cause, type Classified, classify } from "@/k8s/causes";
import { CLIENT_KINDS, type ClientKind, KIND_LABEL } from "@/k8s/clients";
import { safeText } from "@/k8s/schemas";
import { queryLogCauses, queryLogStats } from "@/server/querylogs/service";
import type { Ctx } from "@/server/auth/ctx";
import { verb } from "@/server/verb";

/**
 * Why queries fail (issue 12): NXDOMAIN, SERVFAIL and blocked answers over a range, each classified by cause
 * (k8s/causes.ts) and by the kind of client that asked, counted exactly from the cause rollup
 * (server/querylogs/rollup-causes.ts: classified as the rollup reads, the kind from the client directory for the hour
 * the address asked, versioned, back-filled). The names and clients listed are examples — the range's most frequent
 * failing names and clients (the explorer's top lists); every count and share is over all failed answers.
 */
export const causesSchema = z.object({
  from: safeText(40).optional(),
  to: safeText(40).optional(),
  server: safeText(100).optional(),
  examples: z.enum(["with", "none"], { message: "must be with or none" }).optional(),
});
type Base = { from?: string; to?: string; server?: string };
/** The range and instance the shares and the examples are read over (the fields given, nothing else). */
const baseOf = (input: Base): Base => ({ ...(input.from ? { from: input.from } : {}), ...(input.to ? { to: input.to } : {}), ...(input.server ? { server: input.server } : {}) });

interface KindRow {
  kind: ClientKind;
  label: string;
  count: number;
  causes: Partial<Record<Cause, number>>;
  clients: { ip: string; name: string | null; count: number; rcode: string }[];
}

interface CauseRow {
  cause: Cause;
  label: string;
  count: number;
  share: number;
  fix: string;
  actionable: boolean;
  /** Failed answers of this cause per client kind. */
  byKind: Partial<Record<ClientKind, number>>;
  names: { name: string; count: number; suffix?: string; rcode: "NxDomain" | "ServerFailure" }[];
}

const HOUR = 3_600_000;
const DAY = 86_400_000;
const GENERIC_FIX: Record<Cause, Classified> = Object.fromEntries(
  CAUSES.map((c) => [c, { cause: c, fix: "", actionable: false }]),
) as Record<Cause, Classified>;
// one representative name per cause gives the cause's generic fix and whether it is worth acting on
for (const [c, q] of [
  ["search-expansion", { name: "x.svc.cluster.local.viktorbarzin.lan", rcode: 3 }],
  ["corporate-flood", { name: "a.emrsn.org", rcode: 3 }],
  ["blocked", { name: "ads.example", rcode: 0, responseType: 4 }],
  ["reverse-no-ptr", { name: "in-addr.arpa", rcode: 3, qtype: 12 }],
  ["internal-missing", { name: "host.viktorbarzin.lan", rcode: 3 }],
  ["upstream-failure", { name: "example.com", rcode: 2 }],
  ["other", { name: "example.invalid", rcode: 3 }],
] as const) {
  const r = classify(q);
  if (r && r.cause === c) GENERIC_FIX[c] = r;
}

/** The shares: every count, exact, from the cause rollup and the volume series' NXDOMAIN / SERVFAIL (no top lists). */
async function causeShares(ctx: Ctx, base: Base) {
  // one series of the failed answers carries both counts per bucket (each point has its NXDOMAIN and SERVFAIL answers);
  // narrowed to those two rcodes it reads their signatures only
  const [nx, counts] = await Promise.all([queryLogStats(ctx, { ...base, rcode: "NxDomain,ServerFailure", parts: "series" }), queryLogCauses(ctx, base)]);
  const total = { nxDomain: nx.series.reduce((s, p) => s + p.nxDomain, 0), serverFailure: nx.series.reduce((s, p) => s + p.serverFailure, 0), classified: counts.total.reduce((a, b) => a + b, 0) };
  const from = new Date(nx.from);

  // per kind: exact counts from the cause rollup (the kind each address was in the hour it asked)
  const byKind: KindRow[] = [];
  CLIENT_KINDS.forEach((kind, ki) => {
    const row = counts.kinds[ki];
    const count = row.reduce((a, b) => a + b, 0);
    if (count) byKind.push({ kind, label: KIND_LABEL[kind], count, causes: Object.fromEntries(CAUSES.map((c, ci) => [c, row[ci]]).filter(([, n]) => n)), clients: [] });
  });
  const causeKinds = CAUSES.map((_, ci) => new Map(CLIENT_KINDS.map((k, ki) => [k, counts.kinds[ki][ci]] as const).filter(([, n]) => n)));
  const causes: CauseRow[] = [];
  CAUSES.forEach((cause, ci) => {
    const count = counts.total[ci];
    if (!count) return;
    const g = GENERIC_FIX[cause];
    causes.push({ cause, label: CAUSE_LABEL[cause], count, share: total.classified ? count / total.classified : 0, fix: g.fix, actionable: g.actionable, byKind: Object.fromEntries(causeKinds[ci]), names: [] });
  });
  causes.sort((a, b) => b.count - a.count || CAUSES.indexOf(a.cause) - CAUSES.indexOf(b.cause));

  // causes over time on the same buckets as the NXDOMAIN / SERVFAIL series
  const step = (nx.series.length > 1 ? Date.parse(nx.series[1].t) - Date.parse(nx.series[0].t) : DAY) || DAY;
  const origin = nx.series.length ? Date.parse(nx.series[0].t) : from.getTime();
  const causeSeries = nx.series.map((p) => ({ t: p.t, ...Object.fromEntries(CAUSES.map((c) => [c, 0])) }) as { t: string } & Record<Cause, number>);
  for (const [hn, v] of counts.hours) {
    const i = Math.floor((hn * HOUR - origin) / step);
    const pt = causeSeries[Math.max(0, Math.min(causeSeries.length - 1, i))];
    if (pt) v.forEach((n, ci) => (pt[CAUSES[ci]] += n));
  }
  return {
    from: nx.from,
    to: nx.to,
    bucket: nx.bucket,
    total,
    staleDays: counts.staleDays,
    behind: counts.behind,
    causes,
    byKind: byKind.sort((a, b) => b.count - a.count),
    series: nx.series.map((p) => ({ t: p.t, nxDomain: p.nxDomain, serverFailure: p.serverFailure })),
    causeSeries,
  };
}
export type CauseShares = Awaited<ReturnType<typeof causeShares>>;

/**
 * The examples: the range's most frequent NXDOMAIN / SERVFAIL names, each under its cause (a specific name's own fix
 * — the stub zone for that domain, the host to add — replaces the cause's generic one), and the most frequent failing
 * clients, each under the kind the directory names it at the range's end. Read from the explorer's top lists.
 */
async function causeExamples(ctx: Ctx, base: Base) {
  const [nx, sf] = await Promise.all([
    queryLogStats(ctx, { ...base, rcode: "NxDomain", parts: "top", lists: "names,clients" }),
    queryLogStats(ctx, { ...base, rcode: "ServerFailure", parts: "top", lists: "names,clients" }),
  ]);
  const names: Partial<Record<Cause, CauseRow["names"]>> = {};
  const fixes: Partial<Record<Cause, string>> = {};
  for (const [stats, rcode, code] of [[nx, "NxDomain", 3], [sf, "ServerFailure", 2]] as const) {
    for (const e of stats.top.names) {
      const c = classify({ name: e.key, rcode: code });
      if (!c) continue;
      const list = (names[c.cause] ??= []);
      list.push({ name: e.key, count: e.count, suffix: c.suffix, rcode });
      if (list.length === 1 && c.cause !== "search-expansion" && c.cause !== "upstream-failure") fixes[c.cause] = c.fix;
    }
  }
  const clients: Partial<Record<ClientKind, KindRow["clients"]>> = {};
  const examples = [...nx.top.clients.map((e) => ({ ...e, rcode: "NxDomain" })), ...sf.top.clients.map((e) => ({ ...e, rcode: "ServerFailure" }))];
  for (const e of examples) (clients[e.client?.kind ?? "unknown"] ??= []).push({ ip: e.key, name: e.client?.name ?? e.client?.network ?? null, count: e.count, rcode: e.rcode });
  for (const list of Object.values(clients)) list.sort((a, b) => b.count - a.count).splice(10);
  return { names, fixes, clients, namesFailed: examples.some((e) => e.client === null), approximate: nx.top.approximate || sf.top.approximate };
}
export type CauseExamples = Awaited<ReturnType<typeof causeExamples>>;

/** The shares with their examples: names under each cause (and its specific fix), clients under each kind. */
export function withExamples(shares: CauseShares, ex: CauseExamples) {
  const byKind = [...shares.byKind];
  // a client whose kind at the range's end had no failure counted in the range (its address changed hands) gets a row
  for (const kind of Object.keys(ex.clients) as ClientKind[]) if (!byKind.some((k) => k.kind === kind)) byKind.push({ kind, label: KIND_LABEL[kind], count: 0, causes: {}, clients: [] });
  return {
    ...shares,
    approximate: ex.approximate,
    namesFailed: ex.namesFailed,
    causes: shares.causes.map((c) => ({ ...c, names: ex.names[c.cause] ?? [], fix: ex.fixes[c.cause] ?? c.fix })),
    byKind: byKind.map((k) => ({ ...k, clients: ex.clients[k.kind] ?? [] })),
  };
}

/**
 * GET /api/v1/query-logs/causes. `examples=none` answers with the shares only (every count; no names or clients
 * listed), `examples=only` with the examples only — the page shows the shares at once and streams the examples in.
 */
export const readCauses = verb({ name: "querylogs.causes", role: "viewer", input: causesSchema }, async (ctx, input) => {
  const base = baseOf(input);
  if (input.examples === "none") return { ...(await causeShares(ctx, base)), approximate: false, namesFailed: false };
  const [shares, ex] = await Promise.all([causeShares(ctx, base), causeExamples(ctx, base)]);
  return withExamples(shares, ex);
});

/** The examples alone (the page's second, streamed part), under the same role and input as the shares. */
export const readCauseExamples = verb({ name: "querylogs.cause-examples", role: "viewer", input: causesSchema }, (ctx, input) =>
  causeExamples(ctx, baseOf(input)),
);
