/**
 * Top names, clients and blocked names for any filter the page offers.
 *
 *   no client/name filter   candidates from each closed day's ranked lists (per instance; per value of one enum
 *                           column when the filter is some values of that column; else per signature) plus the
 *                           sample for days not closed yet; then every candidate's count
 *                           is computed exactly from the per-key rollups. The list is proven complete when no key
 *                           outside the lists could reach the last place (the lists' cut-offs add up to less);
 *                           otherwise it is marked approximate — the counts shown are still exact.
 *   a client or name filter the list of that same kind is the matched keys, ranked by exact counts; the other kind
 *                           (names a client asked, clients that asked a name) comes from raw rows when the rollups
 *                           bound them to a few thousand, else from the sample (marked approximate).
 * Pure apart from the handles in the plan.
 */
import { keyHoursFor, mostlyInside, RAW_MAX, matchBound, TAIL_EXACT_MAX } from "./counting";
import { CLIENTS, findKeys, keyTexts, type Kind, NAMES } from "./dictionary";
import { coldPairs, coldRows } from "./keys";
import { eachHour, eachPool, eachPoolHour, eachTop } from "./pack";
import { cubeKey, type KeySel, maskIds, type Plan, remember } from "./plan";
import { BLOCKED_SQL, conditions, Params, where, withSettings } from "./raw";
import { SLICE_ALL, SLICE_BLOCKED, sliceQtype, sliceRcode, sliceRt, sliceServer, sliceServerBlocked, TOP_SLICES } from "./rollup-pack";
import { SAMPLE_EVERY } from "./rollup-read";
import { clearlyMoreThan, sampleConds, scanFor } from "./sample";
import { isBlocked, type Sig } from "./sigs";

export const TOP_N = 20;
const CANDIDATES = 40;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const dayStr = (t: number) => new Date(t).toISOString().slice(0, 10);

export interface TopEntry {
  key: string;
  count: number;
}
export interface TopList {
  entries: TopEntry[];
  /** "exact": proven complete with exact counts; "counts-exact": exact counts, a key could be missing; "estimate". */
  quality: "exact" | "counts-exact" | "estimate";
  note: string | null;
}
export type TopWhich = "names" | "clients" | "blocked";

const kindOf = (w: TopWhich): Kind => (w === "clients" ? CLIENTS : NAMES);

/** Mask restricted to blocked answers for the blocked list. */
function maskFor(p: Plan, which: TopWhich): Uint8Array | null {
  if (which !== "blocked") return p.mask;
  const m = new Uint8Array(Math.max(...p.dict.byId.keys(), 0) + 1);
  for (const s of p.dict.byId.values()) if (isBlocked(s) && (!p.mask || p.mask[s.id])) m[s.id] = 1;
  return m;
}

/** The tail is too long to read raw (counting.ts's bound): the rollups are catching up. */
const catchingUp = (p: Plan) => p.newest - p.watermark > TAIL_EXACT_MAX;

/**
 * Matching rows few enough that a list the rollups could not prove complete is ranked from them instead: a rare answer
 * over a few hours (SERVFAIL for anything but A over 5 h: 12 of 19 names listed, each with a row or two) is exactly
 * what an operator looks at, and reading a few thousand rows costs less than a guess.
 */
const FEW_ROWS = 10_000;

export async function topList(p: Plan, which: TopWhich): Promise<TopList> {
  let list = await topListOf(p, which);
  // instance/enum filters only (the bound is one read of the day cube); the listed counts are exact or near it: when
  // they alone pass the threshold, the bound is not asked
  if (!catchingUp(p) && !p.empty && cubeKey(p) === null && list.quality !== "exact" && list.entries.reduce((a, e) => a + e.count, 0) <= FEW_ROWS) {
    const bound = await cubeBound(p);
    if (bound <= FEW_ROWS) list = await rawTop(p, which, bound);
  }
  if (!catchingUp(p) || p.empty) return list;
  return { ...list, quality: "estimate", note: `dnsdeck's rollups are catching up (${(p.newest - p.watermark).toLocaleString("en")} rows behind); the newest rows are not counted yet.` };
}

async function topListOf(p: Plan, which: TopWhich): Promise<TopList> {
  const kind = kindOf(which);
  const own = kind === CLIENTS ? p.client : p.name;
  const other = kind === CLIENTS ? p.name : p.client;
  if (p.empty) return { entries: [], quality: "exact", note: null };
  if (other || own?.broad || own?.not || p.filter.clientSet) return coKeyTop(p, which);
  const mask = maskFor(p, which);
  if (own && own.ids.length <= 200) {
    // keys matching the filter first seen past the watermark are in no dictionary yet: the tail alone counts them
    const tail = await tailCounts(p, kind, null, which === "blocked");
    const known = new Set(own.texts);
    const unknown = [...tail.keys()].filter((t) => !known.has(t));
    return rank(p, kind, own.ids, [...own.texts, ...unknown], mask, which === "blocked", tail.size >= TAIL_KEYS ? "counts-exact" : "exact", tail.size >= TAIL_KEYS ? "Counts are exact; of the keys first seen in the newest rows only the busiest are listed." : null);
  }
  return fromLists(p, which, mask, own ? new Set(own.ids) : null);
}

