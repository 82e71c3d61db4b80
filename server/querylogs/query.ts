/**
 * Reading dns_logs fast: keyset pages by dlid (never OFFSET), counts from rollups or a marked estimate, and name /
 * CIDR patterns resolved to exact values through dnsdeck's dictionaries so Technitium's own indexes do the work.
 *
 * Every read is split at the rollup watermark W:
 *   main part  dlid ≤ W   — dictionary-resolved filters; time range turned into a dlid range from querylog_hour_span
 *   tail part  dlid > W   — not yet rolled up (seconds to minutes of rows): raw LIKE / inet filters
 * Pure apart from the handles it is given (no env, no server-only), so the benchmark and the tests use it as is.
 */
import type { Db, Stores } from "./db-types";
import { STATE_ID } from "./db-types";
import { decode, PROTOCOLS, QCLASSES, QTYPES, RCODES, RESPONSE_TYPES } from "./enums";
import type { Filter, SetFilter } from "./filters";
import { rollupCountable } from "./filters";

/** Dictionary matches above this many names fall back to a LIKE scan (a pattern that broad is cheap to scan for). */
export const MAX_DICTIONARY_NAMES = 2000;

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

export interface Resolved {
  filter: Filter;
  watermark: number;
  /** Time range actually searched (from may be moved up to the oldest row still kept). */
  from: Date;
  to: Date;
  clipped: string | null;
  oldest: { dlid: number; at: Date } | null;
  /** dlid range of the main part (rows ≤ watermark); lo > hi means nothing there. */
  lo: number;
  hi: number;
  names: string[] | null;
  clients: string[] | null;
  empty: boolean;
  /**
   * Access-path hint from the rollups for client/name filters: `true` = matches are dense enough that walking the
   * primary key backwards (from the cursor) finds a page quickly; `false` = rare, let the client/name indexes fetch
   * them; null = no hint (planner decides).
   */
  dense: boolean | null;
  /** Rows expected to match in the range (from the per-day top lists), when known. */
  matchEstimate: number | null;
  /** Highest dlid in dns_logs; newest − watermark is how far the rollups are behind. */
  newest: number;
}

/** Beyond this many rows past the watermark (rollups catching up), tail counts and chart tails are estimated/skipped. */
export const TAIL_EXACT_MAX = 300_000;

/** A page may read this many index entries walking the primary key before the client/name indexes are cheaper. */
export const DENSE_SCAN_ROWS = 200_000;

export async function resolve(stores: Stores, filter: Filter): Promise<Resolved> {
  const id = stores.stateId ?? STATE_ID;
  const q = filter.qname;
  const cidr = filter.client?.kind === "cidr" ? filter.client.value : null;
  // Everything independent runs at once: watermark, oldest kept row, the hour spans, the dictionaries.
  const [state, oldestQ, spanQ, namesQ, clientsQ] = await Promise.all([
    stores.deck.query(`SELECT watermark FROM querylog_state WHERE id = $1`, [id]),
    stores.logs.query(`SELECT dlid, timestamp, (SELECT max(dlid) FROM dns_logs) AS newest FROM dns_logs ORDER BY dlid LIMIT 1`),
    stores.deck.query(
      `SELECT (SELECT min(min_dlid) FROM querylog_hour_span WHERE hour >= date_trunc('hour', $1::timestamptz, 'UTC') - interval '1 hour') AS lo,
              (SELECT max(max_dlid) FROM querylog_hour_span WHERE hour <= $2::timestamptz) AS hi`,
      [filter.from.toISOString(), filter.to.toISOString()],
    ),
    q && q.kind !== "exact" ? stores.deck.query(`SELECT name FROM querylog_names WHERE lower(name) LIKE $1 LIMIT ${MAX_DICTIONARY_NAMES + 1}`, [q.like]) : null,
    cidr ? stores.deck.query(`SELECT ip FROM querylog_clients WHERE addr <<= $1::inet LIMIT 5001`, [cidr]) : null,
  ]);
  const watermark = Number(state.rows[0]?.watermark ?? 0);
  const oldest = oldestQ.rows[0] ? { dlid: Number(oldestQ.rows[0].dlid), at: new Date(oldestQ.rows[0].timestamp) } : null;
  let from = filter.from;
  let clipped: string | null = null;
  if (oldest && from < oldest.at) {
    // Technitium's retention deletes in dlid order; a minute of slack keeps rows whose clocks ran slightly behind.
    const kept = new Date(oldest.at.getTime() - 60_000);
    if (from < kept) {
      clipped = `The range starts before the oldest query in dns_logs (${oldest.at.toISOString()}); older rows were deleted by Technitium's retention or never logged, so the search starts there.`;
      from = kept;
    }
  }
  const to = filter.to;
  let lo = oldest?.dlid ?? 1;
  let hi = watermark;
  if (watermark > 0) {
    // Every rolled-up row with timestamp ≥ from sits in an hour ≥ floor(from) (≤ to likewise), so these bounds are exact
    // for rows ≤ watermark; the extra hour of slack covers rows queued across an hour boundary.
    lo = Math.max(lo, spanQ.rows[0].lo === null ? watermark + 1 : Number(spanQ.rows[0].lo));
    hi = Math.min(hi, spanQ.rows[0].hi === null ? 0 : Number(spanQ.rows[0].hi));
  }
  const names = namesQ ? (namesQ.rows.length > MAX_DICTIONARY_NAMES ? null : namesQ.rows.map((r) => r.name as string)) : null;
  const clients = clientsQ ? (clientsQ.rows.length > 5000 ? null : clientsQ.rows.map((r) => r.ip as string)) : null;
  const empty = from >= to;
  const newest = Number(oldestQ.rows[0]?.newest ?? 0);
  const r: Resolved = { filter, watermark, from, to, clipped, oldest, lo, hi, names, clients, empty, dense: null, matchEstimate: null, newest };
  if (watermark > 0 && !empty) await addHints(stores, r);
  return r;
}

