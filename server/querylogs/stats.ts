/**
 * Charts and top lists. Filters the rollups cover (time, instance, response type, rcode, qtype, protocol) read the
 * rollup tables only; a client or name filter, or a bucket under one hour, aggregates raw rows under a statement
 * timeout (marked `source: "raw"`). Rows past the watermark (the tail) are always added from raw rows. Pure.
 */
import type { Stores } from "./db-types";
import { decode, RESPONSE_TYPES } from "./enums";
import type { Filter } from "./filters";
import { rollupCountable } from "./filters";
import { conditions, Params, resolve, TAIL_EXACT_MAX, type Resolved } from "./query";
import { rttBucketLow, RTT_BUCKETS } from "./rollup";

/** Per-day ranks summed for multi-day top lists (querylog_top_ranked keeps this many). */
export const TOP_PER_DAY = 50;

export const BUCKETS = { "1m": 60, "5m": 300, "15m": 900, "1h": 3600, "6h": 21600, "1d": 86400 } as const;
export type Bucket = keyof typeof BUCKETS;

export function autoBucket(from: Date, to: Date): Bucket {
  const span = (to.getTime() - from.getTime()) / 1000;
  if (span <= 3 * 3600) return "1m";
  if (span <= 12 * 3600) return "5m";
  if (span <= 2 * 86400) return "1h";
  if (span <= 14 * 86400) return "6h";
  return "1d";
}

export interface SeriesPoint {
  t: string;
  total: number;
  byType: Record<string, number>;
  byServer: Record<string, number>;
  nxDomain: number;
  serverFailure: number;
}
export interface TopEntry {
  key: string;
  count: number;
}
export interface RttPoint {
  t: string;
  server: string;
  count: number;
  p50: number | null;
  p90: number | null;
  p99: number | null;
}
export interface Stats {
  bucket: Bucket;
  source: "rollup" | "raw";
  notes: string[];
  from: string;
  to: string;
  servers: string[];
  series: SeriesPoint[];
  top: { names: TopEntry[]; clients: TopEntry[]; blocked: TopEntry[]; approximate: boolean };
  rtt: RttPoint[];
}

function dims(f: Filter, p: Params, opts: { serverOnly?: boolean } = {}): string[] {
  const out: string[] = [];
  const set = (col: string, s: { values: unknown[]; not: boolean } | undefined, type: string) => {
    if (!s) return;
    const ph = p.add(s.values);
    out.push(s.not ? `${col} <> ALL(${ph}::${type}[])` : `${col} = ANY(${ph}::${type}[])`);
  };
  set("server", f.server, "text");
  if (opts.serverOnly) return out;
  set("qtype", f.qtype, "int");
  set("rcode", f.rcode, "smallint");
  set("response_type", f.responseType, "smallint");
  set("protocol", f.protocol, "smallint");
  return out;
}

type Agg = { t: number; server: string; rt: number; rcode: number; n: number };

function pivot(rows: Agg[], from: Date, to: Date, step: number): SeriesPoint[] {
  const map = new Map<number, SeriesPoint>();
  const origin = Math.floor(from.getTime() / 1000 / step) * step;
  for (let t = origin; t < to.getTime() / 1000; t += step)
    map.set(t, { t: new Date(t * 1000).toISOString(), total: 0, byType: {}, byServer: {}, nxDomain: 0, serverFailure: 0 });
  for (const r of rows) {
    const t = Math.floor(r.t / step) * step;
    let pt = map.get(t);
    if (!pt) map.set(t, (pt = { t: new Date(t * 1000).toISOString(), total: 0, byType: {}, byServer: {}, nxDomain: 0, serverFailure: 0 }));
    const type = decode(RESPONSE_TYPES, r.rt) as string;
    pt.total += r.n;
    pt.byType[type] = (pt.byType[type] ?? 0) + r.n;
    pt.byServer[r.server] = (pt.byServer[r.server] ?? 0) + r.n;
    if (r.rcode === 3) pt.nxDomain += r.n;
    if (r.rcode === 2) pt.serverFailure += r.n;
  }
  return [...map.entries()].sort((a, b) => a[0] - b[0]).map(([, v]) => v);
}