/** Exact counts over [from, to) for the given keys (rolled-up part and tail), ranked. */
async function rank(p: Plan, kind: Kind, ids: number[], texts: string[], mask: Uint8Array | null, blocked: boolean, quality: TopList["quality"], note: string | null, listed?: Listed): Promise<TopList> {
  const totals = await keyTotals(p, kind, ids, texts, mask, blocked, listed);
  const entries = [...totals.counts.entries()].filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, TOP_N);
  return { entries: entries.map(([key, count]) => ({ key, count: Math.round(count) })), quality: totals.approximate ? "estimate" : quality, note: totals.approximate ? "Counts on the range's first and last day are partly prorated." : note };
}

/**
 * Day counts a top list already knows from the closed days' ranked lists: `countOn(key, day)` is the key's exact count
 * that packed day under the list's filter wherever every slice of the filter either lists the key or lists every key
 * it saw that day, else undefined.
 */
export interface Listed {
  packed: Set<number>;
  countOn(key: number, day: number): number | undefined;
}

/**
 * An edge day counts whole less its rows outside the range only when those are at most this long: a 24-hour range
 * starting at 09:12 would read 9 hours of every key's rows raw (~100 ms per list at 600k rows a day), where the day's
 * hours from the rollups and the partial hour raw (shared by the three lists) cost a fraction.
 */
const MINUS_MAX = 2 * HOUR;

/** Quiet keys' rows on a part of an edge day at most this long are found by time, not by key. */
const QUIET_BY_TIME = 6 * HOUR;

/**
 * Exact per-key counts for [from, to) from the per-key rollups, raw rows at the edges, and the tail. `texts[i]` is
 * `ids[i]`'s text; texts past the ids are keys no dictionary holds yet (first seen past the watermark): tail only.
 */
