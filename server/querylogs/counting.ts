/**
 * Counting the rows that match a filter, per time bucket (a count is one bucket). Exact wherever it can be:
 *   - instance/enum filters: signature cubes (whole days, hourly / 5-minute columns); partial hours or 5-minute slots
 *     at the range's edges are counted from raw rows;
 *   - one client or name filter (exact value, CIDR, pattern; positive or negated): the per-key rollups (busy keys per
 *     hour, quiet keys per hour from their pool rows — on days packed before pools kept hours, per day, their few rows
 *     read raw where hours matter);
 *   - a client AND a name, or a pattern too broad for the dictionary: raw rows when the cubes bound the matches to a
 *     few thousand, otherwise an estimate from the sample, marked as such (or "unknown" when the sample is too thin);
 *   - rows past the watermark (the tail): always raw.
 * Pure apart from the handles in the plan.
 */
import { Acc } from "./acc";
import { eachSlot } from "./pack";
import type { Stores } from "./db-types";
import { type KeyCounts, keyCounts, type ReadKeyOptions } from "./keys";
import { netCounts, selCounts } from "./nets";
import { RTT_BUCKET_SQL, RTT_BUCKETS } from "./rtt";
import { cubeKey, type KeySel, maskIds, type Plan, positiveKey } from "./plan";
import { conditions, Params, where } from "./raw";
import { sampleEstimate } from "./sample";

/** Raw rows one request may aggregate to stay within its budget. */
export const RAW_MAX = 40_000;
/** Past this many rows behind the watermark, the tail is too big to read raw (rollups catching up). */
export const TAIL_EXACT_MAX = 300_000;

const HOUR = 3_600_000;
const DAY = 86_400_000;
const FIVE = 300_000;
const floorTo = (t: number, s: number) => Math.floor(t / s) * s;
const ceilTo = (t: number, s: number) => Math.ceil(t / s) * s;
const dayStr = (t: number) => new Date(t).toISOString().slice(0, 10);


export interface RawOptions {
  clients?: string[] | null;
  names?: string[] | null;
  /** Read the tail (dlid > watermark, original conditions) instead of the rolled-up part. */
  tail?: boolean;
  /** The client filter as written (a CIDR by `inet <<=`), not its dictionary addresses. */
  ownClient?: boolean;
}

/** Raw rows in [a, b) into acc, grouped by bucket, instance, response type and rcode. */
export async function rawFill(p: Plan, acc: Acc, a: Date, b: Date, o: RawOptions = {}): Promise<void> {
  if (a >= b) return;
  const prm = new Params();
  const bound = o.tail ? `dlid > ${prm.add(p.watermark)}` : `dlid <= ${prm.add(p.watermark)}`;
  const resolved = (k: KeySel | null) => (k && !k.broad ? k.texts : null);
  const c = conditions(p.filter, prm, { from: a, to: b, clients: o.tail || o.ownClient ? null : o.clients ?? resolved(p.client), names: o.tail ? null : o.names ?? resolved(p.name) });
  const step = acc.step;
  const { rows } = await p.stores.logs.query(
    `SELECT floor(extract(epoch FROM timestamp) * 1000 / ${step})::bigint * ${step} AS t, coalesce(server, '') AS server, response_type AS rt, rcode, count(*) AS n
       FROM dns_logs WHERE ${bound} AND ${where(c)} GROUP BY 1, 2, 3, 4`,
    prm.values,
  );
  for (const r of rows) acc.addDims(Number(r.t), r.server, r.rt, r.rcode, Number(r.n));
}

/** Quiet keys' raw rows, grouped (quietRaw). `bucket`: the RTT bucket, null where the row has no RTT. */
export interface QuietRow {
  key: number;
  t: number;
  server: string;
  rt: number;
  rcode: number;
  bucket: number | null;
  n: number;
}

const quietReads = new WeakMap<object, Map<string, Promise<QuietRow[]>>>();

