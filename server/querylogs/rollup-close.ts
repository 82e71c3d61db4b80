/**
 * Closing days: once the watermark has passed the end of a UTC day (plus the settle time), that day's hot per-key rows
 * are packed into querylog_key_day and its top lists written, then the hot rows are deleted — one transaction per day,
 * under the rollup lock. Work happens once per day, not once per tick. Days packed by a catch-up step keep only their
 * stragglers (a few rows written late) in the hot tables, where readers add them. Pure apart from the handles.
 */
import type { Db } from "./db-types";
import { BUMP_EPOCH, ROLLUP_LOCK, STATE_ID, underRollupLock } from "./db-types";
import { CLIENTS, type Kind, NAMES, NETS } from "./dictionary";
import { ROLLED_KINDS } from "./nets";
import { type DayKeyData, TOP_SLICES, topLists } from "./rollup-pack";
import { eachPool } from "./pack";
import { insertPacked, insertTops, MCOLS } from "./rollup-write";
import { RTT_COLS } from "./rtt";
import { loadSigs } from "./sigs";

export async function closeDays(stores: { deck: Db; deckConnect: () => Promise<Db & { release(): void }>; stateId?: string }, opts: { settleSeconds: number }): Promise<string[]> {
  const { rows } = await stores.deck.query(
    `SELECT d.day::text AS day FROM querylog_days d, querylog_state s
      WHERE s.id = $1 AND NOT d.packed AND s.watermark_at IS NOT NULL
        AND (d.day + 1)::timestamp AT TIME ZONE 'UTC' + make_interval(secs => $2) <= s.watermark_at
      ORDER BY d.day`,
    [stores.stateId ?? STATE_ID, opts.settleSeconds],
  );
  const closed: string[] = [];
  for (const { day } of rows) {
    await closeDay(stores, day, stores.stateId ?? STATE_ID);
    closed.push(day);
  }
  return closed;
}

/**
 * A day's hourly rows of 5-minute slots (querylog_sig_5m) or RTT buckets (querylog_rtt_hour) as its packed rows
 * (querylog_sig_5m_day, querylog_rtt_hour_day; pack.ts packSlots: slot = hour · columns + column, u16 · n u32
 * big-endian, which int2send/int4send write), appended to what the day already has. $1: the day. Migrations
 * 20261205060000 and 20261205070000 moved the days packed before with the same statement.
 */
const moveToDay = (hourly: string, packed: string, cols: string[]) => `
  INSERT INTO ${packed} AS t (day, sig, m)
  SELECT $1::date, f.sig, string_agg(int2send((extract(hour FROM f.hour AT TIME ZONE 'UTC')::int * ${cols.length} + u.i - 1)::int2) || int4send(u.v), ''::bytea ORDER BY f.hour, u.i)
    FROM ${hourly} f
   CROSS JOIN LATERAL unnest(ARRAY[${cols.map((c) => `f.${c}`).join(", ")}]) WITH ORDINALITY AS u(v, i)
   WHERE f.hour >= $1::date::timestamp AT TIME ZONE 'UTC' AND f.hour < ($1::date + 1)::timestamp AT TIME ZONE 'UTC' AND u.v > 0
   GROUP BY f.sig
  ON CONFLICT (day, sig) DO UPDATE SET m = t.m || EXCLUDED.m`;
const MOVED = [
  { hourly: "querylog_sig_5m", sql: moveToDay("querylog_sig_5m", "querylog_sig_5m_day", MCOLS) },
  { hourly: "querylog_rtt_hour", sql: moveToDay("querylog_rtt_hour", "querylog_rtt_hour_day", RTT_COLS) },
];