export async function keyTotals(p: Plan, kind: Kind, ids: number[], texts: string[], mask: Uint8Array | null, blocked = false, listed?: Listed): Promise<{ counts: Map<string, number>; approximate: boolean }> {
  const counts = new Map<string, number>(texts.map((t) => [t, 0]));
  if (!ids.length && p.newest <= p.watermark) return { counts, approximate: false };
  const textOf = new Map(ids.map((id, i) => [id, texts[i]]));
  const from = p.from.getTime();
  const to = p.to.getTime();
  const h0 = Math.ceil(from / HOUR) * HOUR;
  const h1 = Math.floor(to / HOUR) * HOUR;
  const firstDay = Math.floor(from / DAY) * DAY;
  const dayTo = Math.floor((to - 1) / DAY) * DAY;
  // An edge day mostly inside the range counts whole, less its rows outside the range read raw by time for every key
  // (a 90-day range starting at 00:17 subtracts 17 minutes; quiet keys' 23 h read by their index took ~75 ms).
  const minus = mostlyInside(from, to, MINUS_MAX);
  const needsHours = keyHoursFor(p, DAY, MINUS_MAX);
  const inner = (d: number) => !needsHours(d);
  // A short first day (a 90-day range ending this afternoon starts late in the evening): its few hours are read raw by
  // time for every key, like the partial hour before them, and the day's rollups are not read at all — its rows by key
  // (busy keys' hours, quiet keys' pool rows and then their raw rows by key) cost far more (blocked names: 40 → 13 ms).
  const rawFirst = !!listed && firstDay < from && firstDay + DAY - from <= QUIET_BY_TIME && firstDay + DAY <= h1 && listed.packed.has(firstDay);
  const dayFrom = rawFirst ? firstDay + DAY : firstDay;
  const edgeDays: string[] = [];
  for (let d = dayFrom; d <= dayTo; d += DAY) if (!inner(d)) edgeDays.push(dayStr(d));
  const ok = (sig: number) => !mask || mask[sig] === 1;
  const addKey = (id: number, n: number) => {
    const t = textOf.get(id);
    if (t !== undefined) counts.set(t, (counts.get(t) ?? 0) + n);
  };
  const pools = ids.length ? await p.stores.deck.query(kind === NAMES ? `SELECT id, pool FROM querylog_names WHERE id = ANY($1::int[])` : `SELECT id, pool FROM querylog_clients WHERE id = ANY($1::int[])`, [ids]) : { rows: [] };
  const poolOf = new Map<number, number>(pools.rows.map((r) => [r.id, r.pool]));
  const idSet = new Set(ids);
  // The range's last, partial hour from the hot table when the range ends after every rolled row (a range ending
  // "now"): then that hour's hot counts hold exactly the rolled rows before `to`, and no raw rows are read for it.
  const endDay = Math.floor(h1 / DAY) * DAY;
  const hotEnd = listed && h0 <= h1 && h1 < to && !listed.packed.has(endDay) && p.watermarkAt && p.watermarkAt.getTime() < to ? h1 + HOUR : h1;
  // With the ranked lists' counts, only the (key, day) pairs they do not settle are read: a top name is listed on
  // nearly every day, so 40 candidates over 90 days read a few dozen packed rows instead of 3,600.
  const needOn = new Map<number, Set<number>>();
  if (listed)
    for (const id of ids)
      for (let d = dayFrom; d <= dayTo; d += DAY) {
        if (!listed.packed.has(d)) continue;
        const n = inner(d) ? listed.countOn(id, d) : undefined;
        if (n !== undefined) addKey(id, n);
        else {
          let s = needOn.get(d);
          if (!s) needOn.set(d, (s = new Set()));
          s.add(id);
        }
      }
  const pairs = [...needOn].flatMap(([d, s]) => [...s].map((id) => ({ id, pool: poolOf.get(id) ?? 0, day: dayStr(d) })));
  // Pairs are index probes: cheaper than reading every candidate's range only while the lists settle most of it (an
  // enum filter's per-signature lists rarely do: then the range is read and the settled days skipped).
  const byPairs = listed && pairs.length * 4 <= ids.length * ((dayTo - dayFrom) / DAY + 1);
  const sigs: number[] = [];
  mask?.forEach((v, i) => v && sigs.push(i));
  const [cold, hot] = await Promise.all([
    (byPairs ? coldPairs(p.stores, kind, pairs, edgeDays) : coldRows(p.stores, kind, ids, ids.map((id) => poolOf.get(id) ?? 0), dayStr(dayFrom), dayStr(dayTo), edgeDays, false)).then((rows) => ({ rows })),
    // the open day's hours, the filter's signatures summed in the database (a top name has ~15 signatures an hour)
    p.stores.deck.query(
      // one index descent per key (LATERAL): with `key_id = ANY(…)` the planner scanned the whole hot table (27 ms → 4 ms)
      `SELECT k.id AS key_id, extract(epoch FROM h.hour)::bigint * 1000 AS t, sum(h.n)::int AS n FROM unnest($2::int[]) AS k(id)
        CROSS JOIN LATERAL (SELECT hour, n FROM querylog_key_hot
          WHERE kind = $1 AND key_id = k.id AND hour >= $3::date::timestamp AT TIME ZONE 'UTC' AND hour < ($4::date + 1)::timestamp AT TIME ZONE 'UTC'${mask ? " AND sig = ANY($5::smallint[])" : ""}) h
        GROUP BY 1, 2`,
      [kind, ids, dayStr(dayFrom), dayStr(dayTo), ...(mask ? [sigs] : [])],
    ),
  ]);
  // quiet (pool) keys on edge days: counted raw over the part of the day inside the range
  const quietEdge = new Map<number, Set<number>>();
  let quietRows = 0;
  for (const r of cold.rows) {
    const day = Date.parse(`${r.day}T00:00:00Z`);
    const busy = r.grp >= 0;
    if (listed && busy && !needOn.get(day)?.has(r.grp)) continue; // settled by the ranked lists
    // a pool row holds every quiet key of its domain or /24: only the keys this day was read for are counted from it
    const keys = busy ? null : listed ? (needOn.get(day) ?? new Set<number>()) : idSet;
    eachPool(r.d, keys, (key, sig, n) => {
      if (!ok(sig)) return;
      if (inner(day)) addKey(key, n);
      else if (!busy && !r.h) {
        let s = quietEdge.get(day);
        if (!s) quietEdge.set(day, (s = new Set()));
        s.add(key);
        quietRows += n;
      }
    });
    if (busy && r.h) eachHour(r.h, (hour, sig, n) => {
      const t = day + hour * HOUR;
      if (ok(sig) && t >= h0 && t < h1) addKey(r.grp, n);
    });
    // an edge day's pool row packed with its keys' hours: their whole hours in the range from it, not raw
    else if (keys && r.h && !inner(day)) eachPoolHour(r.d, r.h, keys, (key, sig, hour, n) => {
      const t = day + hour * HOUR;
      if (ok(sig) && t >= h0 && t < h1) addKey(key, n);
    });
  }
  for (const r of hot.rows) {
    const t = Number(r.t);
    if (t < dayFrom) continue; // the raw first day
    const day = Math.floor(t / DAY) * DAY;
    if (inner(day)) addKey(r.key_id, r.n);
    else if (t >= h0 && t < hotEnd && !quietEdge.get(day)?.has(r.key_id)) addKey(r.key_id, r.n);
  }
  // Raw: the partial hours at both ends for every key (found by time: `x || ''` keeps the key's own index out of it),
  // quiet keys' edge-day rows (found by key: they are few), and the tail.
  const f = { ...p.filter, client: undefined, clientSet: undefined, qname: undefined };
  const col = kind === NAMES ? "qname" : "client_ip";
  const raw = (byTime: boolean, keys: string[], spans: [Date, Date][], sign = 1) => {
    if (!keys.length || !spans.length) return Promise.resolve();
    const prm = new Params();
    const k = byTime ? `(${col} || '')` : col;
    const t = spans.map(([a, b]) => `(timestamp >= ${prm.add(a)} AND timestamp < ${prm.add(b)})`).join(" OR ");
    const c = where(conditions(f, prm, { hideEnums: true })) + (blocked ? ` AND ${BLOCKED_SQL}` : "");
    return p.stores.logs
      .query(`SELECT ${col} AS key, count(*) AS n FROM dns_logs WHERE dlid <= ${prm.add(p.watermark)} AND ${k} = ANY(${prm.add(keys)}::text[]) AND (${t}) AND ${c} GROUP BY 1`, prm.values)
      .then(({ rows }) => rows.forEach((r) => counts.set(r.key, (counts.get(r.key) ?? 0) + sign * Number(r.n))));
  };
  const start = rawFirst ? dayFrom : h0;
  const edges: [Date, Date][] =
    h0 > h1
      ? [[p.from, p.to]]
      : [...(from < start && !minus.has(firstDay) ? [[p.from, new Date(start)] as [Date, Date]] : []), ...(h1 < to && hotEnd === h1 && !minus.has(dayTo) ? [[new Date(h1), p.to] as [Date, Date]] : [])];
  const outside: [Date, Date][] = [];
  for (const d of minus) {
    if (d < from) outside.push([new Date(d), p.from]);
    if (to < d + DAY) outside.push([p.to, new Date(d + DAY)]);
  }
  let approximate = false;
  // the partial hours at the ends (at most two hours of rows): every key's counts read once for the plan's three lists
  const edgeKeys = [...textOf.values()];
  const edgeJob = !edgeKeys.length || !edges.length ? Promise.resolve() : edgeCounts(p, edges).then((all) => {
    const m = kind === CLIENTS ? all.clients : blocked ? all.blocked : all.names;
    for (const t of edgeKeys) {
      const n = m.get(t);
      if (n) counts.set(t, (counts.get(t) ?? 0) + n);
    }
  });
  const jobs: Promise<void>[] = [edgeJob, raw(true, [...textOf.values()], outside, -1)];
  for (const [day, keys] of quietEdge) {
    const a = Math.max(day, h0);
    const b = Math.min(day + DAY, h1);
    if (a >= b) continue;
    // found by time when the part of the day is short (a 90-day range's first day often holds an hour or two: 34 blocked
    // names over 2 h, 51 ms by their index, which reads all their days, vs 8 ms by time), else by key
    if (quietRows <= RAW_MAX) jobs.push(raw(b - a <= QUIET_BY_TIME, [...keys].map((k) => textOf.get(k)!), [[new Date(a), new Date(b)]]));
    else approximate = true;
  }
  jobs.push(tailCounts(p, kind, texts, blocked).then((m) => m.forEach((n, k) => counts.set(k, (counts.get(k) ?? 0) + n))));
  await Promise.all(jobs);
  return { counts, approximate };
}