/**
 * Quiet keys' raw rows in the plan's range, one read by key (their index) over every day of `quiet` (day → the keys
 * quiet that day in pool rows packed without hours; elsewhere the rollups hold a key's hours and RTT): grouped per key, bucket of `grain` (an hour, or
 * a chart's shorter step), instance, response type, rcode and RTT bucket, each group kept only on a day its key was quiet. The series and the RTT chart of one request
 * pass the same map (keyCounts is memoised per request), so they share one read — the costly part is fetching those
 * keys' rows scattered over the days (~1 s for 40,000 rows over 90 days at 100k rows a day), not grouping them.
 */
export function quietRaw(p: Plan, sel: KeySel, quiet: Map<number, { keys: Set<number> }>, grain: number): Promise<QuietRow[]> {
  let bySel = quietReads.get(quiet);
  if (!bySel) quietReads.set(quiet, (bySel = new Map()));
  const k = `${sel.kind}:${grain}`;
  let hit = bySel.get(k);
  if (!hit) bySel.set(k, (hit = readQuiet(p, sel, quiet, grain)));
  return hit;
}

async function readQuiet(p: Plan, sel: KeySel, quiet: Map<number, { keys: Set<number> }>, grain: number): Promise<QuietRow[]> {
  const days = [...quiet.keys()].filter((d) => d + DAY > p.from.getTime() && d < p.to.getTime());
  const keys = new Set<number>();
  for (const d of days) for (const k of quiet.get(d)!.keys) keys.add(k);
  const idOf = new Map<string, number>();
  sel.texts.forEach((t, i) => keys.has(sel.ids[i]) && idOf.set(t, sel.ids[i]));
  if (!idOf.size) return [];
  const a = Math.max(Math.min(...days), p.from.getTime());
  const b = Math.min(Math.max(...days) + DAY, p.to.getTime());
  const prm = new Params();
  const col = sel.kind === 0 ? "client_ip" : "qname";
  // the key list stands for this side's filter; the other side's (a bound for a client AND a name) stays
  const other = sel.kind === 0 ? { client: undefined, clientSet: undefined } : { qname: undefined };
  const c = conditions({ ...p.filter, ...other }, prm, { from: new Date(a), to: new Date(b), hideEnums: true });
  const { rows } = await p.stores.logs.query(
    `SELECT ${col} AS key, floor(extract(epoch FROM timestamp) * 1000 / ${grain})::bigint * ${grain} AS t, coalesce(server, '') AS server, response_type AS rt, rcode,
            CASE WHEN response_rtt IS NULL THEN NULL ELSE ${RTT_BUCKET_SQL} END AS bucket, count(*) AS n
       FROM dns_logs WHERE dlid <= ${prm.add(p.watermark)} AND ${col} = ANY(${prm.add([...idOf.keys()])}::text[]) AND ${where(c)} GROUP BY 1, 2, 3, 4, 5, 6`,
    prm.values,
  );
  const out: QuietRow[] = [];
  for (const r of rows) {
    const t = Number(r.t);
    const key = idOf.get(r.key);
    if (key !== undefined && quiet.get(floorTo(t, DAY))?.keys.has(key))
      out.push({ key, t, server: r.server, rt: r.rt, rcode: r.rcode, bucket: r.bucket === null ? null : Number(r.bucket), n: Number(r.n) });
  }
  return out;
}

/**
 * Where whole units (hours, 5-minute slots) of the cubes end for a range ending at `to`: the last whole unit before it —
 * or, when every rolled-up row is older than `to` (the default range, ending now), the unit holding `to`, whose rolled
 * rows all lie before it (the last partial hour then costs no raw read).
 */
export function rolledEnd(p: Plan, to: number, unit: number): number {
  return p.watermarkAt && p.watermarkAt.getTime() < to ? ceilTo(to, unit) : floorTo(to, unit);
}

/** An answer's rcode class as the charts draw it: NXDOMAIN (3), SERVFAIL (2), anything else (0). */
const RCODE_CLASS = `CASE WHEN s.rcode IN (2, 3) THEN s.rcode ELSE 0 END`;