async function addHints(stores: Stores, r: Resolved): Promise<void> {
  const f = r.filter;
  const clientKeys = f.client && !f.client.not ? (f.client.kind === "ip" ? [f.client.value] : r.clients) : null;
  const nameKeys = f.qname && !f.qname.not ? (f.qname.kind === "exact" ? [f.qname.value] : r.names) : null;
  if (!clientKeys && !nameKeys) return;
  const p = new Params();
  const server = f.server && !f.server.not ? ` AND server = ANY(${p.add(f.server.values)}::text[])` : "";
  const hFrom = p.add(new Date(Math.floor(r.from.getTime() / 3_600_000) * 3_600_000).toISOString());
  const to = p.add(r.to.toISOString());
  const { rows } = await stores.deck.query(
    `SELECT (SELECT coalesce(sum(count), 0) FROM querylog_hour_span WHERE hour >= ${hFrom}::timestamptz AND hour < ${to}::timestamptz${server}) AS range_rows,
            (SELECT rows_rolled FROM querylog_state WHERE id = ${p.add(stores.stateId ?? STATE_ID)}) AS all_rows,
            ${clientKeys ? `(SELECT coalesce(sum(c.hits), 0) FROM unnest(${p.add(clientKeys)}::text[]) AS k(ip) JOIN querylog_clients c ON c.ip = k.ip)` : "NULL"} AS m_client,
            ${nameKeys ? `(SELECT coalesce(sum(n.hits), 0) FROM unnest(${p.add(nameKeys)}::text[]) AS k(name) JOIN querylog_names n ON n.name = k.name)` : "NULL"} AS m_name`,
    p.values,
  );
  const R = Number(rows[0].range_rows);
  const all = Math.max(1, Number(rows[0].all_rows ?? 0));
  const ms = [rows[0].m_client, rows[0].m_name].filter((x) => x !== null).map(Number);
  // All-time hits scaled to the range's share of all rows (assumes a name/client is about as busy over time).
  const M = Math.min(...ms) * Math.min(1, R / all);
  r.matchEstimate = Math.round(M);
  r.dense = R <= DENSE_SCAN_ROWS || (M > 0 && (50 * R) / M <= DENSE_SCAN_ROWS);
}

class Params {
  values: unknown[] = [];
  add(v: unknown): string {
    this.values.push(v);
    return `$${this.values.length}`;
  }
}

function setCond(col: string, f: SetFilter<number> | SetFilter<string> | undefined, p: Params, type: string, nullable: boolean, out: string[]) {
  if (!f) return;
  const ph = p.add(f.values);
  if (!f.not) out.push(`${col} = ANY(${ph}::${type}[])`);
  else out.push(nullable ? `(${col} IS NULL OR ${col} <> ALL(${ph}::${type}[]))` : `${col} <> ALL(${ph}::${type}[])`);
}