/**
 * Every name's (all answers and blocked ones) and every client's rows over the partial hours at a range's ends, read
 * once per plan by time (rolled-up rows only; the enum filters apply, the key filters do not: the lists pick their
 * keys). The three top lists each read the same rows for their candidates before: three scans of up to two hours.
 */
function edgeCounts(p: Plan, spans: [Date, Date][]): Promise<{ names: Map<string, number>; blocked: Map<string, number>; clients: Map<string, number> }> {
  return remember(p, `edge:${spans.map(([a, b]) => `${a.getTime()}-${b.getTime()}`).join(",")}`, async () => {
    const prm = new Params();
    const f = { ...p.filter, client: undefined, clientSet: undefined, qname: undefined };
    const t = spans.map(([a, b]) => `(timestamp >= ${prm.add(a)} AND timestamp < ${prm.add(b)})`).join(" OR ");
    const c = where(conditions(f, prm, { hideEnums: true }));
    const { rows } = await p.stores.logs.query(
      `SELECT qname, client_ip, b, GROUPING(qname) AS gq, count(*)::int AS n FROM (
         SELECT qname, client_ip, ${BLOCKED_SQL} AS b FROM dns_logs WHERE dlid <= ${prm.add(p.watermark)} AND (${t}) AND ${c}) x
       GROUP BY GROUPING SETS ((qname, b), (client_ip))`,
      prm.values,
    );
    const out = { names: new Map<string, number>(), blocked: new Map<string, number>(), clients: new Map<string, number>() };
    for (const r of rows) {
      if (r.gq === 1) out.clients.set(r.client_ip, (out.clients.get(r.client_ip) ?? 0) + r.n);
      else if (r.qname !== null) {
        out.names.set(r.qname, (out.names.get(r.qname) ?? 0) + r.n);
        if (r.b) out.blocked.set(r.qname, (out.blocked.get(r.qname) ?? 0) + r.n);
      }
    }
    return out;
  });
}

/** The busiest keys of the tail a top list considers. */
const TAIL_KEYS = 200;

/** Counts per key in the tail (rows past the watermark); `texts` null → the TAIL_KEYS busiest keys. */
async function tailCounts(p: Plan, kind: Kind, texts: string[] | null, blockedOnly: boolean): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  // while the rollups catch up the tail is millions of rows: not read (topList says the newest rows are not counted)
  if (p.newest <= p.watermark || catchingUp(p)) return out;
  const prm = new Params();
  const col = kind === NAMES ? "qname" : "client_ip";
  const c = conditions(p.filter, prm, { from: p.from, to: p.to, hideEnums: true });
  const blocked = blockedOnly ? ` AND ${BLOCKED_SQL}` : "";
  const { rows } = await p.stores.logs.query(
    `SELECT ${col} AS key, count(*) AS n FROM dns_logs WHERE dlid > ${prm.add(p.watermark)} AND ${col} IS NOT NULL AND ${where(c)}${blocked}
       ${texts ? `AND ${col} = ANY(${prm.add(texts)}::text[])` : ""} GROUP BY 1 ORDER BY 2 DESC${texts ? "" : ` LIMIT ${TAIL_KEYS}`}`,
    prm.values,
  );
  for (const r of rows) out.set(r.key, Number(r.n));
  return out;
}

