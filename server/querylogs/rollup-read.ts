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

const DIMS = "server, rt, rcode, qtype, proto";
/**
 * The window's rows with what every grouping needs. Times are whole numbers of 5-minute slots, hours and days since
 * the epoch (UTC by construction, no time-zone conversion per row); kh is the hour outside the main day, NULL inside.
 */
const windowRows = (main: boolean) => `SELECT floor(date_part('epoch', timestamp) / 300)::int AS s5, floor(date_part('epoch', timestamp) / 3600)::int AS hn,
    floor(date_part('epoch', timestamp) / 86400)::int AS dn,
    ${main ? "CASE WHEN timestamp >= $3 AND timestamp < $4 THEN NULL ELSE floor(date_part('epoch', timestamp) / 3600)::int END" : "floor(date_part('epoch', timestamp) / 3600)::int"} AS kh,
    coalesce(server, '') AS server, response_type AS rt, rcode, coalesce(qtype, -1) AS qtype, protocol AS proto, client_ip, qname,
    CASE WHEN response_rtt IS NOT NULL THEN ${RTT_BUCKET_SQL} END AS rb, dlid
  FROM dns_logs WHERE dlid > $1 AND dlid <= $2`;

/** One aggregate per rollup table family; each is a single pass over the window's primary-key range. */
// Three passes over the window, each a set of hash aggregates (OFFSET 0 keeps the per-row expressions computed once):
//   sig+client  per 5-minute slot and signature (with dlid range) / per client, hour and signature — clients are few,
//               so always per hour (busy clients keep their hours, the rest is summed per day);
//   name        per name, day (or hour outside the main day) and signature;
//   rtt         Recursive RTT buckets per hour and signature / per client and day / per name and day outside the main
//               day (the main day's busy names get theirs in the second pass).
const PASSES: Record<string, { sets: string[][]; where?: string; having?: string }> = {
  sigClient: { sets: [["s5"], ["client_ip", "hn", "dn"]] },
  name: { sets: [["qname", "dn", "kh"]], where: "qname IS NOT NULL" },
  rtt: { sets: [["hn", "rb"], ["client_ip", "dn", "rb"], ["qname", "dn", "rb"]], where: "rb IS NOT NULL", having: "GROUPING(qname) = 1 OR (qname IS NOT NULL AND max(kh) IS NOT NULL)" },
};
/** The columns a pass groups by (besides the signature's), in GROUPING() order. */
const passCols = (pass: string) => [...new Set(PASSES[pass].sets.flat())];
/** GROUPING(cols…) of a set: 1-bits for the columns the set does not group by. */
const setBits = (pass: string, set: string[]) => passCols(pass).reduce((m, c, i, all) => m | (set.includes(c) ? 0 : 1 << (all.length - 1 - i)), 0);

const HOUR = 3_600_000;
const dayText = (dn: number) => new Date(dn * 86_400_000).toISOString().slice(0, 10);

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