async function closeDay(stores: { deckConnect: () => Promise<Db & { release(): void }> }, day: string, stateId: string): Promise<void> {
  const c = await stores.deckConnect();
  try {
    await c.query("BEGIN");
    await c.query(`SELECT pg_advisory_xact_lock($1)`, [ROLLUP_LOCK]);
    const still = await c.query(`SELECT packed FROM querylog_days WHERE day = $1::date`, [day]);
    if (!still.rows.length || still.rows[0].packed) {
      await c.query("ROLLBACK");
      return;
    }
    const dict = await loadSigs(c);
    const from = `${day}T00:00:00Z`;
    const [hot, rtt] = await Promise.all([
      c.query(
        `SELECT kind, key_id, extract(hour FROM hour AT TIME ZONE 'UTC')::int AS h, sig, n FROM querylog_key_hot
          WHERE hour >= $1::timestamptz AND hour < $1::timestamptz + interval '1 day'`,
        [from],
      ),
      c.query(`SELECT kind, key_id, server_id, bucket, n FROM querylog_key_hot_rtt WHERE day = $1::date`, [day]),
    ]);
    for (const kind of ROLLED_KINDS) {
      const data: DayKeyData = { day: [], hours: [], rtt: [] };
      const dayAgg = new Map<string, { key: number; sig: number; n: number }>();
      for (const r of hot.rows) {
        if (r.kind !== kind) continue;
        data.hours.push({ key: r.key_id, hour: r.h, sig: r.sig, n: r.n });
        const k = `${r.key_id}|${r.sig}`;
        const a = dayAgg.get(k) ?? { key: r.key_id, sig: r.sig, n: 0 };
        a.n += r.n;
        dayAgg.set(k, a);
      }
      data.day = [...dayAgg.values()];
      for (const r of rtt.rows) if (r.kind === kind) data.rtt.push({ key: r.key_id, server: r.server_id, bucket: r.bucket, n: r.n });
      if (!data.day.length) continue;
      const keys = [...new Set(data.day.map((e) => e.key))];
      const table = kind === NAMES ? "querylog_names" : kind === NETS ? "querylog_nets" : "querylog_clients";
      const pools = await c.query(`SELECT id, pool FROM ${table} WHERE id = ANY($1::int[])`, [keys]);
      const poolOf = new Map<number, number>(pools.rows.map((r) => [r.id, r.pool]));
      await insertPacked(c, kind, day, data, (k) => {
        const p = poolOf.get(k);
        if (p === undefined) throw new Error(`key ${k} is not in the dictionary`);
        return p;
      }, dict);
    }
    for (const m of MOVED) {
      await c.query(m.sql, [day]);
      await c.query(`DELETE FROM ${m.hourly} WHERE hour >= $1::timestamptz AND hour < $1::timestamptz + interval '1 day'`, [from]);
    }
    await c.query(`DELETE FROM querylog_key_hot WHERE hour >= $1::timestamptz AND hour < $1::timestamptz + interval '1 day'`, [from]);
    await c.query(`DELETE FROM querylog_key_hot_rtt WHERE day = $1::date`, [day]);
    // (and any day's totals already packed: a packed day's stragglers are added there too, never read)
    await c.query(`DELETE FROM querylog_key_hot_day h USING querylog_days d WHERE d.day = h.day AND (d.packed OR d.day = $1::date)`, [day]);
    await c.query(`UPDATE querylog_days SET packed = true, hot_rows = 0, top_slices = $2 WHERE day = $1::date`, [day, TOP_SLICES]);
    await c.query(BUMP_EPOCH, [stateId]);
    await c.query("COMMIT");
    // publish this backend's row counts now, so the VACUUM that follows sees (and clears) these dead rows
    await c.query("SELECT pg_stat_force_next_flush()");
  } catch (err) {
    await c.query("ROLLBACK").catch(() => {});
    throw err;
  } finally {
    c.release();
  }
}

/**
 * Adds the per-value ranked lists (rollup-pack.ts TOP_SLICES) to days packed before they existed, newest first, one
 * day per transaction under the rollup lock, until `budgetMs` is spent: from the day's packed per-key rows, which hold
 * exactly what its per-signature lists were ranked from, so dns_logs is not read. Returns the days done.
 */
export async function backfillValueLists(stores: { deck: Db; deckConnect: () => Promise<Db & { release(): void }>; stateId?: string }, opts: { budgetMs?: number } = {}): Promise<string[]> {
  const started = Date.now();
  const done: string[] = [];
  const pending = () => `SELECT day::text AS day FROM querylog_days WHERE packed AND top_slices < ${TOP_SLICES} ORDER BY day DESC LIMIT 1`;
  // the usual answer (nothing to do) without taking the rollup lock every tick
  if (!(await stores.deck.query(pending())).rows.length) return done;
  while (Date.now() - started < (opts.budgetMs ?? 2_000)) {
    const listed = await underRollupLock(stores.deckConnect, async (c) => {
      const next = (await c.query(pending())).rows[0]?.day as string | undefined;
      if (!next) return null;
      const dict = await loadSigs(c);
      for (const kind of [CLIENTS, NAMES] as Kind[]) {
        const { rows } = await c.query(`SELECT d FROM querylog_key_day WHERE kind = $1 AND day = $2::date`, [kind, next]);
        const day: DayKeyData["day"] = [];
        for (const r of rows) eachPool(r.d, null, (key, sig, n) => day.push({ key, sig, n }));
        await insertTops(c, kind, next, topLists(kind, day, dict, { valuesOnly: true }));
      }
      await c.query(`UPDATE querylog_days SET top_slices = $2 WHERE day = $1::date`, [next, TOP_SLICES]);
      await c.query(BUMP_EPOCH, [stores.stateId ?? STATE_ID]);
      return next;
    });
    if (!listed) break;
    done.push(listed);
  }
  return done;
}