/** The slices whose ranked lists cover the filter, per closed day. */
function slicesFor(p: Plan, which: TopWhich): number[] {
  const f = p.filter;
  const enumFilter = f.qtype || f.rcode || f.responseType || f.protocol;
  const blocked = which === "blocked";
  if (!enumFilter) {
    if (!f.server) return [blocked ? SLICE_BLOCKED : SLICE_ALL];
    const ids = [...p.dict.servers.keys()].filter((id) => {
      const hit = f.server!.values.includes(p.dict.servers.get(id)!);
      return f.server!.not ? !hit : hit;
    });
    return ids.map((id) => (blocked ? sliceServerBlocked(id) : sliceServer(id)));
  }
  const mask = maskFor(p, which);
  const out: number[] = [];
  mask?.forEach((v, i) => v && out.push(i));
  return out;
}

/**
 * When the filter's signatures are exactly those of some values of one enum column (rcode=NxDomain, qtype=!A, …: the
 * instance and the other columns unfiltered), the per-value lists of that column cover it — one list of 100 a day
 * instead of one of 25 per signature, which rarely all list a candidate. The column with the fewest values wins.
 * Null otherwise (or for the blocked list, which has no per-value lists).
 */
export function enumSlicesFor(p: Plan, which: TopWhich): number[] | null {
  if (which === "blocked" || !p.mask) return null;
  const mask = p.mask;
  let best: number[] | null = null;
  for (const [col, slice] of [
    ["rcode", sliceRcode],
    ["rt", sliceRt],
    ["qtype", sliceQtype],
  ] as const) {
    const values = new Set<number>();
    for (const s of p.dict.byId.values()) if (mask[s.id]) values.add(s[col]);
    let exact = true;
    for (const s of p.dict.byId.values()) if (!mask[s.id] && values.has(s[col])) exact = false;
    if (exact && (!best || values.size < best.length)) best = [...values].map(slice);
  }
  return best;
}