/**
 * Packed days' slot rows (querylog_sig_5m_day, querylog_rtt_hour_day; pack.ts packSlots) of the days touching [a, b),
 * under the plan's signature mask, with their day's start (t, ms), instance, response type and rcode class; the caller
 * decodes the slots (eachSlot) and keeps those inside its range.
 */
export async function packedSlots(p: Plan, table: "querylog_sig_5m_day" | "querylog_rtt_hour_day", a: number, b: number): Promise<{ t: number; server: string; response_type: number; cls: number; m: Buffer }[]> {
  const ids = maskIds(p);
  const days = [dayStr(floorTo(a, DAY)), dayStr(floorTo(b - 1, DAY))];
  const { rows } = await p.stores.deck.query(
    `SELECT extract(epoch FROM d.day::timestamp AT TIME ZONE 'UTC')::bigint * 1000 AS t, s.server_id, s.response_type, ${RCODE_CLASS} AS cls, d.m
       FROM ${table} d JOIN querylog_sigs s ON s.id = d.sig
      WHERE d.day >= $1::date AND d.day <= $2::date ${ids ? "AND d.sig = ANY($3::smallint[])" : ""}`,
    ids ? [...days, ids] : days,
  );
  return rows.map((r) => ({ t: Number(r.t), server: p.dict.servers.get(r.server_id) ?? "", response_type: r.response_type, cls: r.cls, m: r.m }));
}

