/**
 * Rows and counts. Pages are in time order (newest first; ties by dlid) with a keyset cursor (the last row's dlid), so
 * page 1,000 costs what page 1 costs. Before dns_logs is read, the rollups say how many rows match in each hour or day
 * of the range: the page query is bounded to the newest stretch that holds a page (nothing at all when nothing
 * matches — a client on an instance it never used costs no scan), and told whether matches are dense (walk time) or
 * rare (let Technitium's client/name indexes find them). Rows past the rollup watermark (the tail) are read raw.
 * Pure apart from the handles it is given.
 */
import { Acc } from "./acc";
import { fillRolled, fillTail, keyReadOptions } from "./counting";
import type { Db, Stores } from "./db-types";
import { decode, PROTOCOLS, QCLASSES, QTYPES, RCODES, RESPONSE_TYPES } from "./enums";
import type { Filter } from "./filters";
import { total } from "./keys";
import { selCounts } from "./nets";
import { cubeKey, type KeySel, keyAbsent, plan, type Plan } from "./plan";
import { conditions, isTimeout, Params, where, withTimeout } from "./raw";

export interface LogRow {
  id: string;
  timestamp: string;
  server: string | null;
  clientIp: string;
  protocol: string;
  responseType: string;
  rtt: number | null;
  rcode: string;
  qname: string | null;
  qtype: string | null;
  qclass: string | null;
  answer: string | null;
}

/** The resolved filter (kept under its old name for callers). */
export type Resolved = Plan;
export const resolve = plan;

const COLS = "dlid, server, timestamp, client_ip, protocol, response_type, response_rtt, rcode, qname, qtype, qclass, answer";
const ORDER = "ORDER BY timestamp DESC, dlid DESC";
const HOUR = 3_600_000;
const DAY = 86_400_000;

export function decodeRow(r: any): LogRow {
  return {
    id: String(r.dlid),
    timestamp: new Date(r.timestamp).toISOString(),
    server: r.server,
    clientIp: r.client_ip,
    protocol: decode(PROTOCOLS, r.protocol) as string,
    responseType: decode(RESPONSE_TYPES, r.response_type) as string,
    rtt: r.response_rtt === null ? null : Number(r.response_rtt),
    rcode: decode(RCODES, r.rcode) as string,
    qname: r.qname,
    qtype: decode(QTYPES, r.qtype, "TYPE"),
    qclass: decode(QCLASSES, r.qclass, "CLASS"),
    answer: r.answer,
  };
}

/** Keyset condition: rows after the cursor row in (timestamp DESC, dlid DESC) order. */
function afterCursor(cursor: number | null, p: Params): string {
  if (cursor === null) return "true";
  const c = p.add(cursor);
  return `(timestamp, dlid) < ((SELECT timestamp FROM dns_logs WHERE dlid = ${c}), ${c}) AND timestamp <= (SELECT timestamp FROM dns_logs WHERE dlid = ${c})`;
}

/** Time-ordered page over the whole range, every row (the export's chunks). Exported for EXPLAIN in the benchmark. */
export function pageSql(r: Plan, cursor: number | null, limit: number): { sql: string; values: unknown[] } {
  const p = new Params();
  const c = conditions(r.filter, p, { from: r.from, to: r.to });
  return { sql: `SELECT ${COLS} FROM dns_logs WHERE ${where(c)} AND ${afterCursor(cursor, p)} ${ORDER} LIMIT ${limit}`, values: p.values };
}

export interface Page {
  rows: LogRow[];
  nextCursor: string | null;
  from: string;
  to: string;
  clipped: string | null;
  watermark: string;
}

/**
 * Matches per time slot (newest first) for the rolled-up part, from the rollups: [slot start, slot length, rows].
 * null when the rollups cannot say (a client AND a name, a broad pattern): the page then searches the whole range.
 */