async function fromLists(p: Plan, which: TopWhich, mask: Uint8Array | null, only: Set<number> | null): Promise<TopList> {
  const kind = kindOf(which);
  const from = p.from.getTime();
  const to = p.to.getTime();
  // days packed with the per-value lists read those; days packed before they existed, the per-signature ones
  const bySig = slicesFor(p, which);
  const byValue = enumSlicesFor(p, which);
  const dayFrom = Math.floor(from / DAY) * DAY;
  const dayTo = Math.floor((to - 1) / DAY) * DAY;
  const [lists, packed] = await Promise.all([
    byValue
      ? p.stores.deck.query(
          `SELECT t.day::text AS day, t.slice, t.keys, t.rest FROM querylog_top_day t JOIN querylog_days d ON d.day = t.day
            WHERE t.kind = $1 AND t.day >= $3::date AND t.day <= $4::date
              AND CASE WHEN d.top_slices >= ${TOP_SLICES} THEN t.slice = ANY($5::int[]) ELSE t.slice = ANY($2::int[]) END`,
          [kind, bySig, dayStr(dayFrom), dayStr(dayTo), byValue],
        )
      : p.stores.deck.query(`SELECT day::text AS day, slice, keys, rest FROM querylog_top_day WHERE kind = $1 AND slice = ANY($2::int[]) AND day >= $3::date AND day <= $4::date`, [kind, bySig, dayStr(dayFrom), dayStr(dayTo)]),
    p.stores.deck.query(`SELECT day::text AS day FROM querylog_days WHERE packed AND day >= $1::date AND day <= $2::date`, [dayStr(dayFrom), dayStr(dayTo)]),
  ]);
  // every list read keeps its day's top 100 (all, per instance, per value) or only 25 (per signature)
  const depth = lists.rows.some((r) => r.slice >= 0) ? 25 : 100;
  const lower = new Map<number, number>();
  const rest = lists.rows.reduce((a, r) => a + r.rest, 0);
  const decoded = lists.rows.map((r) => ({ day: Date.parse(`${r.day}T00:00:00Z`), full: r.rest === 0, keys: r.keys }));
  for (const r of decoded) eachTop(r.keys, (key, n) => (!only || only.has(key)) && lower.set(key, (lower.get(key) ?? 0) + n));
  // Days without ranked lists (the open day, days not packed yet): candidates from the sample.
  const packedDays = new Set(packed.rows.map((r) => Date.parse(`${r.day}T00:00:00Z`)));
  const open: number[] = [];
  for (let d = dayFrom; d <= dayTo; d += DAY) if (!packedDays.has(d)) open.push(d);
  let complete = true;
  let sampled = false;
  if (open.length) {
    const openFrom = Math.max(from, open[0]);
    const { rows } = await sampleKeys({ ...p, from: new Date(openFrom), mask }, kind, null);
    // The 1-in-128 sample picks the open days' candidates only where it has seen each of the top entries often; a thin
    // sample (a rare instance, an enum value seldom answered, a short range) would miss keys with a few rows — the
    // candidates then come from the open days' exact per-key hourly counts (one pass over the hot table).
    if (rows.length >= TOP_N && rows[TOP_N - 1].n >= SAMPLE_TRUSTED) {
      sampled = true;
      complete = false;
      for (const r of rows) if (!only || only.has(r.key)) lower.set(r.key, (lower.get(r.key) ?? 0) + r.n * SAMPLE_EVERY);
    } else {
      const hot = await openCandidates(p, kind, mask, only, Math.floor(openFrom / HOUR) * HOUR, to, open, which === "blocked" && !p.mask);
      for (const [key, n] of hot.counts) lower.set(key, (lower.get(key) ?? 0) + n);
      // every key with rows there is a candidate (or the list stopped short of the top CANDIDATES): still proven
      if (!hot.all) complete = false;
    }
  }
  // a filter on this list's own key with many keys (a pattern matching 200–2,000 names): the ranked lists may hold too
  // few of them to fill the list (ad names under ~etri, none in an instance's daily top 100). The sample says how many
  // rows they have (through its key index): few enough, their raw rows decide exactly; else the sample holds enough of
  // them to pick the busiest (their raw rows would cost seconds at 54M rows)
  if (only && lower.size < TOP_N && lists.rows.some((r) => r.rest > 0)) {
    const { rows, total } = await sampleKeys({ ...p, mask }, kind, only);
    if (total * SAMPLE_EVERY <= RAW_MAX * 2) return coKeyTop(p, which);
    complete = false;
    for (const r of rows) lower.set(r.key, Math.max(lower.get(r.key) ?? 0, r.n * SAMPLE_EVERY));
  }
  const ranked = [...lower.entries()].sort((a, b) => b[1] - a[1]);
  // the most a key left out of the candidates can have counted in the lists (their days whole, not cut to the range)
  const cutLower = ranked[CANDIDATES]?.[1] ?? 0;
  const cand = ranked.slice(0, CANDIDATES).map(([k]) => k);
  const texts = await keyTexts(p.stores.deck, kind, cand);
  const ids = cand.filter((k) => texts.has(k));
  // (under a filter on this list's own key, the tail's keys are those matching it)
  const tail = await tailCounts(p, kind, null, which === "blocked");
  if (tail.size >= TAIL_KEYS) complete = false; // the tail's busiest keys only
  const allTexts = [...new Set([...ids.map((k) => texts.get(k)!), ...tail.keys()])];
  const idOf = new Map(ids.map((k) => [texts.get(k)!, k]));
  const tailOnly = allTexts.filter((t) => !idOf.has(t));
  for (const r of await findKeys(p.stores.deck, kind, tailOnly)) idOf.set(r.key, r.id);
  // A packed day's count of a candidate is settled when each of the filter's slices lists it or lists all its keys (a
  // slice with no row that day saw nothing); the rest is read from the per-key rollups. One pass over the lists for
  // the candidates only: per (candidate, day) the listed count, and in how many of the day's lists that left keys out
  // it appears — settled when that is all of them.
  const cands = [...idOf.values()];
  const slot = new Map(cands.map((id, i) => [id, i]));
  const nDays = (dayTo - dayFrom) / DAY + 1;
  const sums = new Float64Array(cands.length * nDays);
  const hits = new Int32Array(cands.length * nDays);
  const partial = new Int32Array(nDays);
  for (const r of decoded) {
    const di = (r.day - dayFrom) / DAY;
    if (!r.full) partial[di]++;
    eachTop(r.keys, (key, n) => {
      const ci = slot.get(key);
      if (ci === undefined) return;
      sums[ci * nDays + di] += n;
      if (!r.full) hits[ci * nDays + di]++;
    });
  }
  const listed: Listed = {
    packed: packedDays,
    countOn: (key, day) => {
      const ci = slot.get(key);
      const di = (day - dayFrom) / DAY;
      return ci !== undefined && hits[ci * nDays + di] === partial[di] ? sums[ci * nDays + di] : undefined;
    },
  };
  // keys first seen past the watermark are in no dictionary yet: they have no rolled-up rows, so the tail alone counts
  // them (rank counts texts beyond the ids from the tail only)
  const unknown = tailOnly.filter((t) => !idOf.has(t));
  const list = await rank(p, kind, cands, [...idOf.keys(), ...unknown], mask, which === "blocked", "exact", null, listed);
  // Proof of completeness: a key in no list has at most `rest` rows on the listed days; a key in some lists but left
  // out of the candidates at most `cutLower` + `rest` (an edge day's lists count the whole day, so keys busy outside
  // the range can crowd out one with more rows inside it).
  const last = list.entries.length >= TOP_N ? list.entries[TOP_N - 1].count : 0;
  const proven = complete && (list.entries.length < TOP_N ? rest === 0 && cutLower === 0 : rest + cutLower < last);
  if (proven && list.quality === "exact") return list;
  const what = kind === NAMES ? "name" : "client";
  const from_ = [...(lists.rows.length ? [`each closed day's top ${depth}`] : []), ...(open.length ? [sampled ? "dnsdeck's 1-in-128 sample for the day not closed yet" : "the busiest keys of the day not closed yet"] : [])].join(" and ");
  return {
    ...list,
    quality: "counts-exact",
    note: `Counts are exact; the list is picked from ${from_}, so a ${what} with ${rest > 0 ? `up to ${rest.toLocaleString("en")} rows spread thin` : "few rows"} could be missing.`,
  };
}

