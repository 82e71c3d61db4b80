/**
 * Reading the per-key rollups for a client or name selection: packed closed days (querylog_key_day) plus the hot
 * rows (the open day and stragglers), restricted to the selected keys and to the signatures the instance/enum filters
 * allow. Busy keys come with hourly detail, and so do quiet keys in pool rows packed with their hours (pack.ts); pool
 * rows packed before pools kept hours give quiet keys only per day — their rows are few, so callers read them raw when
 * they need hours. Pure apart from the handles it is given.
 */
import type { Stores } from "./db-types";
import { eachHour, eachPoolHour, eachPoolRtt, eachRtt, sumPool, sumPoolKeys } from "./pack";
import type { KeySel } from "./plan";

const DAY = 86_400_000;
const HOUR = 3_600_000;

type SigCounts = Map<number, number>;

export interface KeyCounts {
  /** day (UTC midnight, ms) → sig → rows: complete for every day read. */
  days: Map<number, SigCounts>;
  /** hour (ms) → sig → rows: busy keys and hot rows, for the days asked with hours. */
  hours: Map<number, SigCounts>;
  /** day → the part of `days` that has no hourly detail (quiet keys in pool rows without hours), and which keys it came from. */
  quiet: Map<number, { n: number; keys: Set<number>; bySig: Map<number, number> }>;
  /** hour → sig → rows: hot rows (stragglers) of keys that are quiet that day — raw reads of those keys include them. */
  quietHot: Map<number, SigCounts>;
  /** day → server id → RTT bucket histogram (busy keys, hot rows and pool rows with hours; `quiet` keys are not in it). */
  rtt: Map<number, Map<number, number[]>> | null;
}

function add(m: Map<number, SigCounts>, t: number, sig: number, n: number) {
  let s = m.get(t);
  if (!s) m.set(t, (s = new Map()));
  s.set(sig, (s.get(sig) ?? 0) + n);
}

export interface ReadKeyOptions {
  /** First and last UTC day (ms) to read. */
  dayFrom: number;
  dayTo: number;
  /** Days (ms) whose hourly detail is wanted. */
  hoursFor: (day: number) => boolean;
  mask: Uint8Array | null;
  rtt?: boolean;
  rttBuckets?: number;
}

/** readKeyCounts, remembered per request (the page, the count and the charts of one request often ask the same). */
export function keyCounts(stores: Stores, sel: KeySel, o: ReadKeyOptions, memo?: Map<string, Promise<unknown>>): Promise<KeyCounts> {
  if (!memo) return readKeyCounts(stores, sel, o);
  const k = [sel.kind, sel.ids.join(","), o.dayFrom, o.dayTo, hourDays(o).join(","), o.mask ? Buffer.from(o.mask).toString("base64") : "-", o.rtt ? 1 : 0].join("|");
  let hit = memo.get(k) as Promise<KeyCounts> | undefined;
  if (!hit) memo.set(k, (hit = readKeyCounts(stores, sel, o)));
  return hit;
}

/**
 * Packed rows of closed days for the keys: each key's own rows (busy days), and pool rows only for the days a key has
 * no own row — a busy key never pays for reading its (possibly large) pool.
 */
export type ColdRow = { grp: number; day: string; d: Buffer | null; h: Buffer | null; r: Buffer | null; hh: boolean };

/**
 * `hh`: the row has hourly detail (a busy key's always; a pool row's when packed with its keys' hours) — `h` itself only
 * on the days in `hourDays`, `r` only with `rtt`.
 */