async function slots(p: Plan, before: number): Promise<{ slots: [number, number, number][]; dayRows: Map<number, number> | null } | null> {
  const k = cubeKey(p);
  if (k === "pair" || k === "broad" || (k && k.not)) return null;
  const out: [number, number, number][] = [];
  const dayFrom = Math.floor(p.from.getTime() / DAY) * DAY;
  const dayTo = Math.floor((p.to.getTime() - 1) / DAY) * DAY;
  if (k) {
    // the same read as the count's (remembered per request): whole days, hours on the range's edge days unless an
    // edge day is mostly inside the range (the count takes it whole, less what lies outside)
    const day = (d: number) => new Date(d).toISOString().slice(0, 10);
    const [kc, rows] = await Promise.all([
      // day totals only: a quiet network's day total is as good as its clients'
      selCounts(p, k as KeySel, keyReadOptions(p, DAY), () => false),
      p.stores.deck.query(`SELECT extract(epoch FROM day::timestamp AT TIME ZONE 'UTC')::bigint * 1000 AS t, sum(n)::bigint AS n FROM querylog_sig_day WHERE day >= $1::date AND day <= $2::date GROUP BY 1`, [day(dayFrom), day(dayTo)]),
    ]);
    for (const [d, m] of kc.days) if (d < before) out.push([d, DAY, total(m)]);
    return { slots: out.sort((a, b) => b[0] - a[0]), dayRows: new Map(rows.rows.map((r) => [Number(r.t), Number(r.n)])) };
  } else {
    const ids: number[] = [];
    p.mask?.forEach((v, i) => v && ids.push(i));
    const { rows } = await p.stores.deck.query(
      `SELECT extract(epoch FROM day::timestamp AT TIME ZONE 'UTC')::bigint * 1000 AS t, ${Array.from({ length: 24 }, (_, h) => `sum(h${String(h).padStart(2, "0")})::bigint AS h${String(h).padStart(2, "0")}`).join(", ")}
         FROM querylog_sig_day WHERE day >= $1::date AND day <= $2::date ${p.mask ? "AND sig = ANY($3::smallint[])" : ""} GROUP BY 1`,
      p.mask ? [new Date(dayFrom).toISOString().slice(0, 10), new Date(dayTo).toISOString().slice(0, 10), ids] : [new Date(dayFrom).toISOString().slice(0, 10), new Date(dayTo).toISOString().slice(0, 10)],
    );
    for (const r of rows) {
      const v = Object.values(r).slice(1) as string[];
      for (let h = 0; h < 24; h++) if (Number(v[h]) && Number(r.t) + h * HOUR < before) out.push([Number(r.t) + h * HOUR, HOUR, Number(v[h])]);
    }
  }
  return { slots: out.sort((a, b) => b[0] - a[0]), dayRows: null };
}

export async function queryPage(stores: Stores, filter: Filter, opts: { cursor?: number | null; limit?: number } = {}, resolved?: Plan): Promise<Page> {
  const r = resolved ?? (await plan(stores, filter));
  const limit = Math.min(Math.max(opts.limit ?? 50, 1), 1000);
  const cursor = opts.cursor ?? null;
  const base = { from: r.from.toISOString(), to: r.to.toISOString(), clipped: r.clipped, watermark: String(r.watermark) };
  if (r.empty) return { rows: [], nextCursor: null, ...base };
  let before = r.to.getTime();
  if (cursor !== null) {
    const c = await stores.logs.query(`SELECT timestamp FROM dns_logs WHERE dlid = $1`, [cursor]);
    if (c.rows.length) before = Math.min(before, new Date(c.rows[0].timestamp).getTime() + 1);
  }
  const tail = tailPage(r, cursor, limit);
  const main = mainPage(r, cursor, limit, before);
  const rows = [...(await tail), ...(await main)];
  rows.sort((a, b) => (a.timestamp === b.timestamp ? Number(b.dlid) - Number(a.dlid) : new Date(b.timestamp).getTime() - new Date(a.timestamp).getTime()));
  const out = rows.slice(0, limit).map(decodeRow);
  return { rows: out, nextCursor: out.length === limit ? out[out.length - 1].id : null, ...base };
}

async function tailPage(r: Plan, cursor: number | null, limit: number): Promise<any[]> {
  const p = new Params();
  const c = conditions(r.filter, p, { from: r.from, to: r.to });
  const sql = `SELECT ${COLS} FROM dns_logs WHERE dlid > ${p.add(r.watermark)} AND ${where(c)} AND ${afterCursor(cursor, p)} ${ORDER} LIMIT ${limit}`;
  return (await r.stores.logs.query(sql, p.values)).rows;
}

