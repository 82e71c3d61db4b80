/**
 * Writing one rollup step into dnsdeck's database, inside the caller's transaction: signature cubes (per day with
 * hourly columns, per hour with 5-minute columns, RTT histograms, hour spans), the per-key rows (packed when the step
 * covered a whole day, hot otherwise), the day's top lists, the sample and the day ledger. Upserts only touch
 * non-indexed columns of tables with free space per page (fillfactor), so they stay heap-only and PostgreSQL prunes
 * the old versions as it goes; dnsdeck also vacuums these tables itself (autovacuum may be off). Pure apart from the
 * handle it is given.
 */
import type { Db } from "./db-types";
import { CLIENTS, type KeyCache, keyIds, type Kind, NAMES } from "./dictionary";
import { packDay, poolFor, topLists, type DayKeyData } from "./rollup-pack";
import type { WindowData } from "./rollup-read";
import { RTT_BUCKETS, RTT_COLS } from "./rtt";
import { dimsKey, ensureSigs, type SigDict } from "./sigs";

export const ROLLUP_VERSION = 2;
const HCOLS = Array.from({ length: 24 }, (_, i) => `h${String(i).padStart(2, "0")}`);
const MCOLS = Array.from({ length: 12 }, (_, i) => `m${String(i).padStart(2, "0")}`);

/**
 * INSERT … SELECT FROM unnest(arrays) ON CONFLICT (keys) DO UPDATE: value columns are added (or, for a third element
 * "least"/"greatest", combined with that function).
 */
async function upsertAdd(db: Db, table: string, keys: [string, string][], values: ([string, string] | [string, string, "least" | "greatest"])[], rows: unknown[][]): Promise<void> {
  if (!rows.length) return;
  const cols = [...keys, ...values];
  const arrays = cols.map((_, i) => rows.map((r) => r[i]));
  const sets = values.map(([c, , fn]) => (fn ? `${c} = ${fn}(t.${c}, EXCLUDED.${c})` : `${c} = t.${c} + EXCLUDED.${c}`));
  await db.query(
    `INSERT INTO ${table} AS t (${cols.map(([c]) => c).join(", ")})
     SELECT * FROM unnest(${cols.map(([, type], i) => `$${i + 1}::${type}[]`).join(", ")})
     ON CONFLICT (${keys.map(([c]) => c).join(", ")}) DO UPDATE SET ${sets.join(", ")}`,
    arrays,
  );
}

const dayOf = (d: Date) => d.toISOString().slice(0, 10);

export interface WriteResult {
  dict: SigDict;
  ids: [Map<string, number>, Map<string, number>];
  rows: number;
}