/** A sampled key seen this often (~1,000 rows) is ranked right by the sample to within a few per cent. */
const SAMPLE_TRUSTED = 8;

/**
 * The sample's busiest keys of one kind under the plan's range and mask (the key filters left out; `only`: those keys
 * alone, by the sample's key index), at most CANDIDATES of them, and the sampled rows all of them hold together.
 */
async function sampleKeys(p: Plan, kind: Kind, only: Set<number> | null): Promise<{ rows: { key: number; n: number }[]; total: number }> {
  const c = sampleConds({ ...p, client: null, name: null }, only ? 2 : 1);
  const col = kind === NAMES ? "s.name_id" : "s.client_id";
  const { rows } = await p.stores.deck.query(
    `SELECT key, n, sum(n) OVER () AS total FROM (SELECT ${col} AS key, count(*) AS n FROM querylog_sample s
      WHERE ${only ? `${col} = ANY($1::int[])` : `${col} IS NOT NULL`} AND ${c.sql} GROUP BY 1) x ORDER BY 2 DESC LIMIT ${CANDIDATES}`,
    only ? [[...only], ...c.values] : c.values,
  );
  return { rows: rows.map((r) => ({ key: r.key, n: Number(r.n) })), total: Number(rows[0]?.total ?? 0) };
}

/**
 * The open days' (`days`) busiest keys under the filter's signatures from their exact hourly counts (querylog_key_hot),
 * hours from `from` (on an hour) to `to` — or, with no signature filter, from their per-day totals (querylog_key_hot_day). `all`: every key with rows there is listed (fewer than CANDIDATES), so a key not
 * listed has none.
 */
async function openCandidates(p: Plan, kind: Kind, mask: Uint8Array | null, only: Set<number> | null, from: number, to: number, days: number[], blockedAll: boolean): Promise<{ counts: Map<number, number>; all: boolean }> {
  // (the blocked list with no other filter: the totals' blocked rows)
  const col = !mask ? "n" : blockedAll ? "b" : null;
  if (col && days.length) {
    // no instance/enum filter: the open days' per-key totals (kept by each step), whole days — a key's count there is
    // at least its count in the range, so the candidates and the proof stay sound (at most more conservative). One
    // open day (the usual case) is a top-N of its totals, no aggregation.
    const values: unknown[] = [kind, days.map(dayStr)];
    const keyCond = only ? ` AND key_id = ANY($${values.push([...only])}::int[])` : "";
    const { rows } = await p.stores.deck.query(
      days.length === 1
        ? `SELECT key_id AS key, ${col} AS n FROM querylog_key_hot_day WHERE kind = $1 AND day = ($2::date[])[1] AND ${col} > 0${keyCond} ORDER BY ${col} DESC LIMIT ${CANDIDATES + 1}`
        : `SELECT key_id AS key, sum(${col})::int AS n FROM querylog_key_hot_day WHERE kind = $1 AND day = ANY($2::date[]) AND ${col} > 0${keyCond} GROUP BY 1 ORDER BY 2 DESC LIMIT ${CANDIDATES + 1}`,
      values,
    );
    return { counts: new Map(rows.slice(0, CANDIDATES).map((r) => [r.key, r.n])), all: rows.length <= CANDIDATES };
  }
  const sigs: number[] = [];
  mask?.forEach((v, i) => v && sigs.push(i));
  const values: unknown[] = [kind, new Date(from).toISOString(), new Date(to).toISOString()];
  let cond = "";
  if (mask) cond += ` AND sig = ANY($${values.push(sigs)}::smallint[])`;
  if (only) cond += ` AND key_id = ANY($${values.push([...only])}::int[])`;
  const { rows } = await p.stores.deck.query(
    `SELECT key_id AS key, sum(n)::int AS n FROM querylog_key_hot WHERE kind = $1 AND hour >= $2::timestamptz AND hour < $3::timestamptz${cond} GROUP BY 1 ORDER BY 2 DESC LIMIT ${CANDIDATES + 1}`,
    values,
  );
  const counts = new Map<number, number>(rows.slice(0, CANDIDATES).map((r) => [r.key, r.n]));
  return { counts, all: rows.length <= CANDIDATES };
}

/** The raw rows' counts per key behind coKeyTop, read once per plan and kind: the names and blocked lists share them. */
type CoKeyRow = { key: string; n: string; b: string };
const coKeyRead = new WeakMap<Plan, Map<Kind, Promise<CoKeyRow[]>>>();
function coKeyRows(p: Plan, kind: Kind, bound: number): Promise<CoKeyRow[]> {
  const byKind = coKeyRead.get(p) ?? coKeyRead.set(p, new Map()).get(p)!;
  return byKind.get(kind) ?? byKind.set(kind, readCoKeyRows(p, kind, bound)).get(kind)!;
}

