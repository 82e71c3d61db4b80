/**
 * Writing one rollup step into dnsdeck's database, inside the caller's transaction: signature cubes (per day with
 * hourly columns, per hour with 5-minute columns, RTT histograms, hour spans), the per-key rows (packed when the step
 * covered a whole day, hot otherwise), the day's top lists, the sample and the day ledger. Upserts only touch
 * non-indexed columns of tables with free space per page (fillfactor), so they stay heap-only and PostgreSQL prunes
 * the old versions as it goes; dnsdeck also vacuums these tables itself (autovacuum may be off). Aggregation keys are
 * numbers (hour and day numbers, signature ids), never strings per row. Pure apart from the handle it is given.
 */
import type { Db } from "./db-types";
import { CLIENTS, type KeyCache, keyIds, type Kind, NAMES, NETS } from "./dictionary";
import { netCols, netRttCols, ROLLED_KINDS } from "./nets";
import { packDay, poolFor, TOP_SLICES, topLists, type DayKeyData, type TopRow } from "./rollup-pack";
import { decodeDims, DENSE_DAY, type KeyCols, RTT_SUM_COLS, type WindowData } from "./rollup-read";
import { packSlots, poolRttCode } from "./pack";
import { RTT_BUCKETS, RTT_COLS } from "./rtt";
import { BLOCKED_TYPES, dimsKey, ensureSigs, type SigDict } from "./sigs";
import { upsertAdd } from "./upsert";
import { aggregateCauses, writeCauses } from "./rollup-causes";

export const ROLLUP_VERSION = 2;
const HCOLS = Array.from({ length: 24 }, (_, i) => `h${String(i).padStart(2, "0")}`);
export const MCOLS = Array.from({ length: 12 }, (_, i) => `m${String(i).padStart(2, "0")}`);
const HOUR = 3_600_000;
const DAY = 86_400_000;
const dayText = (dn: number) => new Date(dn * DAY).toISOString().slice(0, 10);

/** Accumulate n into a number → number map. */
const bump = (m: Map<number, number>, k: number, n: number) => m.set(k, (m.get(k) ?? 0) + n);

export interface WriteResult {
  dict: SigDict;
  ids: [Map<string, number>, Map<string, number>, Map<string, number>];
  rows: number;
}