async function rawAgg(stores: Stores, r: Resolved, step: number, timeoutMs: number): Promise<Agg[]> {
  const out: Agg[] = [];
  for (const part of ["tail", "main"] as const) {
    if (part === "main" && r.lo > r.hi) continue;
    const p = new Params();
    const c = conditions(r, part, p);
    const bound = part === "tail" ? `dlid > ${p.add(r.watermark)}` : `dlid >= ${p.add(r.lo)} AND dlid <= ${p.add(r.hi)}`;
    const sql = `SELECT floor(extract(epoch FROM timestamp) / ${step})::bigint * ${step} AS t, coalesce(server, '') AS server, response_type AS rt, rcode, count(*)::bigint AS n
                   FROM dns_logs WHERE ${bound} AND ${c.join(" AND ")} GROUP BY 1, 2, 3, 4`;
    const rows = await runWithTimeout(stores, sql, p.values, timeoutMs);
    for (const x of rows) out.push({ t: Number(x.t), server: x.server, rt: x.rt, rcode: x.rcode, n: Number(x.n) });
  }
  return out;
}

/** One statement under a timeout (SET LOCAL inside a transaction on one pooled connection). */
export async function runWithTimeout(stores: Stores, sql: string, values: unknown[], timeoutMs: number): Promise<any[]> {
  const pool = stores.logs as Stores["logs"] & { connect?: () => Promise<Stores["logs"] & { release(): void }>; totalCount?: number };
  const c = typeof pool.connect === "function" && pool.totalCount !== undefined ? await pool.connect() : null;
  const h = c ?? stores.logs;
  try {
    await h.query("BEGIN");
    await h.query(`SET LOCAL statement_timeout = ${Math.round(timeoutMs)}`);
    const { rows } = await h.query(sql, values);
    await h.query("COMMIT");
    return rows;
  } catch (err) {
    await h.query("ROLLBACK").catch(() => {});
    if (/statement timeout|canceling statement/i.test((err as Error).message))
      throw Object.assign(new Error(`this chart needs more than ${Math.round(timeoutMs / 1000)} s over raw rows; narrow the range or drop the client/name filter`), { code: "timeout" });
    throw err;
  } finally {
    c?.release();
  }
}

export type StatsPart = "series" | "top" | "rtt";