async function readCoKeyRows(p: Plan, kind: Kind, bound: number): Promise<CoKeyRow[]> {
  const col = kind === NAMES ? "qname" : "client_ip";
  // the rolled-up part through the dictionary-resolved keys (index hints), the tail with the filter's own conditions
  // (a client or name first seen after the watermark is in no dictionary yet)
  const part = (tail: boolean) => {
    const prm = new Params();
    const resolved = (k: KeySel | null) => (!tail && k && !k.broad ? k.texts : null);
    // where a client or name list bounds the read, the enum conditions are hidden from the planner: a busy name's bitmap
    // ANDed with TCP's and Recursive's read 88k pages for 537 rows (~github + TCP over 90 days, 0.9 → 0.3 s). Without
    // one (a negated client), a rare value's bitmap (REFUSED) is the way in and stays.
    const keyed = [p.client, p.name].some((k) => k && !k.not && !k.broad);
    const c = conditions(p.filter, prm, { from: p.from, to: p.to, clients: resolved(p.client), names: resolved(p.name), hideEnums: !tail && keyed });
    const side = `dlid ${tail ? ">" : "<="} ${prm.add(p.watermark)}`;
    const sql = `SELECT ${col} AS key, count(*) AS n, count(*) FILTER (WHERE ${BLOCKED_SQL}) AS b FROM dns_logs WHERE ${side} AND ${where(c)} AND ${col} IS NOT NULL GROUP BY 1`;
    // a bitmap of the key's rows in the range (the (timestamp, key) index's entries, or the key's index ANDed with
    // time) instead of walking the whole range by time and filtering: one client over 24 h, 178 → 71 ms at 27M rows
    return tail ? p.stores.logs.query(sql, prm.values) : withSettings(p.stores.logs, { enable_indexscan: "off" }, (db) => db.query(sql, prm.values));
  };
  // no rolled-up row matches (an empty intersection: a client on an instance it never used): only the tail can
  const [rolled, tail] = await Promise.all([bound > 0 ? part(false) : { rows: [] }, p.newest > p.watermark && !catchingUp(p) ? part(true) : { rows: [] }]);
  return [...rolled.rows, ...tail.rows];
}

/**
 * An upper bound on the rows an instance/enum filter matches in the range, from the day cube's whole-day totals (and
 * every row past the watermark) — once per request for all three lists.
 */
function cubeBound(p: Plan): Promise<number> {
  return remember(p, "cubeBound", async () => {
    const ids = maskIds(p);
    const d0 = dayStr(Math.floor(p.from.getTime() / DAY) * DAY);
    const d1 = dayStr(Math.floor((p.to.getTime() - 1) / DAY) * DAY);
    const { rows } = await p.stores.deck.query(`SELECT coalesce(sum(n), 0)::bigint AS n FROM querylog_sig_day WHERE day >= $1::date AND day <= $2::date ${ids ? "AND sig = ANY($3::smallint[])" : ""}`, ids ? [d0, d1, ids] : [d0, d1]);
    return Number(rows[0].n) + Math.max(0, p.newest - p.watermark);
  });
}

/** A list ranked from the matching rows themselves (at most `bound` of them, rolled up or not): exact and complete. */
async function rawTop(p: Plan, which: TopWhich, bound: number): Promise<TopList> {
  const counts = new Map<string, number>();
  for (const r of await coKeyRows(p, kindOf(which), bound)) {
    const n = which === "blocked" ? Number(r.b) : Number(r.n);
    if (n > 0) counts.set(r.key, (counts.get(r.key) ?? 0) + n);
  }
  const entries = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, TOP_N);
  return { entries: entries.map(([key, count]) => ({ key, count })), quality: "exact", note: null };
}

/** Top of one kind under a filter on the other kind (or a broad/negated filter): raw rows or the sample. */
async function coKeyTop(p: Plan, which: TopWhich): Promise<TopList> {
  const kind = kindOf(which);
  const mask = maskFor(p, which);
  // far more rows than can be read raw (a CIDR's 8M): the sample says so in one index count, and the exact bound — the
  // whole selection's per-key rollups — is not read; otherwise the rollups decide (names and blocked share both reads)
  const bound = (await remember(p, "clearlyMoreThan", () => clearlyMoreThan(p, RAW_MAX))) ?? (await remember(p, "matchBound", () => matchBound(p)));
  if (bound <= RAW_MAX) return rawTop(p, which, bound);
  const c = sampleConds({ ...p, mask });
  const scol = kind === NAMES ? "s.name_id" : "s.client_id";
  // a broad filter costs a lookup per sample row: at most sampleScan's share of it (dictionary ids use their index)
  const scan = await scanFor(p);
  const { rows } = await p.stores.deck.query(`SELECT ${scol} AS key, count(*) AS n FROM querylog_sample s ${scan.clause} WHERE ${c.sql} AND ${scol} IS NOT NULL GROUP BY 1 ORDER BY 2 DESC LIMIT ${TOP_N}`, c.values);
  const texts = await keyTexts(p.stores.deck, kind, rows.map((r) => r.key));
  const hits = rows.reduce((s, r) => s + Number(r.n), 0);
  const of = scan.pct < 100 ? ` (${hits} rows in the ${scan.pct.toFixed(1)} % of it read)` : ` (${hits} sampled rows)`;
  return {
    entries: rows.filter((r) => texts.has(r.key)).map((r) => ({ key: texts.get(r.key)!, count: Math.round(Number(r.n) * scan.scale) })),
    quality: "estimate",
    note: `Estimated from dnsdeck's 1-in-${SAMPLE_EVERY} sample${of}: about ${bound.toLocaleString("en")} rows match, too many to rank exactly in time.`,
  };
}

export type { Sig };
