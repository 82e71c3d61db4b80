/**
 * Recursive RTT percentiles per bucket and instance, following every filter: signature histograms (per day or hour)
 * for instance/enum filters; per-key histograms (busy keys per day and instance) plus raw rows for quiet keys for a
 * client or name filter; raw rows or the sample otherwise. Buckets share the series' grid (a step of at least an hour
 * for rollups, a day for per-key histograms). Pure apart from the handles in the plan.
 */
import { keyReadOptions, matchBound, RAW_MAX, TAIL_EXACT_MAX } from "./counting";
import { selCounts } from "./nets";
import { cubeKey, keyAbsent, type KeySel, type Plan } from "./plan";
import { conditions, Params, where } from "./raw";
import { SAMPLE_EVERY } from "./rollup-read";
import { percentile, RTT_BUCKET_SQL, RTT_BUCKETS, RTT_COLS, rttBucket } from "./rtt";
import { sampleConds, scanFor } from "./sample";

const HOUR = 3_600_000;
const DAY = 86_400_000;

export interface RttPoint {
  t: string;
  server: string;
  count: number;
  p50: number | null;
  p90: number | null;
  p99: number | null;
}

class Hists {
  readonly m = new Map<string, { t: number; server: string; h: number[] }>();
  notes: string[] = [];
  approximate = false;
  constructor(readonly step: number) {}
  add(t: number, server: string, bucket: number, n: number) {
    const b = Math.floor(t / this.step) * this.step;
    const k = `${b}|${server}`;
    let e = this.m.get(k);
    if (!e) this.m.set(k, (e = { t: b, server, h: new Array(RTT_BUCKETS).fill(0) }));
    e.h[bucket] += n;
  }
  points(from: number, to: number): RttPoint[] {
    return [...this.m.values()]
      .filter((e) => e.t + this.step > from && e.t < to)
      .sort((a, b) => a.t - b.t || a.server.localeCompare(b.server))
      .map((e) => point(e.t, e.server, e.h));
  }
  /** Every instance's answers together per bucket (server ""): their histograms summed, so true percentiles of the lot. */
  merged(from: number, to: number): RttPoint[] {
    const by = new Map<number, number[]>();
    for (const e of this.m.values()) {
      if (e.t + this.step <= from || e.t >= to) continue;
      const h = by.get(e.t) ?? by.set(e.t, new Array(RTT_BUCKETS).fill(0)).get(e.t)!;
      e.h.forEach((n, b) => (h[b] += n));
    }
    return [...by].sort((a, b) => a[0] - b[0]).map(([t, h]) => point(t, "", h));
  }
}

function point(t: number, server: string, h: number[]): RttPoint {
  const total = h.reduce((a, b) => a + b, 0);
  return { t: new Date(t).toISOString(), server, count: Math.round(total), p50: percentile(h, total, 0.5), p90: percentile(h, total, 0.9), p99: percentile(h, total, 0.99) };
}

async function rawRtt(p: Plan, hs: Hists, o: { tail?: boolean; clients?: string[]; names?: string[] } = {}): Promise<void> {
  const prm = new Params();
  const bound = o.tail ? `dlid > ${prm.add(p.watermark)}` : `dlid <= ${prm.add(p.watermark)}`;
  const resolved = (k: KeySel | null) => (k && !k.broad ? k.texts : null);
  const c = conditions(p.filter, prm, { from: p.from, to: p.to, clients: o.tail ? null : o.clients ?? resolved(p.client), names: o.tail ? null : o.names ?? resolved(p.name) });
  const { rows } = await p.stores.logs.query(
    `SELECT floor(extract(epoch FROM timestamp) * 1000 / ${hs.step})::bigint * ${hs.step} AS t, coalesce(server, '') AS server, ${RTT_BUCKET_SQL} AS bucket, count(*) AS n
       FROM dns_logs WHERE ${bound} AND response_rtt IS NOT NULL AND ${where(c)} GROUP BY 1, 2, 3`,
    prm.values,
  );
  for (const r of rows) hs.add(Number(r.t), r.server, r.bucket, Number(r.n));
}

async function cubeRtt(p: Plan, hs: Hists): Promise<void> {
  const daily = hs.step % DAY === 0;
  const ids: number[] = [];
  p.mask?.forEach((v, i) => v && ids.push(i));
  const col = daily ? "day::timestamp AT TIME ZONE 'UTC'" : "hour";
  const lo = daily ? new Date(Math.floor(p.from.getTime() / DAY) * DAY).toISOString().slice(0, 10) : new Date(Math.floor(p.from.getTime() / HOUR) * HOUR);
  const hi = daily ? new Date(Math.ceil(p.to.getTime() / DAY) * DAY).toISOString().slice(0, 10) : p.to;
  const { rows } = await p.stores.deck.query(
    `SELECT floor(extract(epoch FROM r.${col}) * 1000 / ${hs.step})::bigint * ${hs.step} AS t, s.server_id, ${RTT_COLS.map((c) => `sum(r.${c})::bigint AS ${c}`).join(", ")}
       FROM ${daily ? "querylog_rtt_day" : "querylog_rtt_hour"} r JOIN querylog_sigs s ON s.id = r.sig
      WHERE r.${daily ? "day" : "hour"} >= $1 AND r.${daily ? "day" : "hour"} < $2 ${p.mask ? "AND r.sig = ANY($3::smallint[])" : ""} GROUP BY 1, 2`,
    p.mask ? [lo, hi, ids] : [lo, hi],
  );
  for (const r of rows) {
    const v = Object.values(r).slice(2) as string[];
    for (let b = 0; b < RTT_BUCKETS; b++) if (Number(v[b])) hs.add(Number(r.t), p.dict.servers.get(r.server_id) ?? "", b, Number(v[b]));
  }
}

