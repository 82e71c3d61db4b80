/**
 * What one rollup step reads from dns_logs: aggregates of the rows with lo < dlid ≤ hi (a primary-key range), in three
 * grouped passes side by side, then a short second pass for the hourly detail of the main day's busy names. `mainDay`
 * is a UTC day the window covers completely (catch-up): its per-name rows come back per day — with the hours and RTT
 * buckets of their rows folded into sums of one-byte fields (exact for a quiet name: under 200 rows a day), so the pool
 * rows keep quiet names' hours and RTT without a group per name and hour; every other row per hour, for the hot
 * tables. A row's instance, response type, rcode, qtype and protocol travel as one number (`code`), and
 * the answers are kept in columns of typed arrays: a day is ~500k groups, and per-row objects would cost more than
 * the database's work. Pure apart from the handle it is given.
 */
import type { Db } from "./db-types";
import { RTT_BUCKET_SQL } from "./rtt";

/** A key with at least this many rows in a day gets its own packed row with hourly detail. */
export const DENSE_DAY = 200;
/** One row in SAMPLE_EVERY goes to querylog_sample (chosen by a hash of dlid). */
export const SAMPLE_EVERY = 128;

/** code = srv·2^45 + rt·2^37 + rcode·2^25 + (qtype + 1)·2^8 + proto (< 2^53: exact in a JS number). */
export function decodeDims(code: number): { srv: number; rt: number; rcode: number; qtype: number; proto: number } {
  const srv = Math.floor(code / 2 ** 45);
  let r = code - srv * 2 ** 45;
  const rt = Math.floor(r / 2 ** 37);
  r -= rt * 2 ** 37;
  const rcode = Math.floor(r / 2 ** 25);
  r -= rcode * 2 ** 25;
  const q = Math.floor(r / 2 ** 8);
  return { srv, rt, rcode, qtype: q - 1, proto: r - q * 2 ** 8 };
}
/** The window's rows' dims as `code`; srv is the 1-based position of the instance in $3 (0: not in the list). */
export const codeSql = (servers = "$3") => `((coalesce(array_position(${servers}::text[], coalesce(server, '')::text), 0)::bigint << 45) | (response_type::bigint << 37) | (rcode::bigint << 25) | ((coalesce(qtype, -1) + 1)::bigint << 8) | protocol::bigint)`;
const CODE = codeSql();

/** A failed answer, what the cause rollup classifies: NXDOMAIN, SERVFAIL, or blocked (Technitium's response types 4–6). */
export const FAILED_SQL = `(rcode IN (2, 3) OR response_type IN (4, 5, 6))`;

/** Failed answers per name, client, hour and dims, in columns. */
export interface FailedCols {
  name: string[];
  client: string[];
  hn: Int32Array;
  code: Float64Array;
  n: Int32Array;
}

/** Rows [_, _, _, _, code, n, name, client, hour] (the names pass's second grouping set, or the back-fill's). */
export function failedCols(rows: unknown[][]): FailedCols {
  const out: FailedCols = { name: new Array(rows.length), client: new Array(rows.length), hn: new Int32Array(rows.length), code: new Float64Array(rows.length), n: new Int32Array(rows.length) };
  rows.forEach((r, i) => {
    out.name[i] = r[6] as string;
    out.client[i] = r[7] as string;
    out.hn[i] = r[8] as number;
    out.code[i] = Number(r[4]);
    out.n[i] = r[5] as number;
  });
  return out;
}