/** The instance/enum filters alone (client/name filters ignored): the signature cubes over [from, to), raw at the edges. */
export async function fillSigs(plan: Plan, acc: Acc, from: Date, to: Date): Promise<void> {
  const p: Plan = { ...plan, filter: { ...plan.filter, client: undefined, clientSet: undefined, qname: undefined }, client: null, name: null };
  const step = acc.step;
  if (step < FIVE) return rawFill(p, acc, from, to, {});
  const unit = step < HOUR ? FIVE : HOUR;
  const u0 = ceilTo(from.getTime(), unit);
  const u1 = rolledEnd(plan, to.getTime(), unit);
  if (u0 >= u1) return rawFill(p, acc, from, to, {});
  const ids = maskIds(p);
  const sigCond = ids ? `AND d.sig = ANY($3::smallint[])` : "";
  const jobs: Promise<void>[] = [rawFill(p, acc, from, new Date(u0)), rawFill(p, acc, new Date(u1), to)];
  const group = `s.server_id, s.response_type, ${RCODE_CLASS}`;
  const server = (id: number) => p.dict.servers.get(id) ?? "";
  if (unit === FIVE) {
    const cols = Array.from({ length: 12 }, (_, i) => `sum(m${String(i).padStart(2, "0")})::bigint AS m${String(i).padStart(2, "0")}`).join(", ");
    jobs.push(
      p.stores.deck
        .query(
          `SELECT extract(epoch FROM d.hour)::bigint * 1000 AS t, ${group} AS cls, ${cols}
             FROM querylog_sig_5m d JOIN querylog_sigs s ON s.id = d.sig
            WHERE d.hour >= $1::timestamptz AND d.hour < $2::timestamptz ${sigCond} GROUP BY 1, ${group}`,
          ids ? [new Date(floorTo(u0, HOUR)), new Date(u1), ids] : [new Date(floorTo(u0, HOUR)), new Date(u1)],
        )
        .then(({ rows }) => {
          for (const r of rows) {
            const vals = Object.values(r).slice(4) as string[];
            for (let m = 0; m < 12; m++) {
              const t = Number(r.t) + m * FIVE;
              if (t >= u0 && t < u1) acc.addDims(t, server(r.server_id), r.response_type, r.cls, Number(vals[m]));
            }
          }
        }),
      // packed days' slots, beside the hourly rows of days not packed yet
      packedSlots(p, "querylog_sig_5m_day", u0, u1).then((rows) => {
        for (const r of rows)
          eachSlot(r.m, (slot, n) => {
            const t = r.t + slot * FIVE;
            if (t >= u0 && t < u1) acc.addDims(t, r.server, r.response_type, r.cls, n);
          });
      }),
    );
    await Promise.all(jobs);
    return;
  }
  // Whole days inside the range count per day when the buckets are whole days; edge days (and hourly buckets) per hour.
  // With no filter but the instance, the class cube (already summed per instance, response type and rcode class) is
  // read as it is; otherwise the signature cube, joined to its signatures and grouped.
  const servers = classServers(p);
  const classCond = (first: number) => (servers ? `AND d.server_id = ANY($${first}::smallint[])` : "");
  const from_ = servers === undefined ? `querylog_sig_day d JOIN querylog_sigs s ON s.id = d.sig` : `querylog_class_day d`;
  const grouped = servers === undefined;
  const wholeDays = step % DAY === 0;
  const d0 = floorTo(u0, DAY);
  const d1 = floorTo(u1 - 1, DAY);
  const inner = (d: number) => wholeDays && d >= u0 && d + DAY <= u1;
  const hourDays: string[] = [];
  const dayDays: string[] = [];
  for (let d = d0; d <= d1; d += DAY) (inner(d) ? dayDays : hourDays).push(dayStr(d));
  if (dayDays.length)
    jobs.push(
      p.stores.deck
        .query(
          grouped
            ? `SELECT extract(epoch FROM d.day::timestamp AT TIME ZONE 'UTC')::bigint * 1000 AS t, ${group} AS cls, sum(d.n)::bigint AS n
                 FROM ${from_} WHERE d.day >= $1::date AND d.day <= $2::date ${sigCond} GROUP BY 1, ${group}`
            : `SELECT extract(epoch FROM d.day::timestamp AT TIME ZONE 'UTC')::bigint * 1000 AS t, d.server_id, d.rt AS response_type, d.cls, d.n
                 FROM ${from_} WHERE d.day >= $1::date AND d.day <= $2::date ${classCond(3)}`,
          grouped ? (ids ? [dayDays[0], dayDays[dayDays.length - 1], ids] : [dayDays[0], dayDays[dayDays.length - 1]]) : servers ? [dayDays[0], dayDays[dayDays.length - 1], servers] : [dayDays[0], dayDays[dayDays.length - 1]],
        )
        .then(({ rows }) => {
          for (const r of rows) acc.addDims(Number(r.t), server(r.server_id), r.response_type, r.cls, Number(r.n));
        }),
    );
  if (hourDays.length) {
    const cols = Array.from({ length: 24 }, (_, i) => `sum(h${String(i).padStart(2, "0")})::bigint AS h${String(i).padStart(2, "0")}`).join(", ");
    const hcols = Array.from({ length: 24 }, (_, i) => `d.h${String(i).padStart(2, "0")}`).join(", ");
    jobs.push(
      p.stores.deck
        .query(
          grouped
            ? `SELECT extract(epoch FROM d.day::timestamp AT TIME ZONE 'UTC')::bigint * 1000 AS t, ${group} AS cls, ${cols}
                 FROM ${from_} WHERE d.day = ANY($1::date[]) ${ids ? "AND d.sig = ANY($2::smallint[])" : ""} GROUP BY 1, ${group}`
            : // the 24 hours as one text column: 2,160 rows × 24 fields parsed one by one took twice as long (90 days)
              `SELECT extract(epoch FROM d.day::timestamp AT TIME ZONE 'UTC')::bigint * 1000 AS t, d.server_id, d.rt AS response_type, d.cls, concat_ws(',', ${hcols}) AS h
                 FROM ${from_} WHERE d.day = ANY($1::date[]) ${classCond(2)}`,
          grouped ? (ids ? [hourDays, ids] : [hourDays]) : servers ? [hourDays, servers] : [hourDays],
        )
        .then(({ rows }) => {
          for (const r of rows) {
            const vals = (typeof r.h === "string" ? r.h.split(",") : Object.values(r).slice(4)) as string[];
            for (let h = 0; h < 24; h++) {
              const t = Number(r.t) + h * HOUR;
              if (t >= u0 && t < u1) acc.addDims(t, server(r.server_id), r.response_type, r.cls, Number(vals[h]));
            }
          }
        }),
    );
  }
  await Promise.all(jobs);
}