export async function writeWindow(db: Db, data: WindowData, mainDay: string | null, dictIn: SigDict, cache: KeyCache): Promise<WriteResult> {
  // Signatures and instance ids for everything in the step.
  const seen: [string, number, number, number, number][] = [];
  for (const r of [...data.sigs, ...data.rtt]) seen.push([r.server, r.rt, r.rcode, r.qtype, r.proto]);
  const dict = await ensureSigs(db, dictIn, seen);
  const sigOf = (r: { server: string; rt: number; rcode: number; qtype: number; proto: number }) => {
    const id = dict.byDims.get(dimsKey(dict.serverIds.get(r.server) ?? -1, r.rt, r.rcode, r.qtype, r.proto));
    if (id === undefined) throw new Error(`no signature for ${r.server}/${r.rt}/${r.rcode}/${r.qtype}/${r.proto}`);
    return id;
  };
  const serverId = (s: string) => dict.serverIds.get(s) as number;

  // Key ids (clients, names) for the per-key rows and the sample.
  const texts: [Set<string>, Set<string>] = [new Set(), new Set()];
  for (const kind of [CLIENTS, NAMES]) for (const r of data.keys[kind]) texts[kind].add(r.key);
  for (const s of data.sample) {
    texts[CLIENTS].add(s.client);
    if (s.qname !== null) texts[NAMES].add(s.qname);
  }
  const ids: [Map<string, number>, Map<string, number>] = [await keyIds(db, CLIENTS, texts[CLIENTS], cache), await keyIds(db, NAMES, texts[NAMES], cache)];

  // Signature cubes.
  const day = new Map<string, { day: string; sig: number; n: number; h: number[] }>();
  const m5 = new Map<string, { hour: Date; sig: number; n: number; m: number[] }>();
  const span = new Map<string, { hour: Date; server: number; n: number; lo: number; hi: number }>();
  const perDay = new Map<string, number>();
  let rows = 0;
  for (const r of data.sigs) {
    const sig = sigOf(r);
    const d = dayOf(r.hour);
    rows += r.n;
    perDay.set(d, (perDay.get(d) ?? 0) + r.n);
    const dk = `${d}|${sig}`;
    const a = day.get(dk) ?? { day: d, sig, n: 0, h: new Array(24).fill(0) };
    a.n += r.n;
    a.h[r.hour.getUTCHours()] += r.n;
    day.set(dk, a);
    const mk = `${r.hour.toISOString()}|${sig}`;
    const b = m5.get(mk) ?? { hour: r.hour, sig, n: 0, m: new Array(12).fill(0) };
    b.n += r.n;
    b.m[r.m5] += r.n;
    m5.set(mk, b);
    const sk = `${r.hour.toISOString()}|${r.server}`;
    const c = span.get(sk) ?? { hour: r.hour, server: serverId(r.server), n: 0, lo: r.lo, hi: r.hi };
    c.n += r.n;
    c.lo = Math.min(c.lo, r.lo);
    c.hi = Math.max(c.hi, r.hi);
    span.set(sk, c);
  }
  await upsertAdd(db, "querylog_sig_day", [["day", "date"], ["sig", "smallint"]], [["n", "bigint"], ...HCOLS.map((c) => [c, "int"] as [string, string])], [...day.values()].map((a) => [a.day, a.sig, a.n, ...a.h]));
  await upsertAdd(db, "querylog_sig_5m", [["hour", "timestamptz"], ["sig", "smallint"]], [["n", "int"], ...MCOLS.map((c) => [c, "int"] as [string, string])], [...m5.values()].map((a) => [a.hour, a.sig, a.n, ...a.m]));
  await upsertAdd(db, "querylog_hour_span", [["hour", "timestamptz"], ["server_id", "smallint"]], [["n", "bigint"], ["min_dlid", "bigint", "least"], ["max_dlid", "bigint", "greatest"]], [...span.values()].map((a) => [a.hour, a.server, a.n, a.lo, a.hi]));

  const rttDay = new Map<string, { key: string | Date; sig: number; b: number[] }>();
  const rttHour = new Map<string, { key: string | Date; sig: number; b: number[] }>();
  for (const r of data.rtt) {
    const sig = sigOf(r);
    for (const [m, key] of [[rttDay, dayOf(r.hour)], [rttHour, r.hour]] as const) {
      const k = `${key instanceof Date ? key.toISOString() : key}|${sig}`;
      const a = m.get(k) ?? { key, sig, b: new Array(RTT_BUCKETS).fill(0) };
      a.b[r.bucket] += r.n;
      m.set(k, a);
    }
  }
  const bcols = RTT_COLS.map((c) => [c, "int"] as [string, string]);
  await upsertAdd(db, "querylog_rtt_day", [["day", "date"], ["sig", "smallint"]], bcols, [...rttDay.values()].map((a) => [a.key, a.sig, ...a.b]));
  await upsertAdd(db, "querylog_rtt_hour", [["hour", "timestamptz"], ["sig", "smallint"]], bcols, [...rttHour.values()].map((a) => [a.key, a.sig, ...a.b]));

  // Per-key rows: the main day packed, everything else hot.
  const hotRows = new Map<string, number>();
  for (const kind of [CLIENTS, NAMES] as Kind[]) {
    const idOf = (t: string) => ids[kind].get(t) as number;
    const hot = data.keys[kind].filter((r) => r.day !== mainDay);
    if (hot.length) {
      const agg = new Map<string, [number, Date, number, number]>();
      for (const r of hot) {
        const k = `${r.key}|${r.hour!.toISOString()}|${sigOf(r)}`;
        const a = agg.get(k) ?? [idOf(r.key), r.hour!, sigOf(r), 0];
        a[3] += r.n;
        agg.set(k, a);
        if (kind === CLIENTS) hotRows.set(r.day, (hotRows.get(r.day) ?? 0) + r.n);
      }
      await upsertAdd(db, "querylog_key_hot", [["kind", "smallint"], ["key_id", "int"], ["hour", "timestamptz"], ["sig", "smallint"]], [["n", "int"]], [...agg.values()].map((a) => [kind, ...a]));
    }
    const hotRtt = data.keyRtt[kind].filter((r) => r.day !== mainDay);
    await upsertAdd(db, "querylog_key_hot_rtt", [["kind", "smallint"], ["key_id", "int"], ["day", "date"], ["server_id", "smallint"], ["bucket", "smallint"]], [["n", "int"]], hotRtt.map((r) => [kind, idOf(r.key), r.day, serverId(r.server), r.bucket, r.n]));
    if (mainDay) {
      // The main day per key and signature (clients arrive per hour: summed here, their hours kept for the busy ones).
      const main = data.keys[kind].filter((r) => r.day === mainDay);
      const perDay = new Map<string, { key: number; sig: number; n: number }>();
      for (const r of main) {
        const e = { key: idOf(r.key), sig: sigOf(r), n: 0 };
        const k = `${e.key}|${e.sig}`;
        const a = perDay.get(k) ?? e;
        a.n += r.n;
        perDay.set(k, a);
      }
      const hourly = kind === CLIENTS ? main : data.denseHours[kind];
      const dayData: DayKeyData = {
        day: [...perDay.values()],
        hours: hourly.map((r) => ({ key: idOf(r.key), hour: r.hour!.getUTCHours(), sig: sigOf(r), n: r.n })),
        rtt: data.keyRtt[kind].filter((r) => r.day === mainDay).map((r) => ({ key: idOf(r.key), server: serverId(r.server), bucket: r.bucket, n: r.n })),
      };
      const textOf = new Map([...ids[kind]].map(([t, id]) => [id, t]));
      await insertPacked(db, kind, mainDay, dayData, poolFor(kind, textOf), dict);
    }
  }

  if (data.sample.length)
    await db.query(
      `INSERT INTO querylog_sample (dlid, ts, sig, client_id, name_id, rtt)
       SELECT * FROM unnest($1::bigint[], $2::timestamptz[], $3::smallint[], $4::int[], $5::int[], $6::real[]) ON CONFLICT (dlid) DO NOTHING`,
      [
        data.sample.map((s) => s.dlid), data.sample.map((s) => s.ts), data.sample.map((s) => sigOf(s)), data.sample.map((s) => ids[CLIENTS].get(s.client)),
        data.sample.map((s) => (s.qname === null ? null : ids[NAMES].get(s.qname))), data.sample.map((s) => s.rtt),
      ],
    );

  // The day ledger: rows per day, how many went to the hot tables, packed days.
  const days = [...perDay.keys()];
  if (days.length)
    await db.query(
      `INSERT INTO querylog_days AS t (day, version, packed, hot_rows, rows)
       SELECT d, $4, coalesce(d = $5::date, false), h, n FROM unnest($1::date[], $2::bigint[], $3::bigint[]) AS u(d, n, h)
       ON CONFLICT (day) DO UPDATE SET rows = t.rows + EXCLUDED.rows, hot_rows = t.hot_rows + EXCLUDED.hot_rows, packed = t.packed OR EXCLUDED.packed`,
      [days, days.map((d) => perDay.get(d)), days.map((d) => hotRows.get(d) ?? 0), ROLLUP_VERSION, mainDay],
    );
  return { dict, ids, rows };
}

/** Packed rows and top lists of one day (the day must not be packed yet). */
export async function insertPacked(db: Db, kind: Kind, day: string, data: DayKeyData, poolOf: (key: number) => number, dict: SigDict): Promise<void> {
  const packed = packDay(kind, data, poolOf);
  if (packed.length)
    await db.query(
      `INSERT INTO querylog_key_day (kind, grp, day, h, r, d) SELECT $1, g, $2::date, h, r, d FROM unnest($3::int[], $4::bytea[], $5::bytea[], $6::bytea[]) AS u(g, h, r, d)`,
      [kind, day, packed.map((p) => p.grp), packed.map((p) => p.h), packed.map((p) => p.r), packed.map((p) => p.d)],
    );
  const tops = topLists(kind, data.day, dict);
  if (tops.length)
    await db.query(
      `INSERT INTO querylog_top_day (day, kind, slice, keys, rest) SELECT $1::date, $2, s, k, r FROM unnest($3::int[], $4::bytea[], $5::int[]) AS u(s, k, r)
       ON CONFLICT (day, kind, slice) DO NOTHING`,
      [day, kind, tops.map((t) => t.slice), tops.map((t) => t.keys), tops.map((t) => t.rest)],
    );
}