/** WHERE conditions (without dlid bounds) for one part. */
export function conditions(r: Resolved, part: "main" | "tail", p: Params, opts: { time?: boolean } = {}): string[] {
  const f = r.filter;
  const out: string[] = [];
  // Steer the access path with the rollups' hint (main part only): `x || ''` / `ts + '0 s'` hide a column from its
  // indexes without changing what matches, so a dense filter walks the primary key and a rare one uses its index.
  const hint = part === "main" ? r.dense : null;
  const ts = hint === null ? "timestamp" : "(timestamp + interval '0 s')";
  const client_ip = hint === true ? "(client_ip || '')" : "client_ip";
  const qname = hint === true ? "(qname || '')" : "qname";
  if (opts.time !== false) {
    out.push(`${ts} >= ${p.add(r.from.toISOString())}::timestamptz`);
    out.push(`${ts} < ${p.add(r.to.toISOString())}::timestamptz`);
  }
  setCond("server", f.server, p, "text", true, out);
  if (f.client) {
    const c = f.client;
    if (c.kind === "ip") out.push(c.not ? `${client_ip} <> ${p.add(c.value)}` : `${client_ip} = ${p.add(c.value)}`);
    else if (part === "main" && r.clients) out.push(c.not ? `${client_ip} <> ALL(${p.add(r.clients)}::text[])` : `${client_ip} = ANY(${p.add(r.clients)}::text[])`);
    else out.push(`${c.not ? "NOT " : ""}(${client_ip}::inet <<= ${p.add(c.value)}::inet)`);
  }
  if (f.qname) {
    const q = f.qname;
    if (q.kind === "exact") out.push(q.not ? `(qname IS NULL OR ${qname} <> ${p.add(q.value)})` : `${qname} = ${p.add(q.value)}`);
    else if (part === "main" && r.names) out.push(q.not ? `(qname IS NULL OR ${qname} <> ALL(${p.add(r.names)}::text[]))` : `${qname} = ANY(${p.add(r.names)}::text[])`);
    else out.push(q.not ? `(qname IS NULL OR ${qname} NOT LIKE ${p.add(q.like)})` : `${qname} LIKE ${p.add(q.like)}`);
  }
  setCond("qtype", f.qtype, p, "int", true, out);
  setCond("rcode", f.rcode, p, "smallint", false, out);
  setCond("response_type", f.responseType, p, "smallint", false, out);
  setCond("protocol", f.protocol, p, "smallint", false, out);
  return out;
}

const COLS = "dlid, server, timestamp, client_ip, protocol, response_type, response_rtt, rcode, qname, qtype, qclass, answer";

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

/** SQL for one page: newest first, dlid < cursor. Exported for EXPLAIN in the benchmark. */
export function pageSql(r: Resolved, cursor: number | null, limit: number, order: "desc" | "asc" = "desc"): { sql: string; values: unknown[] } {
  const p = new Params();
  const parts: string[] = [];
  const cmp = order === "desc" ? "<" : ">";
  const cur = cursor === null ? "" : ` AND dlid ${cmp} ${p.add(cursor)}`;
  const tailWanted = order === "desc" ? cursor === null || cursor > r.watermark + 1 : true;
  if (tailWanted) {
    const c = conditions(r, "tail", p);
    parts.push(`(SELECT ${COLS} FROM dns_logs WHERE dlid > ${p.add(r.watermark)}${cur} AND ${c.join(" AND ")} ORDER BY dlid ${order} LIMIT ${limit})`);
  }
  if (r.lo <= r.hi) {
    const c = conditions(r, "main", p);
    parts.push(
      `(SELECT ${COLS} FROM dns_logs WHERE dlid >= ${p.add(r.lo)} AND dlid <= ${p.add(r.hi)}${cur} AND ${c.join(" AND ")} ORDER BY dlid ${order} LIMIT ${limit})`,
    );
  }
  if (!parts.length) return { sql: `SELECT ${COLS} FROM dns_logs WHERE false`, values: [] };
  if (parts.length === 1) return { sql: parts[0].slice(1, -1), values: p.values };
  return { sql: `SELECT * FROM (${parts.join(" UNION ALL ")}) x ORDER BY dlid ${order} LIMIT ${limit}`, values: p.values };
}

export interface Page {
  rows: LogRow[];
  nextCursor: string | null;
  from: string;
  to: string;
  clipped: string | null;
  watermark: string;
}

