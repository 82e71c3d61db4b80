/**
 * What one rollup step reads from dns_logs: aggregates of the rows with lo < dlid ≤ hi (a primary-key range) — one
 * pass with GROUPING SETS for the signature cubes, RTT histograms, per-key counts and per-key RTT, then a second pass
 * for the hourly detail of the main day's busy keys. `mainDay` is a UTC day the window covers completely (catch-up):
 * its per-key rows come back per day; every other row per hour, for the hot tables. Pure apart from the handle.
 */
import type { Db } from "./db-types";
import { RTT_BUCKET_SQL } from "./rtt";

/** A key with at least this many rows in a day gets its own packed row with hourly detail. */
export const DENSE_DAY = 200;
/** One row in SAMPLE_EVERY goes to querylog_sample (chosen by a hash of dlid). */
export const SAMPLE_EVERY = 128;

export interface SigRow {
  hour: Date;
  m5: number;
  server: string;
  rt: number;
  rcode: number;
  qtype: number;
  proto: number;
  n: number;
  lo: number;
  hi: number;
}
export interface RttRow {
  hour: Date;
  server: string;
  rt: number;
  rcode: number;
  qtype: number;
  proto: number;
  bucket: number;
  n: number;
}
/** Per key: `hour` set → one hour (hot); `hour` null → the whole main day. */
export interface KeyRow {
  key: string;
  day: string;
  hour: Date | null;
  server: string;
  rt: number;
  rcode: number;
  qtype: number;
  proto: number;
  n: number;
}
export interface KeyRttRow {
  key: string;
  day: string;
  server: string;
  bucket: number;
  n: number;
}
export interface SampleRow {
  dlid: number;
  ts: Date;
  server: string;
  rt: number;
  rcode: number;
  qtype: number;
  proto: number;
  client: string;
  qname: string | null;
  rtt: number | null;
}

export interface WindowData {
  /** Newest timestamp in the window. */
  maxTs: Date | null;
  sigs: SigRow[];
  rtt: RttRow[];
  keys: [KeyRow[], KeyRow[]];
  /** Busy keys of the main day: hourly rows (`hour` set). */
  denseHours: [KeyRow[], KeyRow[]];
  keyRtt: [KeyRttRow[], KeyRttRow[]];
  sample: SampleRow[];
}

/** 'YYYY-MM-DD HH:MM:SS' (UTC wall clock, as text) → Date. */
export const utcHour = (v: unknown) => new Date(`${String(v).replace(" ", "T")}Z`);

const T = `(timestamp AT TIME ZONE 'UTC')`;
const DIMS = "server, rt, rcode, qtype, proto";
/** The window's rows with the columns every grouping needs (hours and days in UTC wall-clock time). */
const windowRows = (isMain: string) => `SELECT date_trunc('hour', ${T}) AS hr, (extract(minute FROM ${T})::int / 5) AS m5, ${T}::date AS day,
    CASE WHEN ${isMain} THEN NULL ELSE date_trunc('hour', ${T}) END AS khour,
    coalesce(server, '') AS server, response_type AS rt, rcode, coalesce(qtype, -1) AS qtype, protocol AS proto, client_ip, qname,
    CASE WHEN response_rtt IS NOT NULL THEN ${RTT_BUCKET_SQL} END AS rb, dlid, timestamp
  FROM dns_logs WHERE dlid > $1 AND dlid <= $2`;

/** One aggregate per rollup table family; each is a single pass over the window's primary-key range. */
const AGGS: Record<string, { cols: string; where?: string }> = {
  sig: { cols: `hr, m5, ${DIMS}` },
  rtt: { cols: `hr, ${DIMS}, rb`, where: "rb IS NOT NULL" },
  client: { cols: `client_ip, day, khour, ${DIMS}` },
  name: { cols: `qname, day, khour, ${DIMS}`, where: "qname IS NOT NULL" },
  crtt: { cols: "client_ip, day, server, rb", where: "rb IS NOT NULL" },
  nrtt: { cols: "qname, day, server, rb", where: "rb IS NOT NULL AND qname IS NOT NULL" },
};