/** `db` should be a pool (the statements run side by side); each statement is one primary-key range scan. */
export async function readWindow(db: Db, lo: number, hi: number, mainDay: string | null): Promise<WindowData> {
  const dayStart = mainDay ? new Date(`${mainDay}T00:00:00Z`) : null;
  const args = dayStart ? [lo, hi, dayStart, new Date(dayStart.getTime() + 86_400_000)] : [lo, hi];
  // RTT sets group by instance only for clients and names (their histograms are per instance), by signature otherwise.
  const setSql = (pass: string, set: string[]) => `(${[...set, ...(pass === "rtt" && set[0] !== "hn" ? ["server"] : DIMS.split(", "))].join(", ")})`;
  const sel = (pass: string) => `SELECT ${PASSES[pass].sets.length > 1 ? `GROUPING(${passCols(pass).join(", ")})` : "0"} AS g, ${passCols(pass).join(", ")}, ${DIMS},
            count(*) AS n, min(dlid) AS lo, max(dlid) AS hi
       FROM (${windowRows(!!mainDay)} OFFSET 0) w ${PASSES[pass].where ? `WHERE ${PASSES[pass].where}` : ""}
      GROUP BY GROUPING SETS (${PASSES[pass].sets.map((s) => setSql(pass, s)).join(", ")}) ${PASSES[pass].having ? `HAVING ${PASSES[pass].having}` : ""}`;
  const [sigClient, names, rtts, sample] = await Promise.all([
    ...["sigClient", "name", "rtt"].map((pass) => withWorkMem(db, (c) => c.query(sel(pass), args))),
    db.query(
      `SELECT dlid, timestamp AS ts, coalesce(server, '') AS server, response_type AS rt, rcode, coalesce(qtype, -1) AS qtype, protocol AS proto, client_ip AS client, qname, response_rtt AS rtt
         FROM dns_logs WHERE dlid > $1 AND dlid <= $2 AND hashint8(dlid::bigint) & ${SAMPLE_EVERY - 1} = 0`,
      [lo, hi],
    ),
  ]);
  const out: WindowData = { maxTs: null, sigs: [], rtt: [], keys: [[], []], denseHours: [[], []], keyRtt: [[], []], sample: [] };
  const G = { sig: setBits("sigClient", ["s5"]), client: setBits("sigClient", ["client_ip", "hn", "dn"]), rtt: setBits("rtt", ["hn", "rb"]), crtt: setBits("rtt", ["client_ip", "dn", "rb"]), nrtt: setBits("rtt", ["qname", "dn", "rb"]) };
  const sigs = sigClient.rows.filter((r) => r.g === G.sig);
  const clients = sigClient.rows.filter((r) => r.g === G.client);
  const rtt = rtts.rows.filter((r) => r.g === G.rtt);
  const crtt = rtts.rows.filter((r) => r.g === G.crtt);
  const nrtt = rtts.rows.filter((r) => r.g === G.nrtt);
  let maxSlot = -1;
  for (const r of sigs) {
    const t = r.s5 * 300_000;
    out.sigs.push({ hour: new Date(Math.floor(t / HOUR) * HOUR), m5: r.s5 % 12, server: r.server, rt: r.rt, rcode: r.rcode, qtype: r.qtype, proto: r.proto, n: Number(r.n), lo: Number(r.lo), hi: Number(r.hi) });
    maxSlot = Math.max(maxSlot, r.s5);
  }
  // (the start of the newest 5-minute slot: a lower bound of the newest timestamp, which is what closing days needs)
  if (maxSlot >= 0) out.maxTs = new Date(maxSlot * 300_000);
  for (const r of rtt) out.rtt.push({ hour: new Date(r.hn * HOUR), server: r.server, rt: r.rt, rcode: r.rcode, qtype: r.qtype, proto: r.proto, bucket: r.rb, n: Number(r.n) });
  for (const r of clients) out.keys[0].push({ key: r.client_ip, day: dayText(r.dn), hour: new Date(r.hn * HOUR), server: r.server, rt: r.rt, rcode: r.rcode, qtype: r.qtype, proto: r.proto, n: Number(r.n) });
  const nameTotals = new Map<string, number>();
  for (const r of names.rows) {
    const n = Number(r.n);
    out.keys[1].push({ key: r.qname, day: dayText(r.dn), hour: r.kh === null ? null : new Date(r.kh * HOUR), server: r.server, rt: r.rt, rcode: r.rcode, qtype: r.qtype, proto: r.proto, n });
    if (r.kh === null) nameTotals.set(r.qname, (nameTotals.get(r.qname) ?? 0) + n);
  }
  for (const [kind, res] of [[0, crtt], [1, nrtt]] as const) for (const r of res) out.keyRtt[kind].push({ key: kind === 0 ? r.client_ip : r.qname, day: dayText(r.dn), server: r.server, bucket: r.rb, n: Number(r.n) });
  out.sample = sample.rows.map((r) => ({ dlid: Number(r.dlid), ts: new Date(r.ts), server: r.server, rt: r.rt, rcode: r.rcode, qtype: r.qtype, proto: r.proto, client: r.client, qname: r.qname, rtt: r.rtt === null ? null : Number(r.rtt) }));
  if (!mainDay) return out;
  // Hourly detail and RTT for the main day's busy names (a second pass over the window, only their rows).
  const dense = [...nameTotals].filter(([, n]) => n >= DENSE_DAY).map(([k]) => k);
  if (!dense.length) return out;
  const { rows } = await withWorkMem(db, (c) =>
    c.query(
      `SELECT GROUPING(rb) AS g, qname, hn, rb, ${DIMS}, count(*) AS n FROM (${windowRows(true)}) w
        WHERE kh IS NULL AND qname = ANY($5::text[])
        GROUP BY GROUPING SETS ((qname, hn, ${DIMS}), (qname, server, rb))
       HAVING NOT (GROUPING(rb) = 0 AND rb IS NULL)`,
      [...args, dense],
    ),
  );
  for (const r of rows) {
    if (r.g === 0) out.keyRtt[1].push({ key: r.qname, day: mainDay, server: r.server, bucket: r.rb, n: Number(r.n) });
    else out.denseHours[1].push({ key: r.qname, day: mainDay, hour: new Date(r.hn * HOUR), server: r.server, rt: r.rt, rcode: r.rcode, qtype: r.qtype, proto: r.proto, n: Number(r.n) });
  }
  return out;
}