export async function coldRows(stores: Stores, kind: number, ids: number[], poolOf: number[], dayFrom: string, dayTo: string, hourDays: string[], rtt: boolean): Promise<ColdRow[]> {
  const cols = (hh: string) => `grp, day::text AS day, d, CASE WHEN day = ANY($5::date[]) THEN h END AS h, ${rtt ? "r" : "NULL"} AS r, ${hh} AS hh`;
  const range = `kind = $1 AND grp = ANY($2::int[]) AND day >= $3::date AND day <= $4::date`;
  const own = await stores.deck.query(`SELECT ${cols("true")} FROM querylog_key_day WHERE ${range}`, [kind, ids, dayFrom, dayTo, hourDays]);
  // The (pool, day) pairs needed — a key without its own row that day — worked out here: joined in SQL, the planner
  // estimated the pool rows at one and looped over the pairs for each (3 s for *.co.uk's 900 names over 7 days).
  const d0 = Date.parse(`${dayFrom}T00:00:00Z`);
  const nDays = Math.round((Date.parse(`${dayTo}T00:00:00Z`) - d0) / DAY) + 1;
  const dayIndex = (day: string) => Math.round((Date.parse(`${day}T00:00:00Z`) - d0) / DAY);
  const has = new Set<number>(own.rows.map((r) => r.grp * nDays + dayIndex(r.day)));
  const need = new Set<number>();
  const pools = new Set<number>();
  ids.forEach((id, i) => {
    const grp = -1 - poolOf[i];
    for (let d = 0; d < nDays; d++)
      if (!has.has(id * nDays + d)) {
        need.add(grp * nDays + d);
        pools.add(grp);
      }
  });
  if (!pools.size) return own.rows;
  const pooled = await stores.deck.query(`SELECT ${cols("h IS NOT NULL")} FROM querylog_key_day WHERE ${range}`, [kind, [...pools], dayFrom, dayTo, hourDays]);
  return [...own.rows, ...pooled.rows.filter((r) => need.has(r.grp * nDays + dayIndex(r.day)))];
}

/**
 * coldRows for named (key, day) pairs only (top lists: the days a candidate's count is not already known from the day's
 * ranked lists). Each pair is one index probe — its own row, else its pool's row — so a few hundred pairs cost little
 * where a 90-day range read every candidate's every day.
 */
export async function coldPairs(stores: Stores, kind: number, pairs: { id: number; pool: number; day: string }[], hourDays: string[]): Promise<ColdRow[]> {
  if (!pairs.length) return [];
  const { rows } = await stores.deck.query(
    `WITH need AS (SELECT * FROM unnest($2::int[], $3::int[], $4::date[]) AS k(id, pool, day)),
     own AS MATERIALIZED (
       SELECT q.grp, q.day, q.d, q.h FROM need n
         CROSS JOIN LATERAL (SELECT grp, day, d, h FROM querylog_key_day WHERE kind = $1 AND grp = n.id AND day = n.day LIMIT 1) q),
     miss AS (SELECT DISTINCT -1 - n.pool AS grp, n.day FROM need n WHERE NOT EXISTS (SELECT 1 FROM own o WHERE o.grp = n.id AND o.day = n.day))
     SELECT grp, day::text AS day, d, CASE WHEN day = ANY($5::date[]) THEN h END AS h, NULL AS r, true AS hh FROM own
     UNION ALL
     SELECT p.grp, p.day::text, p.d, CASE WHEN p.day = ANY($5::date[]) THEN p.h END, NULL, p.h IS NOT NULL FROM miss m
       CROSS JOIN LATERAL (SELECT grp, day, d, h FROM querylog_key_day WHERE kind = $1 AND grp = m.grp AND day = m.day LIMIT 1) p`,
    [kind, pairs.map((x) => x.id), pairs.map((x) => x.pool), pairs.map((x) => x.day), hourDays],
  );
  return rows;
}