/** The days whose hours fillKey needs for buckets of `step`: not inside whole-day buckets, nor edge days taken whole. */
export function keyHoursFor(p: Plan, step: number, maxOutside = DAY): (d: number) => boolean {
  if (step % DAY !== 0) return () => true;
  const from = p.from.getTime();
  const to = p.to.getTime();
  const h0 = ceilTo(from, HOUR);
  const h1 = floorTo(to, HOUR);
  const minus = mostlyInside(from, to, maxOutside);
  return (d) => !((d >= h0 && d + DAY <= h1) || minus.has(d));
}

/** fillKey's per-key read for buckets of `step` — with RTT when the same request draws it (Plan.keyRead). */
export function keyReadOptions(p: Plan, step: number): ReadKeyOptions {
  return {
    dayFrom: floorTo(p.from.getTime(), DAY),
    dayTo: floorTo(p.to.getTime() - 1, DAY),
    hoursFor: keyHoursFor(p, step),
    mask: p.mask,
    ...(p.keyRead ? { rtt: true, rttBuckets: RTT_BUCKETS } : {}),
  };
}

/** The range's edge days (UTC midnights) more inside [from, to) than outside it: counted whole, less what lies outside. */
export function mostlyInside(from: number, to: number, maxOutside = DAY): Set<number> {
  const out = new Set<number>();
  for (const d of new Set([floorTo(from, DAY), floorTo(to - 1, DAY)])) {
    const inside = Math.min(d + DAY, to) - Math.max(d, from);
    if (inside < DAY && DAY - inside < inside && DAY - inside <= maxOutside) out.add(d);
  }
  return out;
}

/**
 * The instances whose class rows answer the plan's filter: null for all of them (no instance or enum filter), the
 * ids of the instances asked for when only the instance is filtered, undefined when the filter needs signatures.
 */
function classServers(p: Plan): number[] | null | undefined {
  const f = p.filter;
  if (f.qtype || f.rcode || f.responseType || f.protocol) return undefined;
  if (!p.mask) return null;
  const on = new Set<number>();
  for (const s of p.dict.byId.values()) if (p.mask[s.id]) on.add(s.serverId);
  for (const s of p.dict.byId.values()) if (!p.mask[s.id] && on.has(s.serverId)) return undefined;
  return [...on];
}

