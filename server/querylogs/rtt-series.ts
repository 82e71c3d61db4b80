/**
 * Recursive RTT percentiles per bucket and instance, following every filter: signature histograms (per day or hour)
 * for instance/enum filters; per-key histograms (busy keys' and pooled quiet keys' per day and instance; raw rows for
 * quiet keys in pool rows packed before pools kept RTT) for a client or name filter; raw rows or the sample otherwise. Buckets share the series' grid (a step of at least an hour
 * for rollups, a day for per-key histograms). Pure apart from the handles in the plan.
 */
import { keyReadOptions, matchBound, packedSlots, quietRaw, RAW_MAX, rolledEnd, TAIL_EXACT_MAX } from "./counting";
import { selCounts } from "./nets";
import { cubeKey, keyAbsent, type KeySel, maskIds, type Plan, positiveKey } from "./plan";
import { conditions, Params, where } from "./raw";
import { eachSlot } from "./pack";
import { SAMPLE_EVERY } from "./rollup-read";
import { percentile, RTT_BUCKET_SQL, RTT_BUCKETS, RTT_COLS, rttBucket } from "./rtt";
import { sampleConds, scanFor } from "./sample";

const HOUR = 3_600_000;
/** dns_logs.response_type of a recursive answer (the only kind with an RTT). */
const RECURSIVE = 2;
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
  /** Some histograms are a whole day's, drawn at the day's first bucket on a finer grid (busy keys' RTT). */
  perDay = false;
  constructor(readonly step: number) {}
  add(t: number, server: string, bucket: number, n: number) {
    const b = Math.floor(t / this.step) * this.step;
    const k = `${b}|${server}`;
    let e = this.m.get(k);
    if (!e) this.m.set(k, (e = { t: b, server, h: new Array(RTT_BUCKETS).fill(0) }));
    e.h[bucket] += n;
  }
  /** this − other, bucket by bucket (a negated client or name: every answer less the key's). */
  subtract(other: Hists) {
    for (const o of other.m.values()) o.h.forEach((n, b) => n && this.add(o.t, o.server, b, -n));
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

/**
 * Raw rows' RTT into hs (the rolled-up part, or the tail). `keyed`: a client or name list bounds the read — the enum
 * conditions are then hidden from the planner (raw.ts `hideEnums`): ANDing a million-row Recursive bitmap with a busy
 * name's made `~github` + TCP over 90 days 1.0 s instead of 0.27 s by time.
 */
async function rawRtt(p: Plan, hs: Hists, o: { tail?: boolean; from?: Date; to?: Date; keyed?: boolean } = {}): Promise<void> {
  const prm = new Params();
  const bound = o.tail ? `dlid > ${prm.add(p.watermark)}` : `dlid <= ${prm.add(p.watermark)}`;
  const resolved = (k: KeySel | null) => (k && !k.broad ? k.texts : null);
  const c = conditions(p.filter, prm, { from: o.from ?? p.from, to: o.to ?? p.to, clients: o.tail ? null : resolved(p.client), names: o.tail ? null : resolved(p.name), hideEnums: o.keyed });
  const { rows } = await p.stores.logs.query(
    `SELECT floor(extract(epoch FROM timestamp) * 1000 / ${hs.step})::bigint * ${hs.step} AS t, coalesce(server, '') AS server, ${RTT_BUCKET_SQL} AS bucket, count(*) AS n
       FROM dns_logs WHERE ${bound} AND response_rtt IS NOT NULL AND ${where(c)} GROUP BY 1, 2, 3`,
    prm.values,
  );
  for (const r of rows) hs.add(Number(r.t), r.server, r.bucket, Number(r.n));
}

/**
 * Instance/enum filters: the signature histograms — whole days from the day table where buckets are whole days, whole
 * hours from the hour table, and the partial hours at the range's ends from raw rows (so the answers counted are exactly
 * the range's, as the series' are).
 */
async function cubeRtt(p: Plan, hs: Hists): Promise<void> {
  const from = p.from.getTime();
  const to = p.to.getTime();
  const h0 = Math.ceil(from / HOUR) * HOUR;
  const h1 = rolledEnd(p, to, HOUR);
  if (h0 >= h1) return rawRtt(p, hs);
  const jobs: Promise<void>[] = [];
  if (from < h0) jobs.push(rawRtt(p, hs, { to: new Date(h0) }));
  if (h1 < to) jobs.push(rawRtt(p, hs, { from: new Date(h1) }));
  const d0 = Math.ceil(h0 / DAY) * DAY;
  const d1 = Math.floor(h1 / DAY) * DAY;
  if (hs.step % DAY === 0 && d0 < d1) {
    jobs.push(cubeRead(p, hs, "day", d0, d1));
    if (h0 < d0) jobs.push(cubeRead(p, hs, "hour", h0, d0));
    if (d1 < h1) jobs.push(cubeRead(p, hs, "hour", d1, h1));
  } else jobs.push(cubeRead(p, hs, "hour", h0, h1));
  await Promise.all(jobs);
}

/** One RTT table's histograms in [a, b) (whole days or hours), per instance, into hs. */
async function cubeRead(p: Plan, hs: Hists, table: "day" | "hour", a: number, b: number): Promise<void> {
  const ids = maskIds(p);
  const col = table === "day" ? "day::timestamp AT TIME ZONE 'UTC'" : "hour";
  const lo = table === "day" ? new Date(a).toISOString().slice(0, 10) : new Date(a);
  const hi = table === "day" ? new Date(b).toISOString().slice(0, 10) : new Date(b);
  // (packed days' hours beside the hourly rows of days not packed yet)
  const [{ rows }] = await Promise.all([
    p.stores.deck.query(
      `SELECT floor(extract(epoch FROM r.${col}) * 1000 / ${hs.step})::bigint * ${hs.step} AS t, s.server_id, ${RTT_COLS.map((c) => `sum(r.${c})::bigint AS ${c}`).join(", ")}
         FROM querylog_rtt_${table} r JOIN querylog_sigs s ON s.id = r.sig
        WHERE r.${table} >= $1 AND r.${table} < $2 ${p.mask ? "AND r.sig = ANY($3::smallint[])" : ""} GROUP BY 1, 2`,
      ids ? [lo, hi, ids] : [lo, hi],
    ),
    table === "hour" ? packedHours(p, hs, a, b) : null,
  ]);
  for (const r of rows) {
    const v = Object.values(r).slice(2) as string[];
    for (let k = 0; k < RTT_BUCKETS; k++) if (Number(v[k])) hs.add(Number(r.t), p.dict.servers.get(r.server_id) ?? "", k, Number(v[k]));
  }
}

/** Packed days' hourly histograms (querylog_rtt_hour_day, pack.ts packSlots: slot = hour·40 + bucket) in [a, b). */
async function packedHours(p: Plan, hs: Hists, a: number, b: number): Promise<void> {
  for (const r of await packedSlots(p, "querylog_rtt_hour_day", a, b))
    eachSlot(r.m, (slot, n) => {
      const t = r.t + Math.floor(slot / RTT_BUCKETS) * HOUR;
      if (t >= a && t < b) hs.add(Math.floor(t / hs.step) * hs.step, r.server, slot % RTT_BUCKETS, n);
    });
}

/**
 * Per instance (id), how the plan's mask reads for RTT kept per key and instance: all of the instance's recursive
 * answers pass ("all"), none do ("none"), or only some (a type, rcode or protocol filter: "some"). RTT is logged for
 * recursive answers only.
 */
function rttServers(p: Plan): Map<number, "all" | "none" | "some"> {
  const seen = new Map<number, [number, number]>();
  for (const s of p.dict.byId.values()) {
    if (s.rt !== RECURSIVE) continue;
    const e = seen.get(s.serverId) ?? [0, 0];
    e[1]++;
    if (!p.mask || p.mask[s.id] === 1) e[0]++;
    seen.set(s.serverId, e);
  }
  return new Map([...seen].map(([id, [a, t]]) => [id, a === 0 ? "none" : a === t ? "all" : "some"]));
}

async function keyRtt(p: Plan, sel: KeySel, hs: Hists): Promise<void> {
  const dayFrom = Math.floor(p.from.getTime() / DAY) * DAY;
  const dayTo = Math.floor((p.to.getTime() - 1) / DAY) * DAY;
  // with the series in the same request: its read (hours of its edge days too), remembered, so it is made once
  // quiet keys without RTT in their pool rows are read raw by key: networks answer only when none is
  const kc = await selCounts(p, sel, p.keyRead ? keyReadOptions(p, p.keyRead.step) : { dayFrom, dayTo, hoursFor: () => false, mask: p.mask, rtt: true, rttBuckets: RTT_BUCKETS }, () => true);
  // Busy keys' histograms are kept per instance: an instance filter picks them, a type, rcode or protocol filter cannot
  // narrow them — then, when the rollups say few rows match, those rows are read raw (exact), else the sample estimates
  // where it holds enough answers (192.168.1.0/24 + AAAA over 90 days: the histograms held 2.5× the answers, the
  // sample is within 2 %); with fewer, the kept histograms are shown and the chart says they do not follow the filter
  const by = rttServers(p);
  const narrowed = [...(kc.rtt ?? [])].some(([, servers]) => [...servers].some(([sid, h]) => by.get(sid) === "some" && h.some((n) => n > 0)));
  if (narrowed) {
    let total = 0;
    for (const m of kc.days.values()) for (const n of m.values()) total += n;
    if (total <= RAW_MAX) return rawRtt(p, hs, { keyed: true });
    const est = new Hists(hs.step);
    if ((await sampleRtt(p, est)) >= SAMPLE_RTT_MIN) {
      for (const [k, e] of est.m) hs.m.set(k, e);
      hs.notes.push(...est.notes);
      hs.approximate = true;
      return;
    }
  }
  // A day the range cuts (its first or last): the keys' histograms there are the whole day's. Its rows in the range
  // are read raw instead, every selected key's, when the day holds few enough of them; else estimated from the sample.
  const from = p.from.getTime();
  const to = p.to.getTime();
  // (no rolled-up row lies before the oldest one kept, nor after the newest one rolled up: a range reaching past either
  // does not cut that day — the default range, ending now, does not cut today)
  const before = from > dayFrom && (!p.oldest || p.oldest.at.getTime() < from);
  const after = to < dayTo + DAY && (!p.watermarkAt || p.watermarkAt.getTime() >= to);
  const cut = new Set([before ? dayFrom : -1, after ? dayTo : -1].filter((d) => d >= 0));
  const jobs: Promise<unknown>[] = [];
  for (const d of cut) {
    let rows = 0;
    for (const n of kc.days.get(d)?.values() ?? []) rows += n;
    const part = { from: new Date(Math.max(from, d)), to: new Date(Math.min(to, d + DAY)) };
    jobs.push(rows <= RAW_MAX / cut.size ? rawRtt(p, hs, { ...part, keyed: true }) : sampleRtt({ ...p, ...part }, hs, `on ${new Date(d).toISOString().slice(0, 10)} (a day the range cuts, too many rows to read raw)`));
  }
  // Busy keys (and the open day): per-day histograms per instance, kept by the rollups.
  const daily = hs.step % DAY === 0 ? hs : new Hists(DAY);
  for (const [d, servers] of kc.rtt ?? []) {
    if (cut.has(d)) continue;
    for (const [sid, h] of servers) if (by.get(sid) !== "none") h.forEach((n, b) => n && daily.add(d, p.dict.servers.get(sid) ?? "", b, n));
  }
  if (narrowed) {
    hs.approximate = true;
    hs.notes.push("RTT of busy clients/names is kept per instance: the type, rcode and protocol filters do not narrow it (too few sampled answers to estimate it).");
  }
  if (daily !== hs && daily.m.size) {
    hs.perDay = true;
    hs.notes.push("RTT for a client or name filter is shown per day (the rollups keep one RTT histogram per key and day).");
    // each day's histogram at its first bucket in the range (the range's first day may begin mid-day: at its start)
    const first = Math.floor(from / hs.step) * hs.step;
    for (const e of daily.m.values()) e.h.forEach((n, b) => n && hs.add(Math.max(e.t, first), e.server, b, n));
  }
  // Quiet keys in pool rows packed without RTT: their few rows, raw, only on those days (a cut day's came with its raw
  // read above).
  let quietRows = 0;
  for (const [d, q] of kc.quiet) if (!cut.has(d)) quietRows += q.n;
  if (quietRows > RAW_MAX) {
    hs.approximate = true;
    hs.notes.push("RTT leaves out quiet clients/names (too many of their rows to read raw in time).");
  } else if (quietRows) {
    // the series of the same request reads these rows too (hourly charts): one read for both
    jobs.push(
      quietRaw(p, sel, kc.quiet, Math.min(hs.step, HOUR)).then((rows) => {
        for (const r of rows) if (r.bucket !== null && !cut.has(Math.floor(r.t / DAY) * DAY)) hs.add(r.t, r.server, r.bucket, r.n);
      }),
    );
  }
  await Promise.all(jobs);
}

/** Sampled answers from which a chart's percentiles are taken rather than from histograms that ignore part of the filter. */
const SAMPLE_RTT_MIN = 100;

/** RTT from the sample into hs; returns how many sampled answers it found. */
async function sampleRtt(p: Plan, hs: Hists, what?: string): Promise<number> {
  const c = sampleConds(p);
  // a broad filter looks each sample row's key up: read at most sampleScan's share of the sample
  const scan = await scanFor(p);
  const { rows } = await p.stores.deck.query(
    `SELECT floor(extract(epoch FROM s.ts) * 1000 / ${hs.step})::bigint * ${hs.step} AS t, s.sig, s.rtt FROM querylog_sample s ${scan.clause} WHERE ${c.sql} AND s.rtt IS NOT NULL LIMIT 50000`,
    c.values,
  );
  for (const r of rows) hs.add(Number(r.t), p.dict.byId.get(r.sig)?.server ?? "", rttBucket(Number(r.rtt)), scan.scale);
  hs.approximate = true;
  hs.notes.push(`RTT${what ? ` ${what}` : ""} estimated from dnsdeck's 1-in-${SAMPLE_EVERY} sample (${rows.length} sampled answers${scan.pct < 100 ? ` in the ${scan.pct.toFixed(1)} % of it read` : ""}).`);
  return rows.length;
}

/**
 * A negated client or name (`!wiki.tv8.de`): every answer's histograms (the signature cubes, exact) less the key's
 * (keyRtt, positive) — into hs when the key's are exact and on the same grid (true), else nothing is added (false: the
 * caller estimates). The sample alone was a third off over a few hours.
 */
async function negatedRtt(p: Plan, k: KeySel, hs: Hists): Promise<boolean> {
  const f = p.filter;
  const sel = { ...k, not: false };
  const pos: Plan = {
    ...p,
    filter: positiveKey(f, k.kind),
    client: k.kind === 0 ? sel : p.client,
    name: k.kind === 1 ? sel : p.name,
  };
  const key = new Hists(hs.step);
  if (!keyAbsent(pos)) await keyRtt(pos, sel, key);
  if (key.approximate || key.perDay) return false;
  const all = new Hists(hs.step);
  await cubeRtt({ ...p, filter: { ...f, client: undefined, clientSet: undefined, qname: undefined }, client: null, name: null }, all);
  all.subtract(key);
  for (const e of all.m.values()) hs.m.set(`${e.t}|${e.server}`, e);
  return true;
}

export async function rttSeries(p: Plan, step: number): Promise<{ points: RttPoint[]; all: RttPoint[]; notes: string[]; approximate: boolean }> {
  const k = cubeKey(p);
  const hs = new Hists(k === null ? Math.max(step, HOUR) : step);
  if (!p.empty && p.watermark > 0 && !keyAbsent(p)) {
    if (k === null) await cubeRtt(p, hs);
    else if (typeof k === "object" && !k.not) await keyRtt(p, k, hs);
    else if (typeof k === "object" && hs.step % HOUR === 0 && (await negatedRtt(p, k, hs))) {
      // every answer less the key's, both exact
    } else {
      const total = await matchBound(p);
      if (total <= RAW_MAX) await rawRtt(p, hs);
      else await sampleRtt(p, hs);
    }
  }
  if (!p.empty && p.newest > p.watermark && p.newest - p.watermark <= TAIL_EXACT_MAX) await rawRtt(p, hs, { tail: true });
  const [from, to] = [p.from.getTime(), p.to.getTime()];
  return { points: hs.points(from, to), all: hs.merged(from, to), notes: hs.notes, approximate: hs.approximate };
}