/** `failedKinds`: the kind of each failed group's client (CLIENT_KINDS positions; unknown when absent). */
export async function writeWindow(db: Db, data: WindowData, mainDay: string | null, dictIn: SigDict, cache: KeyCache, failedKinds?: Int8Array): Promise<WriteResult> {
  // Signatures for every dims code in the step (all codes appear in the per-slot cube).
  const codes = new Set<number>(data.sigs.map((r) => r.code));
  const seen: [string, number, number, number, number][] = [...codes].map((c) => {
    const d = decodeDims(c);
    return [data.servers[d.srv - 1], d.rt, d.rcode, d.qtype, d.proto];
  });
  const dict = await ensureSigs(db, dictIn, seen);
  const sigByCode = new Map<number, number>();
  for (const c of codes) {
    const d = decodeDims(c);
    const id = dict.byDims.get(dimsKey(dict.serverIds.get(data.servers[d.srv - 1]) ?? -1, d.rt, d.rcode, d.qtype, d.proto));
    if (id === undefined) throw new Error(`no signature for dims ${JSON.stringify(d)}`);
    sigByCode.set(c, id);
  }
  const sigOf = (code: number) => {
    const s = sigByCode.get(code);
    if (s === undefined) throw new Error(`dims ${code} not in the step's signature cube`);
    return s;
  };
  const serverIdOf = (srv: number) => dict.serverIds.get(data.servers[srv - 1]) as number;

  // Key ids (clients, names) for the per-key rows and the sample.
  const texts: [Set<string>, Set<string>] = [new Set(data.keys[0].key), new Set(data.keys[1].key)];
  for (const s of data.sample) {
    texts[CLIENTS].add(s.client);
    if (s.qname !== null) texts[NAMES].add(s.qname);
  }
  // and the clients' networks (nets.ts), summed from the clients' groups
  const netKeys = netCols(data.keys[CLIENTS]);
  const netRtt = netRttCols(data.keyRtt[CLIENTS]);
  const ids: [Map<string, number>, Map<string, number>, Map<string, number>] = [
    await keyIds(db, CLIENTS, texts[CLIENTS], cache),
    await keyIds(db, NAMES, texts[NAMES], cache),
    await keyIds(db, NETS, new Set(netKeys.key), cache),
  ];

  // Signature cubes: per (day, sig) with hours, per (hour, sig) with 5-minute slots, per (hour, instance) spans.
  const day = new Map<number, { dn: number; sig: number; n: number; h: number[] }>();
  const m5 = new Map<number, { hn: number; sig: number; n: number; m: number[] }>();
  const span = new Map<number, { hn: number; server: number; n: number; lo: number; hi: number }>();
  const perDay = new Map<number, number>();
  let rows = 0;
  for (const r of data.sigs) {
    const sig = sigOf(r.code);
    const hn = Math.floor(r.s5 / 12);
    const dn = Math.floor(hn / 24);
    rows += r.n;
    bump(perDay, dn, r.n);
    const a = day.get(dn * 65536 + sig) ?? day.set(dn * 65536 + sig, { dn, sig, n: 0, h: new Array(24).fill(0) }).get(dn * 65536 + sig)!;
    a.n += r.n;
    a.h[hn % 24] += r.n;
    const b = m5.get(hn * 65536 + sig) ?? m5.set(hn * 65536 + sig, { hn, sig, n: 0, m: new Array(12).fill(0) }).get(hn * 65536 + sig)!;
    b.n += r.n;
    b.m[r.s5 % 12] += r.n;
    const server = serverIdOf(decodeDims(r.code).srv);
    const c = span.get(hn * 256 + server) ?? span.set(hn * 256 + server, { hn, server, n: 0, lo: r.lo, hi: r.hi }).get(hn * 256 + server)!;
    c.n += r.n;
    c.lo = Math.min(c.lo, r.lo);
    c.hi = Math.max(c.hi, r.hi);
  }
  const ints = (cols: string[]) => cols.map((c) => [c, "int"] as [string, string]);
  await upsertAdd(db, "querylog_sig_day", [["day", "date"], ["sig", "smallint"]], [["n", "bigint"], ...ints(HCOLS)], [...day.values()].map((a) => [dayText(a.dn), a.sig, a.n, ...a.h]));
  // the same cells summed per class (instance, response type, NXDOMAIN / SERVFAIL / other): what the charts draw
  const cls = new Map<string, { dn: number; server: number; rt: number; cls: number; n: number; h: number[] }>();
  for (const a of day.values()) {
    const sg = dict.byId.get(a.sig)!;
    const c = sg.rcode === 2 || sg.rcode === 3 ? sg.rcode : 0;
    const k = `${a.dn}|${sg.serverId}|${sg.rt}|${c}`;
    const e = cls.get(k) ?? cls.set(k, { dn: a.dn, server: sg.serverId, rt: sg.rt, cls: c, n: 0, h: new Array(24).fill(0) }).get(k)!;
    e.n += a.n;
    for (let i = 0; i < 24; i++) e.h[i] += a.h[i];
  }
  await upsertAdd(db, "querylog_class_day", [["day", "date"], ["server_id", "smallint"], ["rt", "smallint"], ["cls", "smallint"]], [["n", "bigint"], ...ints(HCOLS)], [...cls.values()].map((a) => [dayText(a.dn), a.server, a.rt, a.cls, a.n, ...a.h]));
  // 5-minute slots: the day this step packs goes straight to its packed rows (querylog_sig_5m_day); other hours (the
  // open day, a packed day's stragglers) to the hourly rows, which closeDay moves when their day is packed
  const mainDn = mainDay ? Date.parse(`${mainDay}T00:00:00Z`) / DAY : -1;
  const m5Hot = [...m5.values()].filter((a) => Math.floor(a.hn / 24) !== mainDn);
  await upsertAdd(db, "querylog_sig_5m", [["hour", "timestamptz"], ["sig", "smallint"]], [["n", "int"], ...ints(MCOLS)], m5Hot.map((a) => [new Date(a.hn * HOUR), a.sig, a.n, ...a.m]));
  if (mainDay) await insertSlotsDay(db, "querylog_sig_5m_day", mainDay, [...m5.values()].filter((a) => Math.floor(a.hn / 24) === mainDn).map((a) => ({ sig: a.sig, hour: a.hn % 24, counts: a.m })));
  await upsertAdd(db, "querylog_hour_span", [["hour", "timestamptz"], ["server_id", "smallint"]], [["n", "bigint"], ["min_dlid", "bigint", "least"], ["max_dlid", "bigint", "greatest"]], [...span.values()].map((a) => [new Date(a.hn * HOUR), a.server, a.n, a.lo, a.hi]));

  const rttDay = new Map<number, { t: number; sig: number; b: number[] }>();
  const rttHour = new Map<number, { t: number; sig: number; b: number[] }>();
  for (const r of data.rtt) {
    const sig = sigOf(r.code);
    for (const [m, t] of [[rttDay, Math.floor(r.hn / 24)], [rttHour, r.hn]] as const) {
      const k = t * 65536 + sig;
      const a = m.get(k) ?? m.set(k, { t, sig, b: new Array(RTT_BUCKETS).fill(0) }).get(k)!;
      a.b[r.rb] += r.n;
    }
  }
  await upsertAdd(db, "querylog_rtt_day", [["day", "date"], ["sig", "smallint"]], ints(RTT_COLS), [...rttDay.values()].map((a) => [dayText(a.t), a.sig, ...a.b]));
  // (per hour: the day this step packs straight to its packed rows, as the 5-minute slots above)
  const rttHot = [...rttHour.values()].filter((a) => Math.floor(a.t / 24) !== mainDn);
  await upsertAdd(db, "querylog_rtt_hour", [["hour", "timestamptz"], ["sig", "smallint"]], ints(RTT_COLS), rttHot.map((a) => [new Date(a.t * HOUR), a.sig, ...a.b]));
  if (mainDay) await insertSlotsDay(db, "querylog_rtt_hour_day", mainDay, [...rttHour.values()].filter((a) => Math.floor(a.t / 24) === mainDn).map((a) => ({ sig: a.sig, hour: a.t % 24, counts: a.b })));

  // Per-key rows: the main day packed, everything else hot (per hour).
  const hotRows = new Map<number, number>();
  for (const kind of ROLLED_KINDS) {
    const k = kind === NETS ? netKeys : data.keys[kind];
    const idOf = (t: string) => ids[kind].get(t) as number;
    const hot = new Map<number, Map<number, number>>(); // key id → (hour·65536 + sig) → n
    for (let i = 0; i < k.n.length; i++) {
      if (k.dn[i] === mainDn) continue;
      const id = idOf(k.key[i]);
      const m = hot.get(id) ?? hot.set(id, new Map()).get(id)!;
      bump(m, k.hn[i] * 65536 + sigOf(k.code[i]), k.n[i]);
      if (kind === CLIENTS) bump(hotRows, k.dn[i], k.n[i]);
    }
    const hotFlat: unknown[][] = [];
    for (const [id, m] of hot) for (const [hs, n] of m) hotFlat.push([kind, id, new Date(Math.floor(hs / 65536) * HOUR), hs % 65536, n]);
    await upsertAdd(db, "querylog_key_hot", [["kind", "smallint"], ["key_id", "int"], ["hour", "timestamptz"], ["sig", "smallint"]], [["n", "int"]], hotFlat);
    // and per key and day (clients and names: what top lists rank the day not closed yet from)
    if (kind !== NETS) {
      const perDay = new Map<number, [number, number]>(); // day number·2^32 + key id → [rows, blocked rows]
      for (let i = 0; i < k.n.length; i++) {
        if (k.dn[i] === mainDn) continue;
        const dk = k.dn[i] * 2 ** 32 + idOf(k.key[i]);
        const e = perDay.get(dk) ?? perDay.set(dk, [0, 0]).get(dk)!;
        e[0] += k.n[i];
        if (BLOCKED_TYPES.has(decodeDims(k.code[i]).rt)) e[1] += k.n[i];
      }
      const rows = [...perDay].map(([dk, [n, b]]) => [kind, dayText(Math.floor(dk / 2 ** 32)), dk % 2 ** 32, n, b]);
      await upsertAdd(db, "querylog_key_hot_day", [["kind", "smallint"], ["day", "date"], ["key_id", "int"]], [["n", "int"], ["b", "int"]], rows);
    }
    const r = kind === NETS ? netRtt : data.keyRtt[kind];
    const hotRtt: unknown[][] = [];
    for (let i = 0; i < r.n.length; i++) if (r.dn[i] !== mainDn) hotRtt.push([kind, idOf(r.key[i]), dayText(r.dn[i]), serverIdOf(r.srv[i]), r.rb[i], r.n[i]]);
    await upsertAdd(db, "querylog_key_hot_rtt", [["kind", "smallint"], ["key_id", "int"], ["day", "date"], ["server_id", "smallint"], ["bucket", "smallint"]], [["n", "int"]], hotRtt);
    if (!mainDay) continue;
    // The main day per key and signature (clients arrive per hour: summed here; the hours — names' from their own
    // columns — go into the packed rows, the quiet keys' too).
    const dayData: DayKeyData = { day: [], hours: [], rtt: [] };
    const perKey = new Map<number, number>(); // key id·2^16 + sig → n
    const rowKs = new Float64Array(k.n.length).fill(-1); // each main-day row's key id·2^16 + sig
    for (let i = 0; i < k.n.length; i++) {
      if (k.dn[i] !== mainDn) continue;
      rowKs[i] = idOf(k.key[i]) * 65536 + sigOf(k.code[i]);
      bump(perKey, rowKs[i], k.n[i]);
    }
    for (const [ks, n] of perKey) dayData.day.push({ key: Math.floor(ks / 65536), sig: ks % 65536, n });
    if (kind === NAMES) {
      const quiet = quietOf(rowKs, perKey);
      dayData.quietRows = quietNameRows(k, rowKs, quiet, data.nameHourSums);
      dayData.quietRtt = quietNameRtt(k, rowKs, quiet, data.nameRttSums, (code) => serverIdOf(decodeDims(code).srv));
    }
    const hourly: KeyCols = kind === NAMES ? data.denseHours : k;
    for (let i = 0; i < hourly.n.length; i++) if (hourly.dn[i] === mainDn) dayData.hours.push({ key: idOf(hourly.key[i]), hour: hourly.hn[i] % 24, sig: sigOf(hourly.code[i]), n: hourly.n[i] });
    for (let i = 0; i < r.n.length; i++) if (r.dn[i] === mainDn) dayData.rtt.push({ key: idOf(r.key[i]), server: serverIdOf(r.srv[i]), bucket: r.rb[i], n: r.n[i] });
    const textOf = new Map([...ids[kind]].map(([t, id]) => [id, t]));
    await insertPacked(db, kind, mainDay, dayData, poolFor(kind, textOf), dict);
  }

  if (data.sample.length)
    await db.query(
      `INSERT INTO querylog_sample (dlid, ts, sig, client_id, name_id, rtt)
       SELECT * FROM unnest($1::bigint[], $2::timestamptz[], $3::smallint[], $4::int[], $5::int[], $6::real[]) ON CONFLICT (dlid) DO NOTHING`,
      [
        data.sample.map((s) => s.dlid), data.sample.map((s) => s.ts), data.sample.map((s) => sigOf(s.code)), data.sample.map((s) => ids[CLIENTS].get(s.client)),
        data.sample.map((s) => (s.qname === null ? null : ids[NAMES].get(s.qname))), data.sample.map((s) => s.rtt),
      ],
    );

  // Failed answers by cause (no extra scan: the names pass grouped them), with this step's rows per day for the ledger.
  await writeCauses(db, aggregateCauses(data.failed, failedKinds, serverIdOf), perDay);

  // The day ledger: rows per day (also counted into the networks: this step wrote them), how many went to the hot
  // tables, packed days.
  const days = [...perDay.keys()];
  if (days.length)
    await db.query(
      `INSERT INTO querylog_days AS t (day, version, packed, hot_rows, rows, net_rows, top_slices)
       SELECT d, $4, coalesce(d = $5::date, false), h, n, n, CASE WHEN d = $5::date THEN $6 ELSE 0 END FROM unnest($1::date[], $2::bigint[], $3::bigint[]) AS u(d, n, h)
       ON CONFLICT (day) DO UPDATE SET rows = t.rows + EXCLUDED.rows, net_rows = t.net_rows + EXCLUDED.net_rows, hot_rows = t.hot_rows + EXCLUDED.hot_rows, packed = t.packed OR EXCLUDED.packed,
         top_slices = CASE WHEN t.packed THEN t.top_slices ELSE EXCLUDED.top_slices END`,
      [days.map(dayText), days.map((d) => perDay.get(d)), days.map((d) => hotRows.get(d) ?? 0), ROLLUP_VERSION, mainDay, TOP_SLICES],
    );
  return { dict, ids, rows };
}