export async function readKeyCounts(stores: Stores, sel: KeySel, o: ReadKeyOptions): Promise<KeyCounts> {
  const out: KeyCounts = { days: new Map(), hours: new Map(), quiet: new Map(), quietHot: new Map(), rtt: o.rtt ? new Map() : null };
  if (!sel.ids.length) return out;
  const ids = new Set(sel.ids);
  const ok = (sig: number) => !o.mask || o.mask[sig] === 1;
  const dayFrom = new Date(o.dayFrom).toISOString().slice(0, 10);
  const dayTo = new Date(o.dayTo).toISOString().slice(0, 10);
  const [cold, hot, hotRtt] = await Promise.all([
    coldRows(stores, sel.kind, sel.ids, sel.poolOf, dayFrom, dayTo, hourDays(o), !!o.rtt).then((rows) => ({ rows })),
    stores.deck.query(
      // one index descent per key (LATERAL): with `key_id = ANY(…)` the planner scanned the whole hot table
      `SELECT k.id AS key_id, extract(epoch FROM h.hour)::bigint * 1000 AS t, h.sig, h.n FROM unnest($2::int[]) AS k(id)
        CROSS JOIN LATERAL (SELECT hour, sig, n FROM querylog_key_hot
          WHERE kind = $1 AND key_id = k.id AND hour >= $3::date::timestamp AT TIME ZONE 'UTC' AND hour < ($4::date + 1)::timestamp AT TIME ZONE 'UTC') h`,
      [sel.kind, sel.ids, dayFrom, dayTo],
    ),
    o.rtt
      ? stores.deck.query(`SELECT day::text AS day, server_id, bucket, n FROM querylog_key_hot_rtt WHERE kind = $1 AND key_id = ANY($2::int[]) AND day >= $3::date AND day <= $4::date`, [sel.kind, sel.ids, dayFrom, dayTo])
      : Promise.resolve({ rows: [] }),
  ]);
  // rows summed per day into dense per-signature arrays (a CIDR's clients over 90 days are ~10^6 entries), turned
  // into out.days (busy and quiet keys) and out.quiet (quiet keys) after the loop
  const sums = (m: Map<number, { a: Float64Array }>, day: number) => m.get(day) ?? m.set(day, { a: new Float64Array(o.mask?.length ?? 512) }).get(day)!;
  const busySums = new Map<number, { a: Float64Array }>();
  const quietSums = new Map<number, { a: Float64Array }>();
  const quietOf = new Map<number, { n: number; keys: Set<number> }>();
  const size = o.rttBuckets ?? 40;
  for (const r of cold.rows) {
    const day = Date.parse(`${r.day}T00:00:00Z`);
    if (r.grp >= 0) {
      sumPool(r.d, sums(busySums, day), o.mask);
      if (r.h) eachHour(r.h, (hour, sig, n) => ok(sig) && add(out.hours, day + hour * HOUR, sig, n));
      if (out.rtt && r.r) eachRtt(r.r, (server, bucket, n) => addRtt(out.rtt!, day, server, bucket, n, size));
    } else if (r.hh) {
      // a pool row with its keys' hours and RTT: the selected keys read like busy ones
      sumPoolKeys(r.d, ids, sums(busySums, day), o.mask);
      if (r.h) eachPoolHour(r.d, r.h, ids, (_key, sig, hour, n) => ok(sig) && add(out.hours, day + hour * HOUR, sig, n));
      if (out.rtt && r.r) eachPoolRtt(r.r, ids, (_key, server, bucket, n) => addRtt(out.rtt!, day, server, bucket, n, size));
    } else {
      const q = quietOf.get(day) ?? quietOf.set(day, { n: 0, keys: new Set() }).get(day)!;
      q.n += sumPoolKeys(r.d, ids, sums(quietSums, day), o.mask, q.keys);
    }
  }
  for (const [day, { a }] of busySums) for (let sig = 0; sig < a.length; sig++) if (a[sig]) add(out.days, day, sig, a[sig]);
  for (const [day, { a }] of quietSums) {
    const q = quietOf.get(day)!;
    if (!q.n) continue;
    const bySig = new Map<number, number>();
    for (let sig = 0; sig < a.length; sig++)
      if (a[sig]) {
        add(out.days, day, sig, a[sig]);
        bySig.set(sig, a[sig]);
      }
    out.quiet.set(day, { n: q.n, keys: q.keys, bySig });
  }
  for (const r of hot.rows) {
    if (!ok(r.sig)) continue;
    const t = Number(r.t);
    const day = Math.floor(t / DAY) * DAY;
    add(out.days, day, r.sig, r.n);
    if (!o.hoursFor(day)) continue;
    add(out.quiet.get(day)?.keys.has(r.key_id) ? out.quietHot : out.hours, t, r.sig, r.n);
  }
  for (const r of hotRtt.rows) addRtt(out.rtt!, Date.parse(`${r.day}T00:00:00Z`), r.server_id, r.bucket, r.n, o.rttBuckets ?? 40);
  return out;
}

function addRtt(m: Map<number, Map<number, number[]>>, day: number, server: number, bucket: number, n: number, size: number) {
  let s = m.get(day);
  if (!s) m.set(day, (s = new Map()));
  let h = s.get(server);
  if (!h) s.set(server, (h = new Array(size).fill(0)));
  h[bucket] += n;
}

function hourDays(o: ReadKeyOptions): string[] {
  const out: string[] = [];
  for (let d = o.dayFrom; d <= o.dayTo; d += DAY) if (o.hoursFor(d)) out.push(new Date(d).toISOString().slice(0, 10));
  return out;
}

/** Sum of a sig → n map. */
export const total = (m: SigCounts | undefined) => {
  let s = 0;
  if (m) for (const n of m.values()) s += n;
  return s;
};