async function mainPage(r: Plan, cursor: number | null, limit: number, before: number): Promise<any[]> {
  if (r.watermark === 0 || keyAbsent(r)) return [];
  if (r.mask && !r.mask.some((v) => v === 1)) return [];
  const s = await slots(r, before);
  let lo = r.from.getTime();
  let dense: boolean | null = null;
  if (s) {
    // The newest slots below the cursor that hold a page; nothing there → nothing to read.
    let seen = 0;
    let start: number | null = null;
    let windowRows = 0;
    for (const [t, , n] of s.slots) {
      seen += n;
      start = t;
      windowRows += s.dayRows?.get(t) ?? 0;
      if (seen >= limit) break;
    }
    if (start === null) return [];
    lo = Math.max(lo, start);
    // A client/name filter is dense when its matches are at least 1 % of the window's rows: walking time then finds a
    // page fastest; rarer ones let Technitium's client/name indexes find the rows.
    if (s.dayRows) dense = seen * 100 >= windowRows;
  }
  const run = async (from: number) => {
    const p = new Params();
    const k = cubeKey(r);
    const sel = k && typeof k === "object" ? k : null;
    const c = conditions(r.filter, p, {
      from: new Date(from),
      to: r.to,
      clients: sel?.kind === 0 ? sel.texts : r.client && !r.client.broad ? r.client.texts : null,
      names: sel?.kind === 1 ? sel.texts : r.name && !r.name.broad ? r.name.texts : null,
      hideKeys: dense === true,
    });
    const sql = `SELECT ${COLS} FROM dns_logs WHERE dlid <= ${p.add(r.watermark)} AND ${where(c)} AND ${afterCursor(cursor, p)} ${ORDER} LIMIT ${limit}`;
    return (await r.stores.logs.query(sql, p.values)).rows;
  };
  const rows = await run(lo);
  // Safety net: rollup counts are exact, but if a window ever came up short, search the whole range.
  if (rows.length < limit && lo > r.from.getTime()) return run(r.from.getTime());
  return rows;
}

/** Rows newer than `after` (live tail), oldest first, at most `limit`. */
export async function queryNewer(stores: Stores, filter: Filter, after: number, limit = 200): Promise<LogRow[]> {
  const p = new Params();
  const c = conditions(filter, p, {});
  const { rows } = await stores.logs.query(`SELECT ${COLS} FROM dns_logs WHERE dlid > ${p.add(after)} AND ${where(c)} ORDER BY dlid LIMIT ${limit}`, p.values);
  return rows.map(decodeRow);
}

export interface Count {
  value: number | null;
  kind: "exact" | "rollup" | "estimate" | "unknown";
  note: string;
}

const EVERYTHING = 100 * 365 * DAY;

/**
 * How many rows match: exact from the rollups for instance/enum filters and for one client or name filter (edges and
 * quiet keys counted from raw rows); otherwise an estimate from the sample, or — `exact` — counted raw under a
 * statement timeout.
 */
export async function countRows(stores: Stores, filter: Filter, opts: { exact?: boolean; timeoutMs?: number } = {}, resolved?: Plan): Promise<Count> {
  const r = resolved ?? (await plan(stores, filter));
  if (r.empty) return { value: 0, kind: "exact", note: "empty range" };
  const acc = new Acc(EVERYTHING, r.dict);
  await Promise.all([fillRolled(r, acc), fillTail(r, acc)]);
  if (!acc.approximate) return { value: Math.round(acc.total()), kind: "rollup", note: "exact, from dnsdeck's rollups" + (r.newest > r.watermark ? " and the newest rows" : "") };
  if (opts.exact) {
    try {
      const p = new Params();
      const c = conditions(filter, p, { from: r.from, to: r.to });
      const n = await withTimeout(stores.logs as Db, opts.timeoutMs ?? 15_000, async (db) => Number((await db.query(`SELECT count(*) AS n FROM dns_logs WHERE ${where(c)}`, p.values)).rows[0].n));
      return { value: n, kind: "exact", note: "exact count of the rows" };
    } catch (err) {
      if (!isTimeout(err)) throw err;
      acc.notes.unshift(`the exact count took longer than ${Math.round((opts.timeoutMs ?? 15_000) / 1000)} s`);
    }
  }
  if (acc.unknown) return { value: null, kind: "unknown", note: acc.notes.join(" ") };
  return { value: Math.round(acc.total()), kind: "estimate", note: acc.notes.join(" ") || "estimate" };
}