/** Whether row i of a names step is a quiet name's main-day row (fewer than DENSE_DAY rows that day). */
function quietOf(rowKs: Float64Array, perKey: Map<number, number>): (i: number) => boolean {
  const total = new Map<number, number>();
  for (const [ks, n] of perKey) bump(total, Math.floor(ks / 65536), n);
  return (i) => rowKs[i] >= 0 && (total.get(Math.floor(rowKs[i] / 65536)) ?? 0) < DENSE_DAY;
}

/** The non-zero one-byte fields of row i's `cols` sums (rollup-read.ts byteSums): fn(field number, value). */
function eachByteField(sums: Float64Array, i: number, cols: number, fn: (field: number, n: number) => void): void {
  for (let q = 0; q < cols; q++) for (let f = q * 6, v = sums[i * cols + q]; v > 0; f++, v = Math.floor(v / 256)) if (v % 256) fn(f, v % 256);
}

/**
 * The main day's quiet names' rows as packDay's quietRows — (key id·2^16 + sig)·32 + hour each — from the names pass's
 * hour sums (a byte per hour; exact for a name with under DENSE_DAY rows that day, the only ones taken). Undefined
 * when a row's fields do not add up to its count: no hours rather than wrong ones.
 */
function quietNameRows(k: KeyCols, rowKs: Float64Array, quiet: (i: number) => boolean, sums: Float64Array): Float64Array | undefined {
  if (sums.length !== k.n.length * 4) return undefined;
  let count = 0;
  for (let i = 0; i < k.n.length; i++) if (quiet(i)) count += k.n[i];
  const out = new Float64Array(count);
  let o = 0;
  for (let i = 0; i < k.n.length; i++) {
    if (!quiet(i)) continue;
    const end = o + k.n[i];
    let over = false;
    eachByteField(sums, i, 4, (hour, c) => {
      if (o + c > end) over = true;
      else out.fill(rowKs[i] * 32 + hour, o, (o += c));
    });
    if (over || o !== end) return undefined;
  }
  return out;
}