/** Per-key groups, in columns: key text, UTC day number, hour number (-1: the whole main day), dims code, rows. */
export interface KeyCols {
  key: string[];
  dn: Int32Array;
  hn: Int32Array;
  code: Float64Array;
  n: Int32Array;
}
/** Per-key RTT groups, in columns (RTT per instance: `srv`). */
export interface KeyRttCols {
  key: string[];
  dn: Int32Array;
  srv: Int32Array;
  rb: Int32Array;
  n: Int32Array;
}
export interface SampleRow {
  dlid: number;
  ts: Date;
  code: number;
  client: string;
  qname: string | null;
  rtt: number | null;
}
export interface WindowData {
  /** The instance names `srv` positions refer to (1-based). */
  servers: string[];
  /** Instance names seen that are not in `servers` (the step registers them and reads the window again). */
  newServers: string[];
  /** Start of the newest 5-minute slot (a lower bound of the newest timestamp: what closing days needs). */
  maxTs: Date | null;
  /** Per 5-minute slot and dims: rows, dlid range. */
  sigs: { s5: number; code: number; n: number; lo: number; hi: number }[];
  /** Per hour, dims and RTT bucket. */
  rtt: { hn: number; code: number; rb: number; n: number }[];
  keys: [KeyCols, KeyCols];
  /** The main day's busy names, per hour. */
  denseHours: KeyCols;
  /**
   * Per row of keys[1] (names), four sums of one-byte fields holding its rows' hours (hours 0–5, 6–11, 12–17, 18–23):
   * exact for a quiet name's main-day row (each field < 200), meaningless for a busy one's; zeros elsewhere.
   */
  nameHourSums: Float64Array;
  /** Likewise seven sums of one-byte fields per row for its rows' RTT buckets (0–5, 6–11, …, 36–39). */
  nameRttSums: Float64Array;
  keyRtt: [KeyRttCols, KeyRttCols];
  sample: SampleRow[];
  /** Failed answers (NXDOMAIN, SERVFAIL, blocked) per name, client, hour and dims: the cause rollup's input. */
  failed: FailedCols;
}

const windowRows = (main: boolean) => `SELECT floor(date_part('epoch', timestamp) / 300)::int AS s5, floor(date_part('epoch', timestamp) / 3600)::int AS hn,
    floor(date_part('epoch', timestamp) / 86400)::int AS dn,
    ${main ? "CASE WHEN timestamp >= $4 AND timestamp < $5 THEN -1 ELSE floor(date_part('epoch', timestamp) / 3600)::int END" : "floor(date_part('epoch', timestamp) / 3600)::int"} AS kh,
    ${CODE} AS code, coalesce(array_position($3::text[], coalesce(server, '')::text), 0) AS srv, client_ip, qname,
    CASE WHEN response_rtt IS NOT NULL THEN ${RTT_BUCKET_SQL} END AS rb, dlid,
    CASE WHEN ${FAILED_SQL} THEN qname END AS fq, CASE WHEN ${FAILED_SQL} THEN client_ip END AS fc
  FROM dns_logs WHERE dlid > $1 AND dlid <= $2 OFFSET 0`;

/** The hours of a group's rows as four sums of one-byte fields (hours 0–5, 6–11, 12–17, 18–23): exact below 256 a field. */
// (sums of float8, exact below 2^53, whose transition is a plain value: sum(int8) allocates a state per group and
// aggregate, a day's ~10^6 of them)
const byteSums = (col: string, n: number) => Array.from({ length: n }, (_, q) => `sum((1::bigint << (8 * (${col} % 6)))::float8) FILTER (WHERE ${col} / 6 = ${q})`).join(", ");
const HOUR_SUMS = byteSums("(hn % 24)", 4);
/** The RTT buckets of a group's rows likewise (seven sums: buckets 0–41). */
export const RTT_SUM_COLS = 7;
const RTT_SUMS = byteSums("rb", RTT_SUM_COLS);

/** Hash aggregates of a day's rows need more than the default 4 MB of work_mem (SET LOCAL: this transaction only). */
export async function run(db: Db, sql: string, values: unknown[]): Promise<unknown[][]> {
  const pool = db as Db & { connect?: () => Promise<Db & { release(): void }>; totalCount?: number };
  const c = typeof pool.connect === "function" && pool.totalCount !== undefined ? await pool.connect() : null;
  const h = (c ?? db) as Db & { query(cfg: { text: string; values: unknown[]; rowMode: "array" }): Promise<{ rows: unknown[][] }> };
  try {
    await h.query("BEGIN");
    await h.query("SET LOCAL work_mem = '128MB'");
    const { rows } = await h.query({ text: sql, values, rowMode: "array" });
    await h.query("COMMIT");
    return rows;
  } catch (err) {
    await h.query("ROLLBACK").catch(() => {});
    throw err;
  } finally {
    c?.release();
  }
}