async function keyRtt(p: Plan, sel: KeySel, hs: Hists): Promise<void> {
  const dayFrom = Math.floor(p.from.getTime() / DAY) * DAY;
  const dayTo = Math.floor((p.to.getTime() - 1) / DAY) * DAY;
  // with the series in the same request: its read (hours of its edge days too), remembered, so it is made once
  // quiet keys' RTT is read raw by key: networks answer only when none is quiet
  const kc = await selCounts(p, sel, p.keyRead ? keyReadOptions(p, p.keyRead.step) : { dayFrom, dayTo, hoursFor: () => false, mask: p.mask, rtt: true, rttBuckets: RTT_BUCKETS }, () => true);
  // Busy keys (and the open day): per-day histograms per instance, kept by the rollups.
  const daily = hs.step % DAY === 0 ? hs : new Hists(DAY);
  for (const [d, servers] of kc.rtt ?? []) for (const [sid, h] of servers) h.forEach((n, b) => n && daily.add(d, p.dict.servers.get(sid) ?? "", b, n));
  if (daily !== hs && daily.m.size) {
    hs.notes.push("RTT for a client or name filter is shown per day (the rollups keep one RTT histogram per key and day).");
    for (const e of daily.m.values()) e.h.forEach((n, b) => n && hs.add(e.t, e.server, b, n));
  }
  if (daily.m.size && (p.filter.qtype || p.filter.rcode || p.filter.protocol)) {
    hs.approximate = true;
    hs.notes.push("RTT of busy clients/names is kept per instance: the type, rcode and protocol filters do not narrow it.");
  }
  // Quiet keys: their few rows, raw, only on the days they were quiet.
  let quietRows = 0;
  const quiet = new Map<number, Set<number>>();
  for (const [d, q] of kc.quiet) {
    quietRows += q.n;
    for (const k of q.keys) quiet.set(k, (quiet.get(k) ?? new Set()).add(d));
  }
  if (!quietRows) return;
  if (quietRows > RAW_MAX) {
    hs.approximate = true;
    hs.notes.push("RTT leaves out quiet clients/names (too many of their rows to read raw in time).");
    return;
  }
  const texts = new Map(sel.ids.map((id, i) => [id, sel.texts[i]]));
  const byText = new Map([...quiet].map(([k, days]) => [texts.get(k)!, days]));
  const prm = new Params();
  const col = sel.kind === 0 ? "client_ip" : "qname";
  const f = { ...p.filter, client: undefined, clientSet: undefined, qname: undefined };
  const c = conditions(f, prm, { from: p.from, to: p.to });
  const { rows } = await p.stores.logs.query(
    `SELECT ${col} AS key, floor(extract(epoch FROM timestamp) / 86400)::bigint * 86400000 AS d, floor(extract(epoch FROM timestamp) * 1000 / ${hs.step})::bigint * ${hs.step} AS t,
            coalesce(server, '') AS server, ${RTT_BUCKET_SQL} AS bucket, count(*) AS n
       FROM dns_logs WHERE dlid <= ${prm.add(p.watermark)} AND ${col} = ANY(${prm.add([...byText.keys()])}::text[]) AND response_rtt IS NOT NULL AND ${where(c)} GROUP BY 1, 2, 3, 4, 5`,
    prm.values,
  );
  for (const r of rows) if (byText.get(r.key)?.has(Number(r.d))) hs.add(Number(r.t), r.server, r.bucket, Number(r.n));
}

async function sampleRtt(p: Plan, hs: Hists): Promise<void> {
  const c = sampleConds(p);
  // a broad filter looks each sample row's key up: read at most sampleScan's share of the sample
  const scan = await scanFor(p);
  const { rows } = await p.stores.deck.query(
    `SELECT floor(extract(epoch FROM s.ts) * 1000 / ${hs.step})::bigint * ${hs.step} AS t, s.sig, s.rtt FROM querylog_sample s ${scan.clause} WHERE ${c.sql} AND s.rtt IS NOT NULL LIMIT 50000`,
    c.values,
  );
  for (const r of rows) hs.add(Number(r.t), p.dict.byId.get(r.sig)?.server ?? "", rttBucket(Number(r.rtt)), scan.scale);
  hs.approximate = true;
  hs.notes.push(`RTT estimated from dnsdeck's 1-in-${SAMPLE_EVERY} sample (${rows.length} sampled answers${scan.pct < 100 ? ` in the ${scan.pct.toFixed(1)} % of it read` : ""}).`);
}

export async function rttSeries(p: Plan, step: number): Promise<{ points: RttPoint[]; all: RttPoint[]; notes: string[]; approximate: boolean }> {
  const k = cubeKey(p);
  const hs = new Hists(k === null ? Math.max(step, HOUR) : step);
  if (!p.empty && p.watermark > 0 && !keyAbsent(p)) {
    if (k === null) await cubeRtt(p, hs);
    else if (typeof k === "object" && !k.not) await keyRtt(p, k, hs);
    else {
      const total = await matchBound(p);
      if (total <= RAW_MAX) await rawRtt(p, hs);
      else await sampleRtt(p, hs);
    }
  }
  if (!p.empty && p.newest > p.watermark && p.newest - p.watermark <= TAIL_EXACT_MAX) await rawRtt(p, hs, { tail: true });
  const [from, to] = [p.from.getTime(), p.to.getTime()];
  return { points: hs.points(from, to), all: hs.merged(from, to), notes: hs.notes, approximate: hs.approximate };
}