/** The main day's quiet names' RTT as packDay's quietRtt (pack.ts poolRttCode), from the names pass's bucket sums. */
function quietNameRtt(k: KeyCols, rowKs: Float64Array, quiet: (i: number) => boolean, sums: Float64Array, serverOf: (code: number) => number): number[] | undefined {
  if (sums.length !== k.n.length * RTT_SUM_COLS) return undefined;
  const out: number[] = [];
  for (let i = 0; i < k.n.length; i++) {
    if (!quiet(i)) continue;
    const key = Math.floor(rowKs[i] / 65536);
    let server = -1; // (looked up once per row, and only for a row with RTT)
    eachByteField(sums, i, RTT_SUM_COLS, (bucket, n) => out.push(poolRttCode({ key, server: server < 0 ? (server = serverOf(k.code[i])) : server, bucket, n })));
  }
  return out;
}

/** Packed rows and top lists of one day (the day must not be packed yet). */
export async function insertPacked(db: Db, kind: Kind, day: string, data: DayKeyData, poolOf: (key: number) => number, dict: SigDict): Promise<void> {
  const packed = packDay(kind, data, poolOf);
  if (packed.length) {
    const [h, r, d] = [pieces(packed.map((p) => p.h)), pieces(packed.map((p) => p.r)), pieces(packed.map((p) => p.d))];
    await db.query(
      `INSERT INTO querylog_key_day (kind, grp, day, h, r, d)
       SELECT $1, g, $2::date, ${cut("$4", "hs", "hl")}, ${cut("$7", "rs", "rl")}, ${cut("$10", "ds", "dl")}
         FROM unnest($3::int[], $5::int[], $6::int[], $8::int[], $9::int[], $11::int[], $12::int[]) AS u(g, hs, hl, rs, rl, ds, dl)`,
      [kind, day, packed.map((p) => p.grp), h.blob, h.start, h.len, r.blob, r.start, r.len, d.blob, d.start, d.len],
    );
  }
  // networks have no ranked lists: a top list ranks clients or names
  if (kind !== NETS) await insertTops(db, kind, day, topLists(kind, data.day, dict));
}