function keyCols(rows: unknown[][], filter?: (r: unknown[]) => boolean): KeyCols {
  const sel = filter ? rows.filter(filter) : rows;
  const out: KeyCols = { key: new Array(sel.length), dn: new Int32Array(sel.length), hn: new Int32Array(sel.length), code: new Float64Array(sel.length), n: new Int32Array(sel.length) };
  sel.forEach((r, i) => {
    out.key[i] = r[1] as string;
    out.dn[i] = r[2] as number;
    out.hn[i] = r[3] as number;
    out.code[i] = Number(r[4]);
    out.n[i] = r[5] as number;
  });
  return out;
}

function rttCols(rows: unknown[][]): KeyRttCols {
  const out: KeyRttCols = { key: new Array(rows.length), dn: new Int32Array(rows.length), srv: new Int32Array(rows.length), rb: new Int32Array(rows.length), n: new Int32Array(rows.length) };
  rows.forEach((r, i) => {
    out.key[i] = r[1] as string;
    out.dn[i] = r[2] as number;
    out.srv[i] = r[3] as number;
    out.rb[i] = r[4] as number;
    out.n[i] = r[5] as number;
  });
  return out;
}

/** `db` should be a pool (the statements run side by side); each statement is one primary-key range scan. */
export async function readWindow(db: Db, lo: number, hi: number, mainDay: string | null, servers: string[]): Promise<WindowData> {
  const dayStart = mainDay ? new Date(`${mainDay}T00:00:00Z`) : null;
  const args = dayStart ? [lo, hi, servers, dayStart, new Date(dayStart.getTime() + 86_400_000)] : [lo, hi, servers];
  const w = windowRows(!!mainDay);
  // GROUPING(...) in the first column tells the sets of a pass apart.
  const [sigClient, names, rtts, sample] = await Promise.all([
    run(db, `SELECT GROUPING(s5, client_ip), s5, client_ip, hn, dn, code, count(*)::int, min(dlid), max(dlid) FROM (${w}) w GROUP BY GROUPING SETS ((s5, code), (client_ip, hn, dn, code))`, args),
    // per name (the first set); and the failed answers per name, client and hour for the cause rollup (the second
    // set: every other row falls into a few (NULL, NULL, hour, code) groups, dropped by HAVING) — one scan for both
    run(
      db,
      `SELECT GROUPING(qname, fq), qname, dn, kh, code, count(*)::int, fq, fc, hn, ${HOUR_SUMS}, ${RTT_SUMS} FROM (${w}) w WHERE qname IS NOT NULL
        GROUP BY GROUPING SETS ((qname, dn, kh, code), (fq, fc, hn, code)) HAVING GROUPING(fq) = 1 OR fq IS NOT NULL`,
      args,
    ),
    run(
      db,
      `SELECT GROUPING(hn, client_ip, qname), hn, client_ip, qname, dn, srv, code, rb, count(*)::int FROM (${w}) w WHERE rb IS NOT NULL
        GROUP BY GROUPING SETS ((hn, code, rb), (client_ip, dn, srv, rb), (qname, dn, srv, rb))
       HAVING GROUPING(qname) = 1 OR (qname IS NOT NULL AND max(kh) >= 0)`,
      args,
    ),
    run(
      db,
      `SELECT dlid, timestamp, ${CODE}, client_ip, qname, response_rtt FROM dns_logs WHERE dlid > $1 AND dlid <= $2 AND hashint8(dlid::bigint) & ${SAMPLE_EVERY - 1} = 0`,
      [lo, hi, servers],
    ),
  ]);
  const out: WindowData = {
    servers,
    newServers: [],
    maxTs: null,
    sigs: [],
    rtt: [],
    keys: [keyCols([]), keyCols([])],
    denseHours: keyCols([]),
    nameHourSums: new Float64Array(0),
    nameRttSums: new Float64Array(0),
    keyRtt: [rttCols([]), rttCols([])],
    sample: [],
    failed: failedCols([]),
  };
  let maxSlot = -1;
  let unknown = false;
  const clients: unknown[][] = [];
  for (const r of sigClient) {
    if (r[0] === 1) {
      // (s5, code)
      const code = Number(r[5]);
      if (code < 2 ** 45) unknown = true;
      out.sigs.push({ s5: r[1] as number, code, n: r[6] as number, lo: Number(r[7]), hi: Number(r[8]) });
      maxSlot = Math.max(maxSlot, r[1] as number);
    } else clients.push([0, r[2], r[4], r[3], r[5], r[6]]);
  }
  if (unknown) {
    const { rows } = await db.query(`SELECT DISTINCT coalesce(server, '')::text AS s FROM dns_logs WHERE dlid > $1 AND dlid <= $2 AND NOT (coalesce(server, '')::text = ANY($3::text[]))`, [lo, hi, servers]);
    out.newServers = rows.map((r) => r.s);
    return out;
  }
  if (maxSlot >= 0) out.maxTs = new Date(maxSlot * 300_000);
  // clients are few: always per hour (busy clients keep their hours, the rest is summed per day by the writer)
  out.keys[0] = keyCols(clients);
  const nameRows = names.filter((r) => r[0] === 1);
  out.keys[1] = keyCols(nameRows);
  out.failed = failedCols(names.filter((r) => r[0] === 2));
  const crtt: unknown[][] = [];
  const nrtt: unknown[][] = [];
  for (const r of rtts) {
    // GROUPING(hn, client_ip, qname): 3 → (hn, …), 5 → client_ip, 6 → qname
    if (r[0] === 3) out.rtt.push({ hn: r[1] as number, code: Number(r[6]), rb: r[7] as number, n: r[8] as number });
    else if (r[0] === 5) crtt.push([0, r[2], r[4], r[5], r[7], r[8]]);
    else nrtt.push([0, r[3], r[4], r[5], r[7], r[8]]);
  }
  out.keyRtt = [rttCols(crtt), rttCols(nrtt)];
  out.sample = sample.map((r) => ({ dlid: Number(r[0]), ts: r[1] as Date, code: Number(r[2]), client: r[3] as string, qname: r[4] as string | null, rtt: r[5] === null ? null : Number(r[5]) }));
  if (!mainDay) return out;
  // The main day's quiet names' hours, as summed in the names pass; the busy names' from a second pass over the window
  // (their rows only).
  const sums = new Float64Array(nameRows.length * 4);
  const rttSums = new Float64Array(nameRows.length * RTT_SUM_COLS);
  const totals = new Map<string, number>();
  nameRows.forEach((r, i) => {
    if (r[3] !== -1) return;
    totals.set(r[1] as string, (totals.get(r[1] as string) ?? 0) + (r[5] as number));
    for (let q = 0; q < 4; q++) if (r[9 + q] !== null) sums[i * 4 + q] = Number(r[9 + q]);
    for (let q = 0; q < RTT_SUM_COLS; q++) if (r[13 + q] !== null) rttSums[i * RTT_SUM_COLS + q] = Number(r[13 + q]);
  });
  out.nameHourSums = sums;
  out.nameRttSums = rttSums;
  const dense = [...totals].filter(([, n]) => n >= DENSE_DAY).map(([key]) => key);
  if (!dense.length) return out;
  const rows = await run(
    db,
    `SELECT GROUPING(rb), qname, dn, hn, code, count(*)::int, srv, rb FROM (${w}) w
      WHERE kh = -1 AND qname = ANY($6::text[])
      GROUP BY GROUPING SETS ((qname, dn, hn, code), (qname, dn, srv, rb))
     HAVING NOT (GROUPING(rb) = 0 AND rb IS NULL)`,
    [...args, dense],
  );
  out.denseHours = keyCols(rows, (r) => r[0] === 1);
  const more = rttCols(rows.filter((r) => r[0] === 0).map((r) => [0, r[1], r[2], r[6], r[7], r[5]]));
  const kr = out.keyRtt[1];
  out.keyRtt[1] = {
    key: [...kr.key, ...more.key],
    dn: Int32Array.from([...kr.dn, ...more.dn]),
    srv: Int32Array.from([...kr.srv, ...more.srv]),
    rb: Int32Array.from([...kr.rb, ...more.rb]),
    n: Int32Array.from([...kr.n, ...more.n]),
  };
  return out;
}