export async function queryPage(stores: Stores, filter: Filter, opts: { cursor?: number | null; limit?: number } = {}, resolved?: Resolved): Promise<Page> {
  const r = resolved ?? (await resolve(stores, filter));
  const limit = Math.min(Math.max(opts.limit ?? 50, 1), 1000);
  const base = { from: r.from.toISOString(), to: r.to.toISOString(), clipped: r.clipped, watermark: String(r.watermark) };
  if (r.empty) return { rows: [], nextCursor: null, ...base };
  const { sql, values } = pageSql(r, opts.cursor ?? null, limit);
  const { rows } = await stores.logs.query(sql, values);
  const out = rows.map(decodeRow);
  return { rows: out, nextCursor: out.length === limit ? out[out.length - 1].id : null, ...base };
}

/** Rows newer than `after` (live tail), oldest first, at most `limit`. */
export async function queryNewer(stores: Stores, filter: Filter, after: number, limit = 200): Promise<LogRow[]> {
  const r = await resolve(stores, { ...filter, to: new Date(Date.now() + 86_400_000) });
  const { sql, values } = pageSql({ ...r, lo: Math.max(r.lo, after + 1) }, after, limit, "asc");
  const { rows } = await stores.logs.query(sql, values);
  return rows.map(decodeRow);
}

export interface Count {
  value: number;
  kind: "exact" | "rollup" | "estimate";
  note: string;
}

const HOUR = 3_600_000;
const DAY = 86_400_000;
const ceilTo = (d: Date, ms: number) => new Date(Math.ceil(d.getTime() / ms) * ms);
const floorTo = (d: Date, ms: number) => new Date(Math.floor(d.getTime() / ms) * ms);

function rollupDims(f: Filter, p: Params): string[] {
  const out: string[] = [];
  setCond("server", f.server, p, "text", false, out);
  if (f.qtype) {
    // NULL qtype is stored as -1 in the rollups
    const ph = p.add(f.qtype.values);
    out.push(f.qtype.not ? `qtype <> ALL(${ph}::int[])` : `qtype = ANY(${ph}::int[])`);
  }
  setCond("rcode", f.rcode, p, "smallint", false, out);
  setCond("response_type", f.responseType, p, "smallint", false, out);
  setCond("protocol", f.protocol, p, "smallint", false, out);
  return out;
}

async function rawCount(stores: Stores, r: Resolved, part: "main" | "tail", from: Date, to: Date, timeoutMs?: number): Promise<number> {
  const p = new Params();
  const c = conditions({ ...r, from, to }, part, p);
  const bound = part === "tail" ? `dlid > ${p.add(r.watermark)}` : `dlid >= ${p.add(r.lo)} AND dlid <= ${p.add(r.hi)}`;
  const sql = `SELECT count(*)::bigint AS n FROM dns_logs WHERE ${bound} AND ${c.join(" AND ")}`;
  if (!timeoutMs) return Number((await stores.logs.query(sql, p.values)).rows[0].n);
  return withTimeout(stores.logs, timeoutMs, async (db) => Number((await db.query(sql, p.values)).rows[0].n));
}

/** Run `fn` with a statement_timeout, on a dedicated connection when the handle is a pool. */
async function withTimeout<T>(db: Db, ms: number, fn: (db: Db) => Promise<T>): Promise<T> {
  const pool = db as Db & { connect?: () => Promise<Db & { release(): void }> };
  const c = typeof pool.connect === "function" && "totalCount" in pool ? await pool.connect() : null;
  const h = c ?? db;
  try {
    await h.query("BEGIN");
    await h.query(`SET LOCAL statement_timeout = ${Math.round(ms)}`);
    const out = await fn(h);
    await h.query("COMMIT");
    return out;
  } catch (err) {
    await h.query("ROLLBACK").catch(() => {});
    throw err;
  } finally {
    c?.release();
  }
}

/**
 * How many rows match. Filters the rollups can answer (no client/name) are counted from them (full days from the
 * daily table, full hours from the hourly one, partial hours at the edges and the tail exactly from raw rows).
 * Otherwise a planner estimate, unless `exact` (bounded by a statement timeout).
 */