/**
 * Many byte strings as one parameter and where each lies in it (1-based start, length; -1 for NULL). node-postgres
 * sends a Buffer as it is, but a Buffer[] as a text array literal with every byte hex-escaped in JavaScript — at a
 * day's packed rows that escaping was a tenth of the first build's time. SQL cuts the pieces out again (`cut`).
 */
function pieces(parts: (Buffer | null)[]): { blob: Buffer; start: number[]; len: number[] } {
  const start: number[] = [];
  const len: number[] = [];
  let at = 1;
  for (const b of parts) {
    start.push(at);
    len.push(b ? b.length : -1);
    at += b ? b.length : 0;
  }
  return { blob: Buffer.concat(parts.filter((b): b is Buffer => b !== null)), start, len };
}
const cut = (blob: string, start: string, len: string) => `CASE WHEN ${len} < 0 THEN NULL ELSE substring(${blob}::bytea FROM ${start} FOR ${len}) END`;

/** A day's ranked lists (a list already written for that day and slice is kept). */
export async function insertTops(db: Db, kind: Kind, day: string, tops: TopRow[]): Promise<void> {
  if (tops.length)
    await db.query(
      `INSERT INTO querylog_top_day (day, kind, slice, keys, rest) SELECT $1::date, $2, s, ${cut("$4", "ks", "kl")}, r FROM unnest($3::int[], $5::int[], $6::int[], $7::int[]) AS u(s, ks, kl, r)
       ON CONFLICT (day, kind, slice) DO NOTHING`,
      (({ blob, start, len }) => [day, kind, tops.map((t) => t.slice), blob, start, len, tops.map((t) => t.rest)])(pieces(tops.map((t) => t.keys))),
    );
}

