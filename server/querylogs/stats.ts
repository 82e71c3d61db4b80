/**
 * Charts and top lists for the page, narrowed by every filter it offers: the volume series (by response type, by
 * instance, NXDOMAIN and SERVFAIL), Recursive RTT percentiles and the three top lists. Each comes from the cheapest
 * exact source (counting.ts, rtt-series.ts, top.ts) and says when it is not exact. Pure apart from the handles.
 */
import { Acc, type SeriesPoint, toSeries } from "./acc";
import { fillRolled, fillTail } from "./counting";
import type { Stores } from "./db-types";
import type { Filter } from "./filters";
import { plan } from "./plan";
import { type RttPoint, rttSeries } from "./rtt-series";
import { type TopEntry, type TopList, type TopWhich, topList } from "./top";

export const BUCKETS = { "1m": 60, "5m": 300, "15m": 900, "1h": 3600, "6h": 21600, "1d": 86400 } as const;
export type Bucket = keyof typeof BUCKETS;

export function autoBucket(from: Date, to: Date): Bucket {
  const span = (to.getTime() - from.getTime()) / 1000;
  if (span <= 2 * 3600) return "1m";
  if (span <= 12 * 3600) return "5m";
  if (span <= 2 * 86400) return "1h";
  if (span <= 14 * 86400) return "6h";
  return "1d";
}

export type { RttPoint, SeriesPoint, TopEntry };

export interface Stats {
  bucket: Bucket;
  /** "rollup": every number from rollups or raw rows exactly; "estimate": something is approximate (see notes). */
  source: "rollup" | "estimate";
  notes: string[];
  from: string;
  to: string;
  servers: string[];
  series: SeriesPoint[];
  top: { names: TopEntry[]; clients: TopEntry[]; blocked: TopEntry[]; approximate: boolean; quality: Record<"names" | "clients" | "blocked", TopList["quality"]> };
  rtt: RttPoint[];
  /** The same percentiles over every instance's answers together (server ""), from the summed histograms. */
  rttAll: RttPoint[];
}

export type StatsPart = "series" | "top" | "rtt";

export async function queryStats(stores: Stores, filter: Filter, opts: { bucket?: Bucket; parts?: StatsPart[]; lists?: TopWhich[] } = {}): Promise<Stats> {
  const want = new Set<StatsPart>(opts.parts?.length ? opts.parts : ["series", "top", "rtt"]);
  const bucket = opts.bucket ?? autoBucket(filter.from, filter.to);
  const step = BUCKETS[bucket] * 1000;
  const p = await plan(stores, filter);
  if (want.has("series") && want.has("rtt")) p.keyRead = { step };
  const notes: string[] = [];
  if (p.clipped) notes.push(p.clipped);
  let approximate = false;
  const seriesJob = async () => {
    if (!want.has("series")) return [];
    const acc = new Acc(step, p.dict);
    await Promise.all([fillRolled(p, acc), fillTail(p, acc)]);
    notes.push(...acc.notes);
    approximate ||= acc.approximate;
    return toSeries(acc, filter.from, filter.to);
  };
  const rttJob = async () => {
    if (!want.has("rtt")) return { points: [], all: [] };
    const r = await rttSeries(p, step);
    notes.push(...r.notes);
    approximate ||= r.approximate;
    return r;
  };
  const topJob = async () => {
    if (!want.has("top")) return null;
    // a list not asked for (the causes page reads no blocked list) costs nothing and comes back empty
    const lists = new Set<TopWhich>(opts.lists?.length ? opts.lists : ["names", "clients", "blocked"]);
    const one = (w: TopWhich): Promise<TopList> => (lists.has(w) ? topList(p, w) : Promise.resolve({ entries: [], quality: "exact", note: null }));
    const [names, clients, blocked] = await Promise.all([one("names"), one("clients"), one("blocked")]);
    for (const l of [names, clients, blocked]) if (l.note) notes.push(l.note);
    return { names, clients, blocked };
  };
  const [series, { points: rtt, all: rttAll }, top] = await Promise.all([seriesJob(), rttJob(), topJob()]);
  const servers = new Set<string>();
  for (const pt of series) for (const s of Object.keys(pt.byServer)) servers.add(s);
  for (const r of rtt) servers.add(r.server);
  if (!servers.size) for (const s of p.dict.servers.values()) servers.add(s);
  return {
    bucket,
    source: approximate || (top && [top.names, top.clients, top.blocked].some((l) => l.quality === "estimate")) ? "estimate" : "rollup",
    notes: [...new Set(notes)],
    from: filter.from.toISOString(),
    to: filter.to.toISOString(),
    servers: [...servers].sort(),
    series,
    top: top
      ? { names: top.names.entries, clients: top.clients.entries, blocked: top.blocked.entries, approximate: [top.names, top.clients, top.blocked].some((l) => l.quality !== "exact"), quality: { names: top.names.quality, clients: top.clients.quality, blocked: top.blocked.quality } }
      : { names: [], clients: [], blocked: [], approximate: false, quality: { names: "exact", clients: "exact", blocked: "exact" } },
    rtt,
    rttAll,
  };
}