export async function queryStats(stores: Stores, filter: Filter, opts: { bucket?: Bucket; timeoutMs?: number; parts?: StatsPart[] } = {}): Promise<Stats> {
  const want = new Set<StatsPart>(opts.parts?.length ? opts.parts : ["series", "top", "rtt"]);
  const r = await resolve(stores, filter);
  const from = filter.from; // charts may show rollup history older than the raw rows
  const to = filter.to;
  const bucket = opts.bucket ?? autoBucket(from, to);
  const lastDay = new Date(to.getTime() - 1).toISOString().slice(0, 10);
  const step = BUCKETS[bucket];
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const notes: string[] = [];
  if (r.clipped) notes.push(`dns_logs holds no rows before ${r.oldest?.at.toISOString()} (retention or not logged); any chart buckets before that come from dnsdeck's rollups, which keep history after retention deletes.`);
  const useRollups = rollupCountable(filter) && step >= 3600 && r.watermark > 0;
  const seriesJob = async (): Promise<Agg[]> => {
  let aggs: Agg[] = [];
  if (useRollups) {
    const p = new Params();
    const d = dims(filter, p);
    const daily = step >= 86400;
    const table = daily ? (filter.qtype || filter.protocol ? "querylog_daily" : "querylog_daily_rt") : "querylog_hourly";
    const col = daily ? "day" : "hour";
    const lo = daily ? from.toISOString().slice(0, 10) : new Date(Math.floor(from.getTime() / 3_600_000) * 3_600_000).toISOString();
    const sql = `SELECT extract(epoch FROM ${col}${daily ? "::timestamp AT TIME ZONE 'UTC'" : ""})::bigint AS t, server, response_type AS rt, rcode, sum(count)::bigint AS n
                   FROM ${table} WHERE ${col} >= ${p.add(lo)}${daily ? "::date" : "::timestamptz"} AND ${daily ? `${col} <= ${p.add(lastDay)}::date` : `${col} < ${p.add(to.toISOString())}::timestamptz`}
                   ${d.length ? "AND " + d.join(" AND ") : ""} GROUP BY 1, 2, 3, 4`;
    const { rows } = await stores.deck.query(sql, p.values);
    aggs = rows.map((x) => ({ t: Number(x.t), server: x.server, rt: x.rt, rcode: x.rcode, n: Number(x.n) }));
    // the tail (not rolled up yet) — skipped while the rollups catch up on a large backlog
    if (r.newest - r.watermark > TAIL_EXACT_MAX) {
      notes.push(`dnsdeck's rollups are catching up (${(r.newest - r.watermark).toLocaleString("en")} rows behind); the newest rows are not in the charts yet.`);
      return aggs;
    }
    const p2 = new Params();
    const c = conditions(r, "tail", p2);
    const tail = await stores.logs.query(
      `SELECT floor(extract(epoch FROM timestamp) / ${step})::bigint * ${step} AS t, coalesce(server, '') AS server, response_type AS rt, rcode, count(*)::bigint AS n
         FROM dns_logs WHERE dlid > ${p2.add(r.watermark)} AND ${c.join(" AND ")} GROUP BY 1, 2, 3, 4`,
      p2.values,
    );
    for (const x of tail.rows) aggs.push({ t: Number(x.t), server: x.server, rt: x.rt, rcode: x.rcode, n: Number(x.n) });
    if (daily) notes.push("Daily buckets count whole UTC days.");
  } else {
    if (!rollupCountable(filter)) notes.push("A client or name filter is set, so the charts are computed from raw rows (slower on wide ranges).");
    aggs = await rawAgg(stores, r, step, timeoutMs);
  }
  return aggs;
  };

  // Top lists
  const topJob = async (): Promise<Stats["top"]> => {
  let top: Stats["top"];
  const shortRange = to.getTime() - from.getTime() <= 6 * 3_600_000;
  if (rollupCountable(filter) && !shortRange && r.watermark > 0) {
    const p = new Params();
    // No instance filter: the pre-combined "*" rows (a third of the rows to sum).
    const d = filter.server ? [...dims(filter, p, { serverOnly: true }), "server <> '*'"] : ["server = '*'"];
    const { rows } = await stores.deck.query(
      `SELECT kind, key, count FROM (
         SELECT kind, key, sum(count)::bigint AS count, row_number() OVER (PARTITION BY kind ORDER BY sum(count) DESC, key) AS rn
           FROM querylog_top_ranked WHERE day >= ${p.add(from.toISOString().slice(0, 10))}::date AND day <= ${p.add(to.toISOString().slice(0, 10))}::date
           ${d.length ? "AND " + d.join(" AND ") : ""} GROUP BY kind, key) x WHERE rn <= 20 ORDER BY kind, count DESC`,
      p.values,
    );
    const pick = (k: number) => rows.filter((x) => x.kind === k).map((x) => ({ key: x.key as string, count: Number(x.count) }));
    top = { names: pick(0), clients: pick(1), blocked: pick(2), approximate: true };
    notes.push(`Top lists sum each UTC day's top ${TOP_PER_DAY} from the rollups (whole days; approximate for names outside a day's top ${TOP_PER_DAY}); response-type/rcode/qtype/protocol filters do not narrow them.`);
  } else {
    const lists: TopEntry[][] = [];
    for (const [col, extra] of [["qname", "qname IS NOT NULL"], ["client_ip", "true"], ["qname", "qname IS NOT NULL AND response_type IN (4, 5, 6)"]] as const) {
      const p = new Params();
      const parts: string[] = [];
      const c1 = conditions(r, "tail", p);
      parts.push(`SELECT ${col} AS key FROM dns_logs WHERE dlid > ${p.add(r.watermark)} AND ${extra} AND ${c1.join(" AND ")}`);
      if (r.lo <= r.hi) {
        const c2 = conditions(r, "main", p);
        parts.push(`SELECT ${col} FROM dns_logs WHERE dlid >= ${p.add(r.lo)} AND dlid <= ${p.add(r.hi)} AND ${extra} AND ${c2.join(" AND ")}`);
      }
      const rows = await runWithTimeout(stores, `SELECT key, count(*)::bigint AS n FROM (${parts.join(" UNION ALL ")}) u GROUP BY key ORDER BY n DESC, key LIMIT 20`, p.values, timeoutMs);
      lists.push(rows.map((x) => ({ key: x.key, count: Number(x.n) })));
    }
    top = { names: lists[0], clients: lists[1], blocked: lists[2], approximate: false };
  }
  return top;
  };

  // Recursive RTT percentiles per bucket and instance (rollups; ≥ 1 h buckets)
  const rttJob = async (): Promise<RttPoint[]> => {
  const rtt: RttPoint[] = [];
  if (r.watermark > 0) {
    const rstep = Math.max(step, 3600);
    const p = new Params();
    const d = dims(filter, p, { serverOnly: true });
    const daily = rstep >= 86400;
    const { rows } = daily
      ? await stores.deck.query(
          // one row per (day, server, bucket) already: no GROUP BY, the (small) sums happen below
          `SELECT day::text AS day, server, bucket, count AS n
             FROM querylog_rtt_daily WHERE day >= ${p.add(from.toISOString().slice(0, 10))}::date
              AND day <= ${p.add(lastDay)}::date ${d.length ? "AND " + d.join(" AND ") : ""}`,
          p.values,
        ).then((q) => ({ rows: q.rows.map((x) => ({ ...x, t: Math.floor(Date.parse(`${x.day}T00:00:00Z`) / 1000 / rstep) * rstep })) }))
      : await stores.deck.query(
          `SELECT floor(extract(epoch FROM hour) / ${rstep})::bigint * ${rstep} AS t, server, bucket, sum(count)::bigint AS n
             FROM querylog_rtt WHERE hour >= ${p.add(new Date(Math.floor(from.getTime() / 3_600_000) * 3_600_000).toISOString())}::timestamptz
              AND hour < ${p.add(to.toISOString())}::timestamptz ${d.length ? "AND " + d.join(" AND ") : ""} GROUP BY 1, 2, 3`,
          p.values,
        );
    const groups = new Map<string, { t: number; server: string; hist: number[] }>();
    for (const x of rows) {
      const k = `${x.t}|${x.server}`;
      const g = groups.get(k) ?? { t: Number(x.t), server: x.server, hist: new Array(RTT_BUCKETS).fill(0) };
      g.hist[x.bucket] += Number(x.n);
      groups.set(k, g);
    }
    for (const g of [...groups.values()].sort((a, b) => a.t - b.t || a.server.localeCompare(b.server))) {
      const total = g.hist.reduce((a, b) => a + b, 0);
      rtt.push({ t: new Date(g.t * 1000).toISOString(), server: g.server, count: total, p50: percentile(g.hist, total, 0.5), p90: percentile(g.hist, total, 0.9), p99: percentile(g.hist, total, 0.99) });
    }
  }
  return rtt;
  };
  const [aggs, top, rtt] = await Promise.all([
    want.has("series") ? seriesJob() : Promise.resolve([] as Agg[]),
    want.has("top") ? topJob() : Promise.resolve({ names: [], clients: [], blocked: [], approximate: false }),
    want.has("rtt") ? rttJob() : Promise.resolve([] as RttPoint[]),
  ]);
  const series = want.has("series") ? pivot(aggs, from, to, step) : [];
  const servers = [...new Set(aggs.map((a) => a.server))].sort();
  return { bucket, source: useRollups ? "rollup" : "raw", notes, from: from.toISOString(), to: to.toISOString(), servers, series, top, rtt };
}

/** Percentile from a log-bucket histogram: geometric midpoint of the bucket holding the rank (±10 %). */
export function percentile(hist: number[], total: number, q: number): number | null {
  if (!total) return null;
  const rank = q * total;
  let seen = 0;
  for (let b = 0; b < hist.length; b++) {
    seen += hist[b];
    if (seen >= rank) return Math.round(Math.sqrt(rttBucketLow(b) * rttBucketLow(b + 1)) * 100) / 100;
  }
  return null;
}