/**
 * A packed day's slots per signature (pack.ts packSlots: slot = hour · columns + column, non-empty ones only), in slot
 * order; appended to a row the day already has. `hours`: one per (hour, signature), its columns' counts.
 */
async function insertSlotsDay(db: Db, table: "querylog_sig_5m_day" | "querylog_rtt_hour_day", day: string, hours: { sig: number; hour: number; counts: number[] }[]): Promise<void> {
  const bySig = new Map<number, { slots: number[]; counts: number[] }>();
  for (const a of [...hours].sort((x, y) => x.hour - y.hour)) {
    const cols = a.counts.length;
    for (let i = 0; i < cols; i++) {
      if (!(a.counts[i] > 0)) continue;
      const e = bySig.get(a.sig) ?? bySig.set(a.sig, { slots: [], counts: [] }).get(a.sig)!;
      e.slots.push(a.hour * cols + i);
      e.counts.push(a.counts[i]);
    }
  }
  if (!bySig.size) return;
  const sigs = [...bySig.keys()];
  await db.query(
    `INSERT INTO ${table} AS t (day, sig, m) SELECT $1::date, s, m FROM unnest($2::smallint[], $3::bytea[]) AS u(s, m)
      ON CONFLICT (day, sig) DO UPDATE SET m = t.m || EXCLUDED.m`,
    [day, sigs, sigs.map((k) => packSlots(bySig.get(k)!.slots, bySig.get(k)!.counts))],
  );
}