export async function countRows(stores: Stores, filter: Filter, opts: { exact?: boolean; timeoutMs?: number } = {}, resolved?: Resolved): Promise<Count> {
  const r = resolved ?? (await resolve(stores, filter));
  if (r.empty) return { value: 0, kind: "exact", note: "empty range" };
  const behind = r.newest - r.watermark;
  if (behind > TAIL_EXACT_MAX && !opts.exact) {
    // Rollups are catching up (first start, or after downtime): say so rather than count millions of raw rows.
    const est = await estimate(stores, { ...r, lo: r.oldest?.dlid ?? 1, hi: r.newest });
    return { value: est, kind: "estimate", note: `dnsdeck's rollups are catching up (${behind.toLocaleString("en")} rows behind); estimate from PostgreSQL's statistics` };
  }
  const tail = await rawCount(stores, r, "tail", r.from, r.to, opts.exact ? opts.timeoutMs ?? 15_000 : undefined);
  if (opts.exact) {
    try {
      const main = r.lo <= r.hi ? await rawCount(stores, r, "main", r.from, r.to, opts.timeoutMs ?? 15_000) : 0;
      return { value: main + tail, kind: "exact", note: "exact count" };
    } catch (err) {
      if (!/statement timeout|canceling statement/i.test((err as Error).message)) throw err;
      const est = await estimate(stores, r);
      return { value: est + tail, kind: "estimate", note: `the exact count took longer than ${Math.round((opts.timeoutMs ?? 15_000) / 1000)} s; showing the planner's estimate` };
    }
  }
  if (rollupCountable(filter) && r.watermark > 0) {
    const main = await rollupCount(stores, r);
    return { value: main + tail, kind: "rollup", note: "from rollups (exact)" };
  }
  if (r.matchEstimate !== null) return { value: r.matchEstimate + tail, kind: "estimate", note: "estimate from the rollups' name/client totals; ask for the exact count if you need it" };
  const est = r.lo <= r.hi ? await estimate(stores, r) : 0;
  return { value: est + tail, kind: "estimate", note: "estimate from PostgreSQL's statistics; ask for the exact count if you need it" };
}

async function estimate(stores: Stores, r: Resolved): Promise<number> {
  const p = new Params();
  const c = conditions(r, "main", p);
  const sql = `EXPLAIN (FORMAT JSON) SELECT 1 FROM dns_logs WHERE dlid >= ${p.add(r.lo)} AND dlid <= ${p.add(r.hi)} AND ${c.join(" AND ")}`;
  const { rows } = await stores.logs.query(sql, p.values);
  const plan = rows[0]["QUERY PLAN"];
  const top = (Array.isArray(plan) ? plan : JSON.parse(plan))[0].Plan;
  return Math.round(Number(top["Plan Rows"]));
}

async function rollupCount(stores: Stores, r: Resolved): Promise<number> {
  const from = r.from;
  const to = r.to;
  const hFrom = ceilTo(from, HOUR);
  const hTo = floorTo(to, HOUR);
  if (hFrom >= hTo) return r.lo <= r.hi ? rawCount(stores, r, "main", from, to) : 0;
  const dFrom = ceilTo(hFrom, DAY);
  const dTo = floorTo(hTo, DAY);
  const jobs: Promise<number>[] = [];
  const sum = async (table: "querylog_hourly" | "querylog_daily", a: Date, b: Date) => {
    const p = new Params();
    const dims = rollupDims(r.filter, p);
    const col = table === "querylog_daily" ? "day" : "hour";
    const cast = table === "querylog_daily" ? "::date" : "::timestamptz";
    const av = table === "querylog_daily" ? a.toISOString().slice(0, 10) : a.toISOString();
    const bv = table === "querylog_daily" ? b.toISOString().slice(0, 10) : b.toISOString();
    const sql = `SELECT coalesce(sum(count), 0)::bigint AS n FROM ${table} WHERE ${col} >= ${p.add(av)}${cast} AND ${col} < ${p.add(bv)}${cast}${dims.length ? " AND " + dims.join(" AND ") : ""}`;
    return Number((await stores.deck.query(sql, p.values)).rows[0].n);
  };
  if (dFrom < dTo) {
    jobs.push(sum("querylog_daily", dFrom, dTo), sum("querylog_hourly", hFrom, dFrom), sum("querylog_hourly", dTo, hTo));
  } else {
    jobs.push(sum("querylog_hourly", hFrom, hTo));
  }
  if (r.lo <= r.hi) {
    if (from < hFrom) jobs.push(rawCount(stores, r, "main", from, hFrom));
    if (hTo < to) jobs.push(rawCount(stores, r, "main", hTo, to));
  }
  return (await Promise.all(jobs)).reduce((a, b) => a + b, 0);
}

export { Params };