/** One positive client or name selection (and the instance/enum filters) from the per-key rollups. */
export async function fillKey(plan: Plan, sel: KeySel, acc: Acc): Promise<void> {
  if (!sel.ids.length) return;
  // Raw reads below count the matches: the key condition positive, whatever the filter says.
  const f = plan.filter;
  const p: Plan = { ...plan, filter: positiveKey(f, sel.kind) };
  const from = p.from.getTime();
  const to = p.to.getTime();
  const step = acc.step;
  const h0 = ceilTo(from, HOUR);
  const h1 = floorTo(to, HOUR);
  const texts = (keys: Iterable<number>) => {
    const m = new Map(sel.ids.map((id, i) => [id, sel.texts[i]]));
    return [...keys].map((k) => m.get(k)!).filter(Boolean);
  };
  const opts = (list: string[]) => (sel.kind === 0 ? { clients: list } : { names: list });
  if (h0 >= h1 || step < HOUR) {
    // A range inside one hour, or sub-hour buckets: raw rows, when the rollups say there are few enough.
    const kc = await selCounts(p, sel, { dayFrom: floorTo(from, DAY), dayTo: floorTo(to - 1, DAY), hoursFor: () => true, mask: p.mask }, () => true);
    let bound = 0;
    for (const [t, m] of kc.hours) if (t + HOUR > from && t < to) for (const n of m.values()) bound += n;
    for (const [d, q] of kc.quiet) if (d + DAY > from && d < to) bound += q.n;
    if (bound <= RAW_MAX) return rawFill(p, acc, p.from, p.to, opts(sel.texts));
    // Too many for raw rows: each hour's count spread evenly over its buckets.
    acc.approximate = true;
    acc.notes.push("Buckets shorter than an hour are interpolated from hourly rollups for this filter (too many rows to read raw).");
    for (const [t, m] of kc.hours) {
      if (t + HOUR <= from || t >= to) continue;
      const a = Math.max(t, from);
      const b = Math.min(t + HOUR, to);
      for (const [sig, n] of m) for (let x = a; x < b; x += step) acc.addSig(x, sig, (n * Math.min(step, b - x)) / HOUR);
    }
    return;
  }
  const wholeDays = step % DAY === 0;
  const dayFrom = floorTo(from, DAY);
  const dayTo = floorTo(to - 1, DAY);
  // A CIDR's networks (nets.ts), busy with hours on both edge days: whole hours from their rollups, only the partial
  // hours at the edges raw.
  const edgeHours = wholeDays ? (d: number) => !(d >= h0 && d + DAY <= h1) : () => true;
  const nets = await netCounts(p, sel, { ...keyReadOptions(p, step), hoursFor: edgeHours }, edgeHours);
  // Otherwise, with whole-day buckets, an edge day mostly inside the range is its day total minus the selected keys'
  // raw rows outside the range (a 90-day range starting at 00:17 subtracts 17 minutes instead of reading 23 h 43 min
  // of quiet keys raw — a /24's 250 clients: ~110 ms); the short side is always the one read raw.
  const minus = wholeDays && !nets ? mostlyInside(from, to) : new Set<number>();
  const needsHours = nets ? edgeHours : keyHoursFor(p, step);
  const inner = (d: number) => !needsHours(d);
  const kc: KeyCounts = nets ?? (await keyCounts(p.stores, sel, keyReadOptions(p, step), p.memo));
  const jobs: Promise<void>[] = [];
  // Partial hours at the edges: raw, every selected key (unless that day is counted whole, less what lies outside) —
  // for networks by the CIDR itself, which they cover exactly (one cast a row, not a 250-address list compared)
  const edge = nets ? { ownClient: true } : opts(sel.texts);
  if (from < h0 && !minus.has(dayFrom)) jobs.push(rawFill(p, acc, p.from, new Date(h0), edge));
  if (h1 < to && !minus.has(dayTo)) jobs.push(rawFill(p, acc, new Date(h1), p.to, edge));
  if (minus.size) {
    const outside = new Acc(step, p.dict);
    const reads: Promise<void>[] = [];
    for (const d of minus) {
      if (d < from) reads.push(rawFill(p, outside, new Date(d), p.from, opts(sel.texts)));
      if (to < d + DAY) reads.push(rawFill(p, outside, p.to, new Date(d + DAY), opts(sel.texts)));
    }
    jobs.push(Promise.all(reads).then(() => acc.subtract(outside)));
  }
  let quietBudget = 0;
  const quietDays: [number, { n: number; keys: Set<number>; bySig: Map<number, number> }][] = [];
  for (const [d, m] of kc.days) {
    if (inner(d)) {
      for (const [sig, n] of m) acc.addSig(d, sig, n);
      continue;
    }
    const q = kc.quiet.get(d);
    if (q && q.n && d + DAY > h0 && d < h1) {
      quietDays.push([d, q]);
      quietBudget += q.n;
    }
  }
  for (const [t, m] of kc.hours) if (t >= h0 && t < h1 && !inner(floorTo(t, DAY))) for (const [sig, n] of m) acc.addSig(t, sig, n);
  // Quiet keys on days that need hours: their own rows, raw (few by construction), or spread evenly when too many.
  // Many such days (hourly buckets over 90 days): one read of those keys' rows by key, each row kept only on a day
  // where its key was quiet — one query a day walked each day's rows by time (93 of them, 3.5 s at 100k rows a day).
  if (quietBudget <= RAW_MAX && quietDays.length > 2) {
    // every quiet day of the range when few enough (the read the RTT chart makes too: shared), else these days alone
    let all = 0;
    for (const [d, q] of kc.quiet) if (d + DAY > from && d < to) all += q.n;
    const on = new Map(quietDays.map(([d, q]) => [d, q.keys]));
    jobs.push(
      quietRaw(p, sel, all <= RAW_MAX ? kc.quiet : new Map(quietDays), HOUR).then((rows) => {
        for (const r of rows) if (r.t >= h0 && r.t < h1 && on.get(floorTo(r.t, DAY))?.has(r.key)) acc.addDims(r.t, r.server, r.rt, r.rcode, r.n);
      }),
    );
  } else for (const [d, q] of quietDays) {
    const a = new Date(Math.max(d, h0));
    const b = new Date(Math.min(d + DAY, h1));
    if (quietBudget <= RAW_MAX) jobs.push(rawFill(p, acc, a, b, opts(texts(q.keys))));
    else {
      acc.approximate = true;
      for (let t = a.getTime(); t < b.getTime(); t += HOUR) for (const [sig, n] of q.bySig) acc.addSig(t, sig, (n * HOUR) / DAY);
    }
  }
  if (quietBudget > RAW_MAX) {
    for (const [t, m] of kc.quietHot) if (t >= h0 && t < h1) for (const [sig, n] of m) acc.addSig(t, sig, n);
    acc.notes.push("Part of the count on the range's first and last day is prorated from daily rollups of quiet clients/names.");
  }
  await Promise.all(jobs);
}