/** Hash aggregates of a day's rows need more than the default 4 MB of work_mem (SET LOCAL: this statement only). */
async function withWorkMem<T>(db: Db, fn: (c: Db) => Promise<T>): Promise<T> {
  const pool = db as Db & { connect?: () => Promise<Db & { release(): void }>; totalCount?: number };
  const c = typeof pool.connect === "function" && pool.totalCount !== undefined ? await pool.connect() : null;
  const h = c ?? db;
  try {
    await h.query("BEGIN");
    await h.query("SET LOCAL work_mem = '128MB'");
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

/** `db` should be a pool (two statements run side by side); each statement is one primary-key range scan. */
export async function readWindow(db: Db, lo: number, hi: number, mainDay: string | null): Promise<WindowData> {
  const isMain = mainDay ? `${T} >= $3::date AND ${T} < $3::date + 1` : "false";
  const args = mainDay ? [lo, hi, mainDay] : [lo, hi];
  const sel = (set: string) =>
    `SELECT ${AGGS[set].cols.replace(/\bhr\b/, "hr::text AS hr").replace(/\bday\b/, "day::text AS day").replace(/\bkhour\b/, "khour::text AS khour")},
            count(*) AS n${set === "sig" ? ", min(dlid) AS lo, max(dlid) AS hi, max(timestamp) AS ts" : ""}
       FROM (${windowRows(isMain)}) w ${AGGS[set].where ? `WHERE ${AGGS[set].where}` : ""} GROUP BY ${AGGS[set].cols}`;
  const [sigs, rtt, clients, names, crtt, nrtt, sample] = await Promise.all([
    ...["sig", "rtt", "client", "name", "crtt", "nrtt"].map((set) => withWorkMem(db, (c) => c.query(sel(set), args))),
    db.query(
      `SELECT dlid, timestamp AS ts, coalesce(server, '') AS server, response_type AS rt, rcode, coalesce(qtype, -1) AS qtype, protocol AS proto, client_ip AS client, qname, response_rtt AS rtt
         FROM dns_logs WHERE dlid > $1 AND dlid <= $2 AND hashint8(dlid::bigint) & ${SAMPLE_EVERY - 1} = 0`,
      [lo, hi],
    ),
  ]);
  const out: WindowData = { maxTs: null, sigs: [], rtt: [], keys: [[], []], denseHours: [[], []], keyRtt: [[], []], sample: [] };
  const totals: [Map<string, number>, Map<string, number>] = [new Map(), new Map()];
  for (const r of sigs.rows) {
    out.sigs.push({ hour: utcHour(r.hr), m5: r.m5, server: r.server, rt: r.rt, rcode: r.rcode, qtype: r.qtype, proto: r.proto, n: Number(r.n), lo: Number(r.lo), hi: Number(r.hi) });
    const ts = new Date(r.ts);
    if (!out.maxTs || ts > out.maxTs) out.maxTs = ts;
  }
  for (const r of rtt.rows) out.rtt.push({ hour: utcHour(r.hr), server: r.server, rt: r.rt, rcode: r.rcode, qtype: r.qtype, proto: r.proto, bucket: r.rb, n: Number(r.n) });
  for (const [kind, res] of [[0, clients], [1, names]] as const)
    for (const r of res.rows) {
      const key = kind === 0 ? r.client_ip : r.qname;
      const n = Number(r.n);
      out.keys[kind].push({ key, day: r.day, hour: r.khour ? utcHour(r.khour) : null, server: r.server, rt: r.rt, rcode: r.rcode, qtype: r.qtype, proto: r.proto, n });
      if (!r.khour) totals[kind].set(key, (totals[kind].get(key) ?? 0) + n);
    }
  for (const [kind, res] of [[0, crtt], [1, nrtt]] as const) for (const r of res.rows) out.keyRtt[kind].push({ key: kind === 0 ? r.client_ip : r.qname, day: r.day, server: r.server, bucket: r.rb, n: Number(r.n) });
  out.sample = sample.rows.map((r) => ({ dlid: Number(r.dlid), ts: new Date(r.ts), server: r.server, rt: r.rt, rcode: r.rcode, qtype: r.qtype, proto: r.proto, client: r.client, qname: r.qname, rtt: r.rtt === null ? null : Number(r.rtt) }));
  if (!mainDay) return out;
  // Hourly detail for the main day's busy keys (second pass, both kinds at once); their RTT stays, quiet keys' goes.
  const dense: [string[], string[]] = [[], []];
  for (const kind of [0, 1] as const) for (const [k, n] of totals[kind]) if (n >= DENSE_DAY) dense[kind].push(k);
  const keep: [Set<string>, Set<string>] = [new Set(dense[0]), new Set(dense[1])];
  for (const kind of [0, 1] as const) out.keyRtt[kind] = out.keyRtt[kind].filter((r) => r.day !== mainDay || keep[kind].has(r.key));
  if (!dense[0].length && !dense[1].length) return out;
  const { rows } = await withWorkMem(db, (c) => c.query(
    `SELECT hr::text AS hr, dc, dn, ${DIMS}, count(*) AS n FROM (
       SELECT hr, CASE WHEN client_ip = ANY($4::text[]) THEN client_ip END AS dc, CASE WHEN qname = ANY($5::text[]) THEN qname END AS dn, ${DIMS}
         FROM (${windowRows(isMain)}) w0 WHERE ${isMain}) w
      WHERE dc IS NOT NULL OR dn IS NOT NULL
      GROUP BY GROUPING SETS ((dc, hr, ${DIMS}), (dn, hr, ${DIMS}))
     HAVING (GROUPING(dc) = 0 AND dc IS NOT NULL) OR (GROUPING(dn) = 0 AND dn IS NOT NULL)`,
    [lo, hi, mainDay, dense[0], dense[1]],
  ));
  for (const r of rows) {
    const kind = r.dc !== null ? 0 : 1;
    out.denseHours[kind].push({ key: kind === 0 ? r.dc : r.dn, day: mainDay, hour: utcHour(r.hr), server: r.server, rt: r.rt, rcode: r.rcode, qtype: r.qtype, proto: r.proto, n: Number(r.n) });
  }
  return out;
}