/** The rolled-up part (dlid ≤ watermark) of every row matching the plan's filter. */
export async function fillRolled(p: Plan, acc: Acc): Promise<void> {
  if (p.empty || p.watermark === 0) return;
  const k = cubeKey(p);
  if (k === null) return fillSigs(p, acc, p.from, p.to);
  if (k === "pair" || k === "broad") return fillFallback(p, acc);
  if (!k.not) return fillKey(p, k, acc);
  const matches = new Acc(acc.step, acc.dict);
  await Promise.all([fillSigs(p, acc, p.from, p.to), fillKey(p, { ...k, not: false }, matches)]);
  acc.subtract(matches);
}

/** Client AND name, or a broad pattern: raw when the cubes bound the matches to a few, else the sample. */
async function fillFallback(p: Plan, acc: Acc): Promise<void> {
  const bound = await matchBound(p);
  if (bound <= RAW_MAX) return rawFill(p, acc, p.from, p.to, {});
  await sampleEstimate(p, acc);
}

/** An upper bound on the rolled-up matches from the cubes (one side of a pair, or the instance/enum count). */
export async function matchBound(p: Plan): Promise<number> {
  const sides = [p.client, p.name].filter((k): k is KeySel => !!k && !k.not && !k.broad);
  const accs = await Promise.all(
    (sides.length ? sides : [null]).map(async (s) => {
      const a = new Acc(DAY, p.dict);
      if (s) await fillKey({ ...p, client: s.kind === 0 ? s : null, name: s.kind === 1 ? s : null }, s, a);
      else await fillSigs(p, a, p.from, p.to);
      return a.total();
    }),
  );
  return Math.min(...accs);
}

/** Rows past the watermark: raw with the filter's own conditions (or skipped, with a note, while far behind). */
export async function fillTail(p: Plan, acc: Acc): Promise<void> {
  if (p.empty) return;
  if (p.newest - p.watermark > TAIL_EXACT_MAX) {
    acc.approximate = true;
    acc.notes.push(`dnsdeck's rollups are catching up (${(p.newest - p.watermark).toLocaleString("en")} rows behind); the newest rows are not counted yet.`);
    return;
  }
  await rawFill(p, acc, p.from, p.to, { tail: true });
}

export type { Stores };
